import type { FakeSlackState } from "./fake-slack-state.js";
import type { FakeSlackHomeView, FakeSlackView } from "./fake-slack-types.js";
import { validateBlocks } from "./validate-blocks.js";
import {
  type ApiAnswer,
  fail,
  invalidArguments,
  type MethodContext,
  stringArg,
  type WebApiMethod,
} from "./web-api-method.js";

/** Slack lets a trigger_id be exchanged within 3 seconds of the interaction. */
const TRIGGER_LIFETIME_MS = 3_000;
/** Slack's modal stack depth. */
const MAX_STACK = 3;
/** Slack refuses a published view larger than this (`view_too_large`). */
const MAX_VIEW_BYTES = 250_000;

type Checked<T> = { ok: true; value: T } | { ok: false; answer: ApiAnswer };

/**
 * Exchanges a trigger_id. Minted triggers are single-use (and, when strict, expire after 3 s);
 * with `strict` off an unknown trigger_id is accepted as if Slack had minted it.
 */
function exchangeTrigger(ctx: MethodContext): Checked<{ id: string; user?: string }> {
  const id = stringArg(ctx.args, "trigger_id");
  if (id === undefined) return { ok: false, answer: invalidArguments("missing required field: trigger_id") };
  const entry = ctx.state.triggers.get(id);
  if (!entry) {
    return ctx.strictTriggers
      ? { ok: false, answer: fail("invalid_trigger_id") }
      : { ok: true, value: { id } };
  }
  if (entry.used) return { ok: false, answer: fail("exchanged_trigger_id") };
  if (ctx.strictTriggers && ctx.state.now() - entry.createdAtMs > TRIGGER_LIFETIME_MS) {
    return { ok: false, answer: fail("expired_trigger_id") };
  }
  entry.used = true;
  return { ok: true, value: entry.user === undefined ? { id } : { id, user: entry.user } };
}

/**
 * The `view` argument, checked as Slack checks a modal (`views.open|push|update`) or a Home tab
 * (`views.publish`): its fields first, then its size.
 */
function readView(
  args: Record<string, unknown>,
  kind: "modal" | "home" = "modal",
): Checked<Record<string, unknown>> {
  const view = args.view;
  if (view === undefined || view === "") {
    return { ok: false, answer: invalidArguments("missing required field: view") };
  }
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    return { ok: false, answer: fail("invalid_arguments", { error_detail: "view must be a JSON object" }) };
  }
  const v = view as Record<string, unknown>;
  const problems: string[] = [];
  if (v.type !== kind) problems.push(`must be a ${kind} view [json-pointer:/view/type]`);
  if (kind === "modal") {
    if (typeof v.title !== "object" || v.title === null) {
      problems.push("missing required field: title [json-pointer:/view/title]");
    } else {
      const title = (v.title as Record<string, unknown>).text;
      if (typeof title !== "string" || title.length === 0 || title.length > 24) {
        problems.push("title must be 1-24 characters [json-pointer:/view/title/text]");
      }
    }
    for (const key of ["submit", "close"] as const) {
      const label = v[key];
      if (label === undefined || label === null) continue;
      const text = (label as Record<string, unknown>).text;
      if (
        (label as Record<string, unknown>).type !== "plain_text" ||
        typeof text !== "string" ||
        text.length === 0 ||
        text.length > 24
      ) {
        problems.push(`${key} must be plain_text of 1-24 characters [json-pointer:/view/${key}/text]`);
      }
    }
  }
  const blocks = validateBlocks(v.blocks ?? [], 100);
  if (!blocks.ok)
    problems.push(...blocks.problems.map((p) => p.replace("json-pointer:/", "json-pointer:/view/")));
  const hasInput =
    Array.isArray(v.blocks) && v.blocks.some((b) => (b as { type?: unknown })?.type === "input");
  if (kind === "modal" && hasInput && (typeof v.submit !== "object" || v.submit === null)) {
    problems.push("a view with input blocks needs submit [json-pointer:/view/submit]");
  }
  if (typeof v.private_metadata === "string" && v.private_metadata.length > 3000) {
    problems.push("must be less than 3001 characters [json-pointer:/view/private_metadata]");
  }
  if (typeof v.callback_id === "string" && v.callback_id.length > 255) {
    problems.push("must be less than 256 characters [json-pointer:/view/callback_id]");
  }
  if (problems.length > 0) return { ok: false, answer: invalidArguments(...problems) };
  if (JSON.stringify(v).length > MAX_VIEW_BYTES) return { ok: false, answer: fail("view_too_large") };
  return { ok: true, value: v };
}

