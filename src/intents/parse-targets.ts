import { type Classified, classifyTarget, tagSelectorFor, targetKey } from "./classify-target.js";
import { type IntentError, MAX_TARGETS, type ServerRef, type Target } from "./intent-schema.js";
import { type Ctx, failure, isBare, label, missing, type Result, usage } from "./parse-arguments.js";
import { quoteUserText } from "./quote-user-text.js";
import type { Token } from "./tokenize.js";

/** Targets as verbs take them: servers by name, ID or IP, and tag selectors (`tag:env=dev`); or one server. */

export function parseTargets(ctx: Ctx, tokens: readonly Token[]): Result<Target[]> {
  if (tokens.length === 0)
    return missing(ctx, "at least one target (a server name, ID, IP or `tag:key=value`)");
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const [i, token] of tokens.entries()) {
    const classified = classifyTarget(token);
    if (!classified.ok)
      return splitTagSelector(ctx, tokens[i - 1], token, tokens[i + 1]) ?? withUsage(ctx, classified);
    const key = targetKey(classified.value);
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push(classified.value);
    if (targets.length > MAX_TARGETS) {
      return failure(
        "too_many_targets",
        `Too many targets: at most ${MAX_TARGETS} per command. Select by tag (\`tag:key=value\`) or split the request.`,
        { usage: usage(ctx) },
      );
    }
  }
  return { ok: true, value: targets };
}

/**
 * `tag env:staging`, `tag: env=staging`: a tag selector split by a space, seen where one of its halves is
 * refused as a target (`tag` alone is a valid name, `env:staging` is not). Undefined when `token` is no
 * such half.
 */
function splitTagSelector(
  ctx: Ctx,
  previous: Token | undefined,
  token: Token,
  next: Token | undefined,
): { ok: false; error: IntentError } | undefined {
  const isTagWord = (t: Token | undefined): t is Token =>
    t !== undefined && isBare(t) && /^tag:?$/i.test(t.text);
  const [word, pairToken] = isTagWord(previous) ? [previous, token] : isTagWord(token) ? [token, next] : [];
  if (word === undefined || pairToken === undefined || !isBare(pairToken)) return undefined;
  const selector = tagSelectorFor(pairToken.text);
  if (selector === undefined) return undefined;
  return failure(
    "invalid_target",
    `${quoteUserText(`${word.text} ${pairToken.text}`)} is not a tag selector: write it as one word with \`=\` between key and value, ${quoteUserText(selector)}.`,
    { usage: usage(ctx), suggestion: selector },
  );
}

export function withUsage<T>(
  ctx: Ctx,
  result: Classified<T> & { ok: false },
): { ok: false; error: IntentError } {
  return { ok: false, error: { ...result.error, usage: usage(ctx) } };
}

/** Exactly one server (no tag selector). */
export function parseServerRef(ctx: Ctx, token: Token): Result<ServerRef> {
  const classified = classifyTarget(token);
  if (!classified.ok) return withUsage(ctx, classified);
  if (classified.value.kind === "tag") {
    return failure(
      "invalid_target",
      `${label(ctx)} works on one server; a tag selector can match many. Use a name, ID or IP` +
        (ctx.command === "ecs" ? ", or `/ecs list tag=key=value` to see which servers match." : "."),
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value: classified.value };
}
