import { randomBytes } from "node:crypto";
import type { FakeSlackChannel, FakeSlackUser, FakeSlackWorld } from "./build-slack-world.js";
import type {
  FakeSlackCall,
  FakeSlackChange,
  FakeSlackChangeInput,
  FakeSlackEphemeral,
  FakeSlackHomeView,
  FakeSlackMessage,
  FakeSlackMessageVersion,
  FakeSlackResponse,
  FakeSlackView,
  ResponseUrlContext,
} from "./fake-slack-types.js";

export type ChangeListener = (change: FakeSlackChange) => void;

/** Content fields shared by messages and ephemerals. */
export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
}

export interface ResponseUrlEntry {
  id: string;
  context: ResponseUrlContext;
  createdAtMs: number;
  uses: number;
  /** What the previous response through this URL created, so `replace_original` can target it. */
  last?: { kind: "message" | "ephemeral"; channel: string; ts: string };
}

export interface TriggerEntry {
  id: string;
  user?: string;
  createdAtMs: number;
  used: boolean;
}

/**
 * The fake's mutable world: stored messages, ephemerals, views, responses and calls, plus the
 * change stream. Records handed out are deep copies so callers cannot alter the fake's memory.
 */
export class FakeSlackState {
  readonly calls: FakeSlackCall[] = [];
  readonly responses: FakeSlackResponse[] = [];
  readonly views = new Map<string, FakeSlackView>();
  /** Home tabs by user ID. */
  readonly homeViews = new Map<string, FakeSlackHomeView>();
  readonly ephemerals: FakeSlackEphemeral[] = [];
  readonly responseUrls = new Map<string, ResponseUrlEntry>();
  readonly triggers = new Map<string, TriggerEntry>();
  private readonly messagesByChannel = new Map<string, FakeSlackMessage[]>();
  private readonly listeners = new Set<ChangeListener>();
  private seq = 0;
  private lastTsMicros = 0;

  /** The current world; `conversations.join` changes memberships, `reset` restores the seed. */
  world: FakeSlackWorld;

  constructor(
    private readonly seedWorld: FakeSlackWorld,
    readonly now: () => number,
    private readonly onListenerError: (error: unknown) => void,
  ) {
    this.world = structuredClone(seedWorld);
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** A Slack-style `ts` ("1700000000.000100"), strictly increasing even within one millisecond. */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.now()) * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  randomId(prefix: string, bytes = 5): string {
    return `${prefix}${randomBytes(bytes).toString("hex").toUpperCase()}`;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: FakeSlackChangeInput): void {
    const full = structuredClone({ ...change, seq: this.nextSeq(), at: this.nowIso() }) as FakeSlackChange;
    for (const listener of [...this.listeners]) {
      try {
        listener(full);
      } catch (error) {
        // A broken subscriber (e.g. a closed playground stream) must not fail the Slack call being served.
        this.onListenerError(error);
      }
    }
  }

  // --- directory -------------------------------------------------------------

  findUser(id: string): FakeSlackUser | undefined {
    return this.world.users.find((u) => u.id === id);
  }

  /** Resolves a channel argument: an ID, `#name`/name, or a user ID (→ that user's DM with the bot). */
  resolveChannel(ref: string): FakeSlackChannel | undefined {
    const byId = this.world.channels.find((c) => c.id === ref);
    if (byId) return byId;
    if (ref.startsWith("U") || ref.startsWith("W")) {
      return this.world.channels.find((c) => c.isIm && c.user === ref);
    }
    const name = ref.startsWith("#") ? ref.slice(1) : ref;
    return this.world.channels.find((c) => !c.isIm && c.name === name);
  }

  isBotMember(channel: FakeSlackChannel): boolean {
    return channel.members.includes(this.world.bot.userId);
  }

  // --- messages --------------------------------------------------------------

  channelMessages(channel: string): FakeSlackMessage[] {
    let list = this.messagesByChannel.get(channel);
    if (!list) {
      list = [];
      this.messagesByChannel.set(channel, list);
    }
    return list;
  }

  allChannelsWithMessages(): string[] {
    return [...this.messagesByChannel.keys()];
  }

  findMessage(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messagesByChannel.get(channel)?.find((m) => m.ts === ts);
  }