/** The view and trigger of a modal that `views.open` or `views.push` adds, checked in Slack's order. */
function readNewModal(
  ctx: MethodContext,
): Checked<{ view: Record<string, unknown>; trigger: { id: string; user?: string } }> {
  const input = readView(ctx.args);
  if (!input.ok) return input;
  if (externalIdTaken(ctx.state, input.value.external_id))
    return { ok: false, answer: fail("duplicate_external_id") };
  const trigger = exchangeTrigger(ctx);
  if (!trigger.ok) return trigger;
  return { ok: true, value: { view: input.value, trigger: trigger.value } };
}

function buildView(
  state: FakeSlackState,
  input: Record<string, unknown>,
  ids: { id: string; rootViewId: string; previousViewId?: string },
  previous?: Record<string, unknown>,
): Record<string, unknown> {
  const { world } = state;
  return {
    id: ids.id,
    team_id: world.team.id,
    type: input.type,
    blocks: input.blocks ?? [],
    private_metadata: input.private_metadata ?? "",
    callback_id: input.callback_id ?? "",
    state: previous?.state ?? { values: {} },
    hash: `${Math.floor(state.now() / 1000)}.${state.randomId("", 4)}`,
    title: input.title,
    clear_on_close: input.clear_on_close ?? false,
    notify_on_close: input.notify_on_close ?? false,
    close: input.close ?? null,
    submit: input.submit ?? null,
    previous_view_id: ids.previousViewId ?? null,
    root_view_id: ids.rootViewId,
    app_id: world.bot.appId,
    external_id: input.external_id ?? "",
    app_installed_team_id: world.team.id,
    bot_id: world.bot.botId,
  };
}

function record(
  state: FakeSlackState,
  view: Record<string, unknown>,
  via: "views.open" | "views.push",
  trigger: { id: string; user?: string },
): FakeSlackView {
  const stored: FakeSlackView = {
    id: view.id as string,
    view,
    type: String(view.type),
    hash: view.hash as string,
    rootViewId: view.root_view_id as string,
    triggerId: trigger.id,
    openedVia: via,
    history: [{ at: state.nowIso(), via, view: structuredClone(view) }],
  };
  describe(stored, view);
  if (trigger.user !== undefined) stored.user = trigger.user;
  if (typeof view.previous_view_id === "string") stored.previousViewId = view.previous_view_id;
  state.views.set(stored.id, stored);
  return stored;
}

function describe(stored: FakeSlackView, view: Record<string, unknown>): void {
  delete stored.callbackId;
  delete stored.externalId;
  delete stored.privateMetadata;
  if (typeof view.callback_id === "string" && view.callback_id !== "") stored.callbackId = view.callback_id;
  if (typeof view.external_id === "string" && view.external_id !== "") stored.externalId = view.external_id;
  if (typeof view.private_metadata === "string" && view.private_metadata !== "") {
    stored.privateMetadata = view.private_metadata;
  }
}

function externalIdTaken(state: FakeSlackState, externalId: unknown): boolean {
  if (typeof externalId !== "string" || externalId === "") return false;
  return [...state.views.values()].some((v) => v.externalId === externalId);
}

function open(ctx: MethodContext): ApiAnswer {
  const checked = readNewModal(ctx);
  if (!checked.ok) return checked.answer;
  const { view: modal, trigger } = checked.value;
  const id = ctx.state.randomId("V");
  const view = buildView(ctx.state, modal, { id, rootViewId: id });
  const stored = record(ctx.state, view, "views.open", trigger);
  ctx.state.emit({ type: "view_opened", view: stored });
  return { ok: true, view };
}

