import { type Alias, type Document, isAlias, isCollection, isMap, isScalar, isSeq } from "yaml";
import type * as z from "zod";
import { type ConfigPath, formatConfigPath } from "./format-config-errors.js";
import { suggestClosest } from "./suggest-closest.js";
import { PREDICATE_PARAM } from "./value-issue.js";

/** Prefix of the placeholder message our zod error map gives to issues that carry no author-written message. */
const GENERATED = "\u0000config-loader:";

/**
 * A zod issue as a problem to fix: where it is in the file (`offset`), the config path and a message that
 * quotes what is written there.
 */
export interface Problem {
  offset: number;
  path: ConfigPath;
  message: string;
  /** `unknown`: a key the schema does not have; `missing`: a required key that is absent. */
  kind?: "unknown" | "missing";
}

/**
 * The problems of a config file from its zod issues, each located in the source and worded for the person
 * who edits the file; the consequences of a misspelt key are left out (see
 * {@link withoutConsequencesOfUnknownKeys}). Issues must come from a parse with `reportInput` and
 * {@link generatedMessage} as its error map.
 */
export function describeConfigIssues(issues: readonly z.core.$ZodIssue[], view: SourceView): Problem[] {
  return withoutConsequencesOfUnknownKeys(issues.flatMap((issue) => describeIssue(issue, [], view)));
}

/** The parsed document with what is needed to point into it. */
export interface SourceView {
  doc: Document;
  text: string;
  resolveAlias: (alias: Alias) => unknown;
}

interface FoundNode {
  /** Offset of the deepest node found along the path. */
  offset: number;
  /** Whether the whole path exists in the document. */
  complete: boolean;
  /** The scalar (or alias) at the path, as written, when the path is complete and ends at one. */
  source: string | undefined;
}

/** Follows `path` through maps, sequences and aliases; the last duplicate key wins, as in `toJS`. */
export function findNode(view: SourceView, path: ConfigPath, withSource = false): FoundNode {
  const { resolveAlias } = view;
  let node: unknown = view.doc.contents;
  let offset = rangeStart(node) ?? 0;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = resolveAlias(node);
    let next: unknown;
    let nextOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      next = pair.value;
      // An empty value (`key:`) has no useful range of its own; point at the key.
      nextOffset =
        isScalar(pair.value) && pair.value.value === null ? rangeStart(pair.key) : rangeStart(pair.value);
      nextOffset ??= rangeStart(pair.key);
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
      if (next === undefined) break;
      nextOffset = rangeStart(next);
    } else {
      break;
    }
    node = next;
    offset = nextOffset ?? offset;
    depth++;
  }
  const complete = depth === path.length;
  let source: string | undefined;
  if (complete && withSource && (isScalar(node) || isAlias(node)) && node.range) {
    source = view.text.slice(node.range[0], node.range[1]);
  }
  return { offset, complete, source };
}

function rangeStart(node: unknown): number | undefined {
  if (isScalar(node) || isAlias(node) || isCollection(node)) return node.range?.[0];
  return undefined;
}

/**
 * A misspelt key (`aprovers`) also makes the right one missing and can fail checks on the mapping holding it;
 * those follow from the typo and vanish with it, so only the "unknown key … did you mean" message is kept.
 */
function withoutConsequencesOfUnknownKeys(problems: Problem[]): Problem[] {
  const typoMaps = new Set(
    problems.filter((p) => p.kind === "unknown").map((p) => formatConfigPath(p.path.slice(0, -1))),
  );
  if (typoMaps.size === 0) return problems;
  return problems.filter((p) => {
    if (p.kind === "unknown") return true;
    if (p.kind === "missing") return !typoMaps.has(formatConfigPath(p.path.slice(0, -1)));
    return !typoMaps.has(formatConfigPath(p.path));
  });
}

/** Our zod error map: it only runs when the schema author wrote no message, and marks the issue as ours to phrase. */
export function generatedMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === "unrecognized_keys") {
    const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
      ?.def?.shape;
    return GENERATED + JSON.stringify({ allowed: shape ? Object.keys(shape) : [] });
  }
  return `${GENERATED}{}`;
}

