import type { Actor, ChatPort, MessageRef, Responder } from "../app/ports.js";
import type { CloudClient, Server } from "../cloud/types.js";
import type { DescribePolicy, FormattableIntent, IntentOf, Target } from "../intents/index.js";
import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";
import type { ScheduleFlags } from "../schedule/take-schedule-flags.js";
import type { Store } from "../store/store.js";
import type { NameMatching, Resolution } from "../targets/types.js";
import type { AuditTrail } from "./read/read-options.js";

/** A slash command as the chat edge hands it to the middle (platform-neutral). */
export interface CommandRequest {
  /** `/ecs`, `/hss`, `/ops`. */
  command: string;
  /** The text after the command, as Slack sent it (escaped). */
  text: string;
  actor: Actor;
  channelId: string;
  channelName?: string;
  /** For opening a modal (valid for 3 s after the request). */
  triggerId?: string;
}

/** What every handler knows about the request it serves. */
export interface RequestMeta {
  actor: Actor;
  channelId: string;
  channelName?: string;
  triggerId?: string;
  /** The command as Slack sent it (text still Slack-escaped), e.g. `/ecs stop web-01`. */
  commandLine: string;
  /** Log correlation ID of this request. */
  requestId: string;
  /** `--break-glass "<reason>"` was given (commands that change servers only; taken out of `commandLine`). */
  breakGlass?: { reason: string };
  /** `--reason "…"` as typed (taken out of the text before parsing): why the change is asked for. */
  why?: string;
  /** `--at` / `--window` as typed (taken out of the text before parsing): a scheduled change. */
  schedule?: ScheduleFlags;
}

/** Services and helpers every handler gets. */
export interface HandlerContext {
  request: RequestMeta;
  /** Replies to the requester (ephemeral unless asked otherwise). */
  responder: Responder;
  chat: ChatPort;
  cloud: CloudClient;
  store: Store;
  logger: Logger;
  /**
   * Target resolution with the router's rules and lookups (for handlers resolving later, e.g. audit).
   * `names`: `exact` for anything that would change servers, `prefix` for reads.
   */
  resolveTargets(targets: readonly Target[], names: NameMatching): Promise<Resolution<Server>>;
  /**
   * Replies with the right explanation of any failure: a cloud error with its code and request ID, a
   * Slack delivery failure with what to do, anything else as "something went wrong (reference …)" with
   * the details logged. Never throws.
   */
  replyWithError(error: unknown): Promise<void>;
  /**
   * Posts in the request's channel (e.g. an approval request). Where the bot cannot post there
   * (`not_in_channel`, a private channel or DM it is not in, …) the requester is told why and what to do,
   * and the result is undefined: never silence. Other failures throw.
   */
  postToChannel(message: Message, options?: { threadTs?: string }): Promise<MessageRef | undefined>;
}

/** Every command that changes servers (the intents `formatCommandLine` writes back). */
export type MutationIntent = FormattableIntent;
export type OpsIntent = IntentOf<
  | "ops.policy.explain"
  | "ops.jobs"
  | "ops.approvals"
  | "ops.audit"
  | "ops.audit.verify"
  | "ops.audit.break-glass"
  | "ops.watch.list"
  | "ops.calendar"
  | ScheduleIntent["type"]
>;
/** `/ops schedule add|list|pause|resume|delete` (recurring schedules, `src/recurring/`). */
export type ScheduleIntent = IntentOf<
  | "ops.schedule.add"
  | "ops.schedule.list"
  | "ops.schedule.pause"
  | "ops.schedule.resume"
  | "ops.schedule.delete"
>;
export type ReadIntent = IntentOf<
  | "ecs.list"
  | "ecs.show"
  | "ecs.flavors"
  | "ecs.job"
  | "ecs.tags"
  | "ecs.console-log"
  | "ecs.quotas"
  | "ecs.nics"
  | "ecs.sg"
  | "ecs.groups"
  | "ecs.group"
  | "ecs.actions"
  | "hss.hosts"
  | "hss.ports"
  | "hss.scan"
>;

export interface MutationContext extends HandlerContext {
  /**
   * The resolved servers, each once, in the order the command named them: immutable IDs with the
   * state they had at resolution time. Never empty.
   */
  servers: readonly Server[];
  /** `pick`: the command continues after the requester chose between ambiguous servers. */
  origin: "command" | "pick";
}

/**
 * Runs a state-changing command (`/ecs start|stop|reboot|resize|delete|tag|lock|unlock|reinstall|change-os|
 * attach|detach|migrate`, including `resize --dry-run`, which policy also governs) after parsing and target
 * resolution. Policy, approvals and execution are
 * its business. Errors it throws are reported to the requester as internal errors.
 */
export type MutationHandler = (intent: MutationIntent, ctx: MutationContext) => Promise<void>;