function push(ctx: MethodContext): ApiAnswer {
  const checked = readNewModal(ctx);
  if (!checked.ok) return checked.answer;
  const { view: modal, trigger } = checked.value;
  // The stack a push lands on is the one the triggering user has open most recently.
  const views = [...ctx.state.views.values()];
  const top = views.reverse().find((v) => trigger.user === undefined || v.user === trigger.user);
  if (!top) return fail("not_found", { error_detail: "no view is open to push onto" });
  const depth = [...ctx.state.views.values()].filter((v) => v.rootViewId === top.rootViewId).length;
  if (depth >= MAX_STACK) return fail("push_limit_reached");
  const id = ctx.state.randomId("V");
  const view = buildView(ctx.state, modal, { id, rootViewId: top.rootViewId, previousViewId: top.id });
  const stored = record(ctx.state, view, "views.push", {
    id: trigger.id,
    ...(top.user !== undefined ? { user: top.user } : {}),
  });
  ctx.state.emit({ type: "view_pushed", view: stored });
  return { ok: true, view };
}

function update(ctx: MethodContext): ApiAnswer {
  const viewId = stringArg(ctx.args, "view_id");
  const externalId = stringArg(ctx.args, "external_id");
  if (viewId === undefined && externalId === undefined) {
    return invalidArguments("either view_id or external_id is required");
  }
  const stored =
    viewId !== undefined
      ? ctx.state.views.get(viewId)
      : [...ctx.state.views.values()].find((v) => v.externalId === externalId);
  if (!stored) return fail("not_found");
  const input = readView(ctx.args);
  if (!input.ok) return input.answer;
  const hash = stringArg(ctx.args, "hash");
  if (hash !== undefined && hash !== stored.hash) return fail("hash_conflict");
  const view = buildView(
    ctx.state,
    input.value,
    {
      id: stored.id,
      rootViewId: stored.rootViewId,
      ...(stored.previousViewId !== undefined ? { previousViewId: stored.previousViewId } : {}),
    },
    stored.view,
  );
  stored.view = view;
  stored.hash = view.hash as string;
  describe(stored, view);
  stored.history.push({ at: ctx.state.nowIso(), via: "views.update", view: structuredClone(view) });
  ctx.state.emit({ type: "view_updated", view: stored });
  return { ok: true, view };
}

/**
 * `views.publish`: sets a user's Home tab. The view ID stays the same for the user across publishes; a `hash`
 * that is not the current one is a `hash_conflict`, as on Slack.
 */
function publish(ctx: MethodContext): ApiAnswer {
  const userId = stringArg(ctx.args, "user_id");
  if (userId === undefined) return invalidArguments("missing required field: user_id");
  const user = ctx.state.findUser(userId);
  if (!user || user.deleted || user.isBot) return invalidArguments("invalid `user_id`");
  const input = readView(ctx.args, "home");
  if (!input.ok) return input.answer;
  const previous = ctx.state.homeViews.get(userId);
  const hash = stringArg(ctx.args, "hash");
  if (hash !== undefined && previous !== undefined && hash !== previous.hash) return fail("hash_conflict");
  const id = previous?.id ?? ctx.state.randomId("V");
  const built = buildView(ctx.state, input.value, { id, rootViewId: id });
  // A Home tab has no title, submit or close, and no stack.
  const view: Record<string, unknown> = { ...built, type: "home", close: null, submit: null };
  delete view.title;
  const stored: FakeSlackHomeView = previous ?? {
    id,
    user: userId,
    view,
    hash: view.hash as string,
    history: [],
  };
  stored.view = view;
  stored.hash = view.hash as string;
  stored.history.push({ at: ctx.state.nowIso(), view: structuredClone(view) });
  ctx.state.homeViews.set(userId, stored);
  ctx.state.emit({ type: "home_published", home: stored });
  return { ok: true, view };
}

export const VIEW_METHODS: Record<string, WebApiMethod> = {
  "views.open": { token: "bot", handle: open },
  "views.push": { token: "bot", handle: push },
  "views.update": { token: "bot", handle: update },
  "views.publish": { token: "bot", handle: publish },
};
