import * as z from "zod";

/**
 * The shape check every Slack delivery passes before Bolt or a listener sees it, on both transports (the HTTP
 * front and the Socket Mode guard). Bolt and the listeners dereference these fields without checking them, so
 * a signed but malformed body (`payload=null`, a block action without `action_id`, an event without `event`)
 * used to end in a `TypeError`, an unhandled rejection or a request nobody answered. Only what we handle is
 * accepted: slash commands, block actions (on messages, modals and the Home tab), view submissions, and
 * `event_callback` (`app_home_opened` needs its user and tab) / `url_verification` events;
 * anything else is refused with a reason for the log. Unknown extra fields are kept (Slack adds fields).
 */

/** How a delivery reached us, named as Socket Mode names its envelope types. */
export const SLACK_PAYLOAD_KINDS = ["slash_commands", "interactive", "events_api"] as const;
export type SlackPayloadKind = (typeof SLACK_PAYLOAD_KINDS)[number];

export type PayloadCheck = { ok: true } | { ok: false; reason: string };

const text = z.string();
const id = z.string().min(1);
/** Bolt reads `.id` of these when present and not null, so present-but-not-an-object is refused. */
const ref = z.looseObject({ id: text });

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/\S+$/, "is not a slash command"),
  text: text.optional(),
  user_id: id,
  team_id: id,
  channel_id: id,
  response_url: z.url(),
  trigger_id: text.optional(),
  channel_name: text.optional(),
  enterprise_id: text.optional(),
  is_enterprise_install: text.optional(),
});

const user = z.looseObject({ id, team_id: text.optional() });
/** `team` is null for org-wide installs; Bolt then falls back to `user.team_id`. */
const team = ref.nullable().optional();
const enterprise = ref.nullable().optional();

const action = z.looseObject({
  action_id: id,
  block_id: text.optional(),
  type: id,
  action_ts: text.optional(),
  value: text.optional(),
  selected_option: z.looseObject({ value: text }).nullable().optional(),
});

const blockActions = z.looseObject({
  type: z.literal("block_actions"),
  user,
  team,
  enterprise,
  actions: z.array(action).min(1),
  channel: ref.optional(),
  container: z.looseObject({}).optional(),
  message: z.looseObject({ ts: text, thread_ts: text.optional() }).optional(),
  view: z.looseObject({ id: text.optional() }).optional(),
  response_url: z.url().optional(),
  trigger_id: text.optional(),
  function_data: z.looseObject({}).optional(),
});

const inputState = z.looseObject({
  value: text.nullable().optional(),
  selected_option: z.looseObject({ value: text }).nullable().optional(),
});

const viewSubmission = z.looseObject({
  type: z.literal("view_submission"),
  user,
  team,
  enterprise,
  view: z.looseObject({
    id,
    callback_id: text,
    private_metadata: text.optional(),
    app_installed_team_id: text.nullable().optional(),
    state: z.looseObject({ values: z.record(text, z.record(text, inputState)) }).optional(),
  }),
  trigger_id: text.optional(),
});

const interactive = z.discriminatedUnion("type", [blockActions, viewSubmission]);

const event = z
  .looseObject({
    type: id,
    // Bolt looks for a conversation and a user in these, by type: a null or a number breaks it.
    channel: z.union([text, z.looseObject({})]).optional(),
    channel_id: text.optional(),
    item: z.looseObject({}).optional(),
    user: z.union([text, z.looseObject({})]).optional(),
    subteam: z.looseObject({}).optional(),
    ts: text.optional(),
    thread_ts: text.optional(),
    subtype: text.optional(),
    bot_id: text.nullable().optional(),
    tab: text.optional(),
    view: z.looseObject({}).optional(),
  })
  .superRefine((e, ctx) => {
    // The Home tab is published for its user, so the event must name one.
    if (e.type === "app_home_opened") {
      if (typeof e.user !== "string" || e.user === "")
        ctx.addIssue({ code: "custom", path: ["user"], message: "is missing" });
      if (typeof e.tab !== "string") ctx.addIssue({ code: "custom", path: ["tab"], message: "is missing" });
      return;
    }
    // The two events we answer: both need their channel and timestamp.
    if (e.type !== "app_mention" && e.type !== "message") return;
    if (typeof e.channel !== "string")
      ctx.addIssue({ code: "custom", path: ["channel"], message: "is missing" });
    if (typeof e.ts !== "string") ctx.addIssue({ code: "custom", path: ["ts"], message: "is missing" });
  });

const eventCallback = z.looseObject({
  type: z.literal("event_callback"),
  team_id: id,
  event_id: id,
  event,
  enterprise_id: text.nullable().optional(),
  authorizations: z
    .array(
      z.looseObject({
        team_id: text.nullable().optional(),
        enterprise_id: text.nullable().optional(),
        is_enterprise_install: z.boolean().optional(),
      }),
    )
    .optional(),
});

const urlVerification = z.looseObject({ type: z.literal("url_verification"), challenge: id });

const events = z.discriminatedUnion("type", [eventCallback, urlVerification]);

const SCHEMAS = { slash_commands: slashCommand, interactive, events_api: events } as const;

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Whether `body` is a delivery of `kind` this bot handles; the reason names the first offending field. */
export function checkSlackPayload(kind: SlackPayloadKind, body: unknown): PayloadCheck {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, reason: `${kind} payload is ${describeType(body)}, not an object` };
  const parsed = SCHEMAS[kind].safeParse(body);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0]!;
  const type = (body as { type?: unknown }).type;
  if (issue.code === "invalid_union" && issue.path.length === 1 && issue.path[0] === "type") {
    return {
      ok: false,
      reason:
        typeof type === "string"
          ? `${kind} payload of type \`${type.slice(0, 64)}\` is not handled by this app`
          : `${kind} payload without a type`,
    };
  }
  const where = issue.path.length > 0 ? issue.path.join(".") : "the payload";
  const what =
    issue.code === "invalid_type" && issue.message.endsWith("received undefined")
      ? "is missing"
      : issue.message.replace(/^Invalid input: /, "");
  return { ok: false, reason: `${kind} payload: ${where}: ${what}` };
}
