import { randomBytes, randomInt } from "node:crypto";
import { buildSlackWorld, FAKE_SLACK_DEFAULTS, type FakeSlackWorld, SLACK_IDS } from "./build-slack-world.js";

/**
 * Payloads exactly as Slack sends them to an app (HTTP body or Socket Mode envelope payload),
 * filled from the fake world so names and IDs agree with what the fake's Web API answers.
 */

/**
 * Used when no response_url is given: a loopback address nobody listens on, so a bot that calls
 * `respond()` fails fast instead of reaching the internet. Mint real ones with `fake.mintResponseUrl`.
 */
export const UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset";

interface Common {
  /** World to take names from; defaults to the default world. */
  world?: FakeSlackWorld;
  /** Epoch milliseconds, for `action_ts`/`event_time`; defaults to now. */
  now?: number;
}

/** A trigger_id in Slack's format (`<digits>.<digits>.<hex>`). */
export function randomTriggerId(): string {
  return `${randomInt(1e9, 1e10)}.${randomInt(1e9, 1e10)}.${randomBytes(16).toString("hex")}`;
}

function slackTs(now: number): string {
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + randomInt(0, 1000)).padStart(6, "0")}`;
}

function userName(world: FakeSlackWorld, id: string): string {
  return world.users.find((u) => u.id === id)?.name ?? id.toLowerCase();
}

function channelName(world: FakeSlackWorld, id: string): string {
  const channel = world.channels.find((c) => c.id === id);
  if (!channel) return id.toLowerCase();
  return channel.isIm ? "directmessage" : channel.name;
}

export interface SlashCommandInput extends Common {
  command?: string;
  text?: string;
  user?: string;
  channel?: string;
  responseUrl?: string;
  triggerId?: string;
}

/** Form fields of a slash command (all strings, as Slack posts them). Defaults: `/ecs` by Alice in #ops. */
export function buildSlashCommandPayload(input: SlashCommandInput = {}): Record<string, string> {
  const world = input.world ?? buildSlackWorld();
  const user = input.user ?? SLACK_IDS.alice;
  const channel = input.channel ?? SLACK_IDS.ops;
  return {
    token: FAKE_SLACK_DEFAULTS.verificationToken,
    team_id: world.team.id,
    team_domain: world.team.domain,
    channel_id: channel,
    channel_name: channelName(world, channel),
    user_id: user,
    user_name: userName(world, user),
    command: input.command ?? "/ecs",
    text: input.text ?? "",
    api_app_id: world.bot.appId,
    is_enterprise_install: "false",
    response_url: input.responseUrl ?? UNSET_RESPONSE_URL,
    trigger_id: input.triggerId ?? randomTriggerId(),
  };
}

/** The message an action was clicked on: a `FakeSlackMessage` fits. */
export interface MessageLike {
  ts: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  botId?: string;
  threadTs?: string;
}

export interface ActionInput {
  actionId: string;
  /** Found in the message's blocks when omitted. */
  blockId?: string;
  /** Taken from the element in the message when omitted. */
  value?: string;
  /** Element type; taken from the message, else `button`. */
  type?: string;
  /** Extra fields merged into the action (e.g. `selected_option`). */
  extra?: Record<string, unknown>;
}

export interface BlockActionInput extends Common {
  user?: string;
  channel?: string;
  /** The message holding the element; its blocks supply block_id, text, value, style. */
  message?: MessageLike;
  /** Clicked in an ephemeral message: Slack then sends no `message`. */
  isEphemeral?: boolean;
  /** For an action inside a modal: the view (`FakeSlackView.view`). */
  view?: Record<string, unknown>;
  actions: ActionInput[];
  responseUrl?: string;
  triggerId?: string;
  /** `state.values` of the message/view inputs. */
  stateValues?: Record<string, Record<string, unknown>>;
}

/** Finds the interactive element with `actionId` in a list of blocks, with its block's ID. */
function findElement(
  blocks: unknown[] | undefined,
  actionId: string,
): { blockId?: string; element: Record<string, unknown> } | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== "object" || block === null) continue;
    const b = block as Record<string, unknown>;
    const candidates = [
      ...(Array.isArray(b.elements) ? b.elements : []),
      ...(b.accessory !== undefined ? [b.accessory] : []),
      ...(b.element !== undefined ? [b.element] : []),
    ];
    for (const e of candidates) {
      if (typeof e === "object" && e !== null && (e as Record<string, unknown>).action_id === actionId) {
        const blockId = typeof b.block_id === "string" ? b.block_id : undefined;
        return blockId === undefined
          ? { element: e as Record<string, unknown> }
          : { blockId, element: e as Record<string, unknown> };
      }
    }
  }
  return undefined;
}

function userObject(world: FakeSlackWorld, id: string): Record<string, unknown> {
  const name = userName(world, id);
  return { id, username: name, name, team_id: world.team.id };
}

/** A `block_actions` payload, as posted form-encoded in `payload=` (or delivered over Socket Mode). */
export function buildBlockActionPayload(input: BlockActionInput): Record<string, unknown> {
  const world = input.world ?? buildSlackWorld();
  const now = input.now ?? Date.now();
  const user = input.user ?? SLACK_IDS.bob;
  const channel = input.channel ?? SLACK_IDS.ops;
  const blocks = input.view ? (input.view.blocks as unknown[] | undefined) : input.message?.blocks;
  const actions = input.actions.map((a) => {
    const found = findElement(blocks, a.actionId);
    const element = found?.element ?? {};
    const action: Record<string, unknown> = {
      action_id: a.actionId,
      block_id: a.blockId ?? found?.blockId ?? randomBytes(3).toString("hex"),
      type: a.type ?? element.type ?? "button",
      action_ts: slackTs(now),
    };
    if (element.text !== undefined) action.text = element.text;
    const value = a.value ?? element.value;
    if (value !== undefined) action.value = value;
    if (element.style !== undefined) action.style = element.style;
    return { ...action, ...a.extra };
  });
  const payload: Record<string, unknown> = {
    type: "block_actions",
    user: userObject(world, user),
    api_app_id: world.bot.appId,
    token: FAKE_SLACK_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? randomTriggerId(),
    team: { id: world.team.id, domain: world.team.domain },
    enterprise: null,
    is_enterprise_install: false,
    state: { values: input.stateValues ?? {} },
    actions,
  };
  if (input.view) {
    payload.container = { type: "view", view_id: input.view.id };
    payload.view = { ...input.view, state: { values: input.stateValues ?? {} } };
    return payload;
  }
  payload.channel = { id: channel, name: channelName(world, channel) };
  payload.response_url = input.responseUrl ?? UNSET_RESPONSE_URL;
  const message = input.message;
  if (message) {
    payload.container = {
      type: "message",
      message_ts: message.ts,
      channel_id: channel,
      is_ephemeral: input.isEphemeral === true,
      ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    };
    if (!input.isEphemeral) {
      const author = message.user ?? world.bot.userId;
      payload.message = {
        type: "message",
        ...(message.botId !== undefined || author === world.bot.userId
          ? { subtype: "bot_message", bot_id: message.botId ?? world.bot.botId, app_id: world.bot.appId }
          : {}),
        user: author,
        ts: message.ts,
        ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
        text: message.text ?? "",
        ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
        team: world.team.id,
      };
    }
  }
  return payload;
}

export interface ViewSubmissionInput extends Common {
  user?: string;
  /** The view as the fake stored it (`FakeSlackView.view`) or as the bot built it. */
  view: Record<string, unknown>;
  /** `state.values`: `{ [block_id]: { [action_id]: { type, value | selected_option | … } } }`. */
  values?: Record<string, Record<string, unknown>>;
  triggerId?: string;
  responseUrls?: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
}

/** A `view_submission` payload. */
export function buildViewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  const world = input.world ?? buildSlackWorld();
  const user = input.user ?? SLACK_IDS.alice;
  const id =
    typeof input.view.id === "string" ? input.view.id : `V${randomBytes(5).toString("hex").toUpperCase()}`;
  return {
    type: "view_submission",
    team: { id: world.team.id, domain: world.team.domain },
    user: userObject(world, user),
    api_app_id: world.bot.appId,
    token: FAKE_SLACK_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? randomTriggerId(),
    view: {
      id,
      team_id: world.team.id,
      type: "modal",
      blocks: [],
      private_metadata: "",
      callback_id: "",
      hash: `${Math.floor((input.now ?? Date.now()) / 1000)}.${randomBytes(4).toString("hex")}`,
      title: { type: "plain_text", text: "Modal" },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: world.bot.appId,
      external_id: "",
      app_installed_team_id: world.team.id,
      bot_id: world.bot.botId,
      ...input.view,
      state: { values: input.values ?? {} },
    },
    response_urls: input.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** `state.values` entry of a plain text input. */
export function textInputValue(value: string): Record<string, unknown> {
  return { type: "plain_text_input", value };
}

/** `state.values` entry of a static select. */
export function staticSelectValue(value: string, text = value): Record<string, unknown> {
  return {
    type: "static_select",
    selected_option: { text: { type: "plain_text", text, emoji: true }, value },
  };
}

export interface EventCallbackInput extends Common {
  eventId?: string;
}

/** An Events API `event_callback` wrapping `event` (e.g. `{ type: "app_mention", … }`). */
export function buildEventCallbackPayload(
  event: Record<string, unknown>,
  input: EventCallbackInput = {},
): Record<string, unknown> {
  const world = input.world ?? buildSlackWorld();
  const now = input.now ?? Date.now();
  return {
    token: FAKE_SLACK_DEFAULTS.verificationToken,
    team_id: world.team.id,
    context_team_id: world.team.id,
    api_app_id: world.bot.appId,
    event: { event_ts: slackTs(now), ...event },
    type: "event_callback",
    event_id: input.eventId ?? `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: world.team.id,
        user_id: world.bot.userId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}