  addMessage(input: {
    channel: string;
    user: string;
    botId?: string;
    threadTs?: string;
    replyBroadcast?: boolean;
    content: MessageContent;
    via: FakeSlackMessageVersion["via"];
  }): FakeSlackMessage {
    const message: FakeSlackMessage = {
      channel: input.channel,
      ts: this.nextTs(),
      user: input.user,
      replyCount: 0,
      deleted: false,
      history: [],
    };
    if (input.botId !== undefined) message.botId = input.botId;
    if (input.threadTs !== undefined) message.threadTs = input.threadTs;
    if (input.replyBroadcast) message.replyBroadcast = true;
    applyContent(message, input.content, this.nowIso(), input.via, "replace");
    this.channelMessages(input.channel).push(message);
    if (input.threadTs !== undefined) {
      const parent = this.findMessage(input.channel, input.threadTs);
      if (parent) {
        parent.replyCount += 1;
        // Slack marks a message as a thread parent by giving it its own ts as thread_ts.
        parent.threadTs = parent.ts;
      }
    }
    this.emit({ type: "message_posted", message });
    return message;
  }

  /**
   * `merge` keeps fields not given (as `chat.update` does); `replace` sets exactly the given content
   * (as a response_url `replace_original` does).
   */
  updateMessage(
    message: FakeSlackMessage,
    content: MessageContent,
    via: FakeSlackMessageVersion["via"],
    mode: "merge" | "replace",
  ): void {
    applyContent(message, content, this.nowIso(), via, mode);
    this.emit({ type: "message_updated", message });
  }

  updateEphemeral(ephemeral: FakeSlackEphemeral, content: MessageContent): void {
    applyContent(ephemeral, content, this.nowIso(), "response_url", "replace");
    this.emit({ type: "ephemeral_updated", ephemeral });
  }

  deleteEphemeral(ephemeral: FakeSlackEphemeral): void {
    ephemeral.deleted = true;
    this.emit({ type: "ephemeral_deleted", ephemeral });
  }

  deleteMessage(message: FakeSlackMessage): void {
    message.deleted = true;
    this.emit({ type: "message_deleted", message });
  }

  addEphemeral(input: {
    channel: string;
    user: string;
    threadTs?: string;
    content: MessageContent;
    via: FakeSlackEphemeral["via"];
  }): FakeSlackEphemeral {
    const ephemeral: FakeSlackEphemeral = {
      ts: this.nextTs(),
      channel: input.channel,
      user: input.user,
      deleted: false,
      via: input.via,
      history: [],
    };
    if (input.threadTs !== undefined) ephemeral.threadTs = input.threadTs;
    applyContent(ephemeral, input.content, this.nowIso(), input.via, "replace");
    this.ephemerals.push(ephemeral);
    this.emit({ type: "ephemeral_posted", ephemeral });
    return ephemeral;
  }

  findEphemeral(channel: string, ts: string): FakeSlackEphemeral | undefined {
    return this.ephemerals.find((e) => e.channel === channel && e.ts === ts);
  }

  /** Forgets every stored record and restores the seeded world. */
  reset(): void {
    this.world = structuredClone(this.seedWorld);
    this.calls.length = 0;
    this.responses.length = 0;
    this.views.clear();
    this.homeViews.clear();
    this.ephemerals.length = 0;
    this.responseUrls.clear();
    this.triggers.clear();
    this.messagesByChannel.clear();
    this.emit({ type: "reset" });
  }
}

function applyContent(
  target: MessageContent & { history: FakeSlackMessageVersion[] },
  content: MessageContent,
  at: string,
  via: FakeSlackMessageVersion["via"],
  mode: "merge" | "replace",
): void {
  for (const key of ["text", "blocks", "attachments", "metadata"] as const) {
    const value = content[key];
    if (value !== undefined) (target as unknown as Record<string, unknown>)[key] = value;
    else if (mode === "replace") delete target[key];
  }
  // chat.update: an empty blocks/attachments array removes them.
  if (Array.isArray(target.blocks) && target.blocks.length === 0) delete target.blocks;
  if (Array.isArray(target.attachments) && target.attachments.length === 0) delete target.attachments;
  const version: FakeSlackMessageVersion = { at, via };
  if (target.text !== undefined) version.text = target.text;
  if (target.blocks !== undefined) version.blocks = target.blocks;
  if (target.attachments !== undefined) version.attachments = target.attachments;
  if (target.metadata !== undefined) version.metadata = target.metadata;
  target.history.push(structuredClone(version));
}