/** Turns one zod issue into messages that quote the file, located by the issue's path. */
function describeIssue(issue: z.core.$ZodIssue, prefix: ConfigPath, view: SourceView): Problem[] {
  const path = [...prefix, ...(issue.path as (string | number)[])];
  const input = (issue as { input?: unknown }).input;
  const found = findNode(view, path, true);
  const problem = (message: string, where: FoundNode = found): Problem => ({
    offset: where.offset,
    path,
    message,
  });

  if (!issue.message.startsWith(GENERATED)) return [problem(issue.message)];

  switch (issue.code) {
    case "unrecognized_keys": {
      const { allowed } = JSON.parse(issue.message.slice(GENERATED.length)) as { allowed?: string[] };
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const hint = allowedKeysHint(key, allowed ?? []);
        return {
          offset: findKeyOffset(view, keyPath) ?? found.offset,
          path: keyPath,
          message: `unknown key \`${key}\`${hint}`,
          kind: "unknown" as const,
        };
      });
    }
    case "invalid_type": {
      if (input === undefined && !found.complete) {
        const parentPath = path.slice(0, -1);
        const where = findNode(view, parentPath);
        const key = String(path.at(-1));
        const within = parentPath.length > 0 ? ` in \`${formatConfigPath(parentPath)}\`` : "";
        return [{ ...problem(`missing required key \`${key}\`${within}`, where), kind: "missing" }];
      }
      // YAML reads `1e400` as infinity, which zod calls the wrong type: it is the size that is wrong.
      if (typeof input === "number" && !Number.isFinite(input))
        return [problem(`${subject(path, found, input)} is too large a number`)];
      const expected = describeExpected(issue.expected);
      return [
        problem(
          `${subject(path, found, input)} should be ${expected}, not ${describeValue(input)}${typeHint(issue.expected, input)}`,
        ),
      ];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => `\`${String(v)}\``);
      const guess =
        typeof input === "string"
          ? suggestClosest(
              input,
              issue.values.filter((v) => typeof v === "string"),
            )
          : undefined;
      const hint = guess !== undefined ? ` (did you mean \`${guess}\`?)` : "";
      const expected = values.length === 1 ? `should be ${values[0]}` : `is not one of ${values.join(", ")}`;
      return [problem(`${subject(path, found, input)} ${expected}${hint}`)];
    }
    case "too_small":
    case "too_big":
      return [problem(`${subject(path, found, input)} ${describeBound(issue)}`)];
    case "invalid_format": {
      const pattern = "pattern" in issue && issue.pattern ? `; it must match ${issue.pattern}` : "";
      return [problem(`${subject(path, found, input)} is not a valid ${issue.format}${pattern}`)];
    }
    case "not_multiple_of":
      return [problem(`${subject(path, found, input)} must be a multiple of ${String(issue.divisor)}`)];
    case "invalid_union":
      return describeUnion(issue, path, view, found, input);
    case "custom": {
      const predicate = issue.params?.[PREDICATE_PARAM];
      if (typeof predicate === "string") return [problem(`${subject(path, found, input)} ${predicate}`)];
      return [problem(`${subject(path, found, input)} is not valid`)];
    }
    case "invalid_key": {
      // A key of a name → value mapping (a calendar's name): said of the key, in its schema's words.
      const predicate = issue.issues
        .map((inner) => (inner.code === "custom" ? inner.params?.[PREDICATE_PARAM] : undefined))
        .find((p): p is string => typeof p === "string");
      const key = String(input ?? path.at(-1));
      return [
        problem(`key \`${key}\` ${predicate ?? "is not a valid name here"}`, {
          ...found,
          offset: findKeyOffset(view, path) ?? found.offset,
        }),
      ];
    }
    default:
      return [problem(`${subject(path, found, input)} is not valid (${issue.code})`)];
  }
}

function describeUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: ConfigPath,
  view: SourceView,
  found: FoundNode,
  input: unknown,
): Problem[] {
  // A branch that got past the union's own type check is the one the author was writing: report its problems.
  const ownLevel = (i: z.core.$ZodIssue) =>
    i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value");
  const plausible = issue.errors.filter((branch) => branch.length > 0 && !branch.some(ownLevel));
  const best = plausible.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) return best.flatMap((sub) => describeIssue(sub, path, view));
  const options = issue.errors.flatMap((branch) =>
    branch
      .filter(ownLevel)
      .map((i) =>
        i.code === "invalid_value"
          ? i.values.map((v) => `\`${String(v)}\``).join(" or ")
          : describeExpected(i.code === "invalid_type" ? i.expected : ""),
      ),
  );
  const unique = [...new Set(options)];
  return [
    {
      offset: found.offset,
      path,
      message: `${subject(path, found, input)} should be ${unique.join(" or ")}`,
    },
  ];
}

function findKeyOffset(view: SourceView, keyPath: ConfigPath): number | undefined {
  const { resolveAlias } = view;
  let node: unknown = view.doc.contents;
  for (const [index, segment] of keyPath.entries()) {
    if (isAlias(node)) node = resolveAlias(node);
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return undefined;
      if (index === keyPath.length - 1) return rangeStart(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return undefined;
}

function allowedKeysHint(key: string, allowed: readonly string[]): string {
  const guess = suggestClosest(key, allowed);
  if (guess !== undefined) return ` (did you mean \`${guess}\`?)`;
  if (allowed.length === 0) return "";
  const shown = allowed.slice(0, 15).map((k) => `\`${k}\``);
  return `; expected one of ${shown.join(", ")}${allowed.length > 15 ? ", …" : ""}`;
}

/** How the offending value reads in a message: "`expires_in: 30x`", "`web-*` in `names`", "`rules[2]`". */
function subject(path: ConfigPath, found: FoundNode, input: unknown): string {
  const last = path.at(-1);
  const written = found.source !== undefined ? oneLine(found.source) : inline(input);
  if (last === undefined) return "the document";
  if (typeof last === "string") {
    if (written === undefined) return `\`${last}\``;
    return written === "" ? `\`${last}\` (empty)` : `\`${last}: ${written}\``;
  }
  const list = path.findLast((segment) => typeof segment === "string");
  if (written === undefined || written === "") return `\`${formatConfigPath(path)}\``;
  return list === undefined ? `\`${written}\`` : `\`${written}\` in \`${list}\``;
}

function oneLine(source: string): string {
  const flat = source.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

function inline(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return oneLine(String(value));
  return undefined;
}

function describeExpected(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "a list",
    object: "a mapping (key: value)",
    record: "a mapping (key: value)",
    null: "empty",
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  if (typeof value === "boolean") return "true/false";
  return `a ${typeof value}`;
}

function typeHint(expected: string, input: unknown): string {
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
    return `; quote it: "${String(input)}"`;
  }
  if (expected === "array" && (typeof input === "string" || typeof input === "number")) {
    return `; write a list: [${String(input)}]`;
  }
  return "";
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "string":
      if (small && bound === 1) return "must not be empty";
      return `must be ${small ? "at least" : "at most"} ${bound} characters long`;
    case "array":
    case "set":
      if (small && bound === 1) return "must list at least one item";
      return `must list ${small ? "at least" : "at most"} ${bound} items`;
    default:
      if (inclusive) return `must be ${small ? "at least" : "at most"} ${bound}`;
      return `must be ${small ? "greater" : "less"} than ${bound}`;
  }
}