export interface AppHomeOpenedInput extends EventCallbackInput {
  user?: string;
  /** `home` (default) or `messages`: Slack sends the event for either tab. */
  tab?: "home" | "messages";
  /** The Home view the user had, as Slack includes it once one was published. */
  view?: Record<string, unknown>;
}

/** The `app_home_opened` event Slack sends when a user opens the app (its Home or Messages tab). */
export function buildAppHomeOpenedPayload(input: AppHomeOpenedInput = {}): Record<string, unknown> {
  const world = input.world ?? buildSlackWorld();
  const user = input.user ?? SLACK_IDS.alice;
  const dm = world.channels.find((c) => c.isIm && c.user === user);
  return buildEventCallbackPayload(
    {
      type: "app_home_opened",
      user,
      channel: dm?.id ?? `D_${user}`,
      tab: input.tab ?? "home",
      ...(input.view !== undefined && { view: input.view }),
    },
    input,
  );
}

export interface SubteamMembersChangedInput extends EventCallbackInput {
  subteamId: string;
  added: readonly string[];
  removed: readonly string[];
}

/** The `subteam_members_changed` event Slack sends when a user group's members change. */
export function buildSubteamMembersChangedPayload(
  input: SubteamMembersChangedInput,
): Record<string, unknown> {
  const world = input.world ?? buildSlackWorld();
  const seconds = Math.floor((input.now ?? Date.now()) / 1000);
  return buildEventCallbackPayload(
    {
      type: "subteam_members_changed",
      subteam_id: input.subteamId,
      team_id: world.team.id,
      date_previous_update: seconds - 1,
      date_update: seconds,
      added_users: [...input.added],
      added_users_count: String(input.added.length),
      removed_users: [...input.removed],
      removed_users_count: String(input.removed.length),
    },
    input,
  );
}