/** Runs `/ops policy explain|jobs|approvals|audit|watch list` (`/ops help` is answered by the router). */
export type OpsHandler = (intent: OpsIntent, ctx: HandlerContext) => Promise<void>;

/** The decision of an optional read policy. */
export type ReadDecision = { allowed: true } | { allowed: false; message: Message };

/**
 * What the read policy decides: the read-only commands, help, and the `/ops` commands that answer at once (every
 * one but `schedule add`, a request with approvals, and `schedule pause|resume|delete`, which the schedules
 * decide and audit themselves).
 */
export type PolicyReadIntent = ReadIntent | OpsIntent | IntentOf<"help">;

/**
 * Optional gate for read-only commands, asked after target resolution and again on every page or
 * share click (the policy may have changed). Absent: reads are allowed.
 */
export type ReadPolicy = (
  intent: PolicyReadIntent,
  ctx: {
    request: Pick<RequestMeta, "actor" | "channelId" | "channelName">;
    servers: readonly Server[];
    /** The command's chat port (its groups read once for the whole command); absent: the policy's own. */
    chat?: ChatPort;
  },
) => Promise<ReadDecision>;

/** What the live policy says about each action for this requester, for `help` (optional). */
export type DescribePolicyFor = (
  request: Pick<RequestMeta, "actor" | "channelId" | "channelName">,
) => Promise<DescribePolicy | undefined>;

/**
 * Publishes the app's Home tab for a user who opened it (Slack `app_home_opened`), after the event was acked.
 * Absent: the Home tab is left as it is.
 */
export type HomeHandler = (viewer: Actor, ctx: { chat: ChatPort; logger: Logger }) => Promise<void>;

/**
 * Of the commands a view would offer as buttons (`/ecs show`: start, stop, reboot of the shown server), the
 * ones the live policy does not deny for this requester on these servers. The offer is a courtesy: a click
 * still runs the command through the mutation handler, which decides again.
 */
export type ActionOffer = (
  intents: readonly MutationIntent[],
  ctx: {
    request: Pick<RequestMeta, "actor" | "channelId" | "channelName">;
    servers: readonly Server[];
    chat: ChatPort;
  },
) => Promise<MutationIntent[]>;

/** Extension points of the command router. */
export interface CommandHandlers {
  mutation?: MutationHandler;
  /** Absent: `/ecs show` offers no actions. Only asked when `mutation` is present. */
  offerActions?: ActionOffer;
  ops?: OpsHandler;
  readPolicy?: ReadPolicy;
  describePolicy?: DescribePolicyFor;
  home?: HomeHandler;
  /** The bot's audit entries about a server, for `/ecs actions` (absent: the cloud's record alone). */
  auditTrail?: AuditTrail;
}

/** A click on an interactive element (button, select) of a message or modal. */
export interface ActionRequest {
  actionId: string;
  blockId?: string;
  /** Button value, or the selected option's value of a select. */
  value?: string;
  actor: Actor;
  /** Where it was clicked (absent inside a modal). */
  channelId?: string;
  /** The message holding the element, unless it is ephemeral or in a modal. */
  message?: MessageRef;
  isEphemeral: boolean;
  /** Modal or Home tab the element lives in, if any. */
  viewId?: string;
  /** Clicked on the app's Home tab: there is no channel, message or response_url to answer through. */
  fromHome?: boolean;
  triggerId?: string;
}

/** Services for action and view handlers. */
export interface InteractionContext {
  /** Replies through the interaction's response_url; absent for interactions without one (modals). */
  responder: Responder | undefined;
  chat: ChatPort;
  cloud: CloudClient;
  store: Store;
  logger: Logger;
  /** Like {@link HandlerContext.replyWithError}; logs only when there is no responder. */
  replyWithError(error: unknown): Promise<void>;
}

/** Handles clicks whose action ID starts with the registered prefix. Called after the click was acked. */
export type ActionHandler = (action: ActionRequest, ctx: InteractionContext) => Promise<void>;

/** A submitted modal: the values of its inputs by input ID. */
export interface ViewSubmission {
  callbackId: string;
  viewId: string;
  privateMetadata: string;
  /** Input ID (`ModalSpec.inputs[].id`) → value; absent/empty inputs map to undefined. */
  values: Record<string, string | undefined>;
  actor: Actor;
}

/**
 * Handles submissions of modals whose callback ID starts with the registered prefix. `validate` runs
 * before the ack (keep it fast and pure): errors (input ID → message) keep the modal open with the
 * errors shown. `handle` runs after the ack.
 */
export interface ViewHandler {
  validate?(submission: ViewSubmission): Record<string, string> | undefined;
  handle(submission: ViewSubmission, ctx: InteractionContext): Promise<void>;
}
