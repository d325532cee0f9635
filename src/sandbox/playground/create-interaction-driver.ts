import type { ActionInput, FakeSlack, FakeSlackView } from "../slack/index.js";
import { staticSelectValue, textInputValue } from "../slack/index.js";
import type { BotGateway, BotReply } from "./create-bot-gateway.js";
import { findBlockElement, findSelectOption } from "./find-block-element.js";
import { parseComposerText } from "./parse-composer-text.js";
import type { ActionBody, CommandBody, ViewSubmissionBody } from "./playground-schemas.js";

/** Why the playground could not do what the page asked (never a bot decision: those are messages). */
export interface DriverFailure {
  ok: false;
  /** HTTP status for the page. */
  status: 400 | 403 | 404 | 409 | 502;
  error: string;
  /** Shown to the person at the page, like Slack's own client-side notices. */
  message: string;
}

export type CommandOutcome = { ok: true; kind: "command" | "message" } | DriverFailure;
export type ActionOutcome = { ok: true } | DriverFailure;
export type ViewSubmissionOutcome =
  | { ok: true; outcome: "closed" }
  | { ok: true; outcome: "errors"; errors: Record<string, string> }
  | { ok: true; outcome: "update"; view: Record<string, unknown> }
  | DriverFailure;

/** An open modal as the page gets it. */
export interface OpenView {
  id: string;
  user?: string;
  view: Record<string, unknown>;
}

/** Events of the driver itself (the fake's change stream carries everything else). */
export type DriverEvent = { type: "view_closed"; viewId: string; user?: string };

/**
 * Turns what a person does at the page into what Slack would send the bot: payloads built by the fake
 * (minted response_url / trigger_id), signed and POSTed to the bot's receiver by the gateway. Slash
 * command acks that carry a message are shown through the fake like Slack shows them; a modal closes
 * when the bot's answer to its submission says so.
 */
export interface InteractionDriver {
  runCommand(body: CommandBody): Promise<CommandOutcome>;
  clickAction(body: ActionBody): Promise<ActionOutcome>;
  submitView(body: ViewSubmissionBody): Promise<ViewSubmissionOutcome>;
  closeView(user: string, viewId: string): ActionOutcome;
  /** The user opens the app's Home tab: Slack sends the bot `app_home_opened`, the bot publishes the tab. */
  openHome(user: string): Promise<ActionOutcome>;
  /** Modals opened by the bot and not yet submitted or closed, oldest first. */
  openViews(): OpenView[];
  subscribe(listener: (event: DriverEvent) => void): () => void;
}

const fail = (status: DriverFailure["status"], error: string, message: string): DriverFailure => ({
  ok: false,
  status,
  error,
  message,
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function createInteractionDriver(slack: FakeSlack, gateway: BotGateway): InteractionDriver {
  const closed = new Set<string>();
  const listeners = new Set<(event: DriverEvent) => void>();
  const emit = (event: DriverEvent) => {
    for (const listener of [...listeners]) listener(event);
  };

  function checkMember(user: string, channel: string): DriverFailure | undefined {
    const world = slack.world();
    if (!world.users.some((u) => u.id === user && !u.isBot)) {
      return fail(404, "user_not_found", `No such user ${user}.`);
    }
    const found = world.channels.find((c) => c.id === channel);
    if (!found) return fail(404, "channel_not_found", `No such channel ${channel}.`);
    if (!found.members.includes(user)) {
      return fail(403, "not_in_channel", "You are not a member of this channel.");
    }
    return undefined;
  }

  function dispatchFailure(what: string, reply: BotReply): DriverFailure {
    return fail(
      502,
      "dispatch_failed",
      `${what} failed with the error "dispatch_failed" (the bot answered HTTP ${reply.status}).`,
    );
  }

  async function send(
    what: string,
    run: () => Promise<BotReply>,
  ): Promise<{ ok: true; reply: BotReply } | DriverFailure> {
    try {
      const reply = await run();
      return reply.status === 200 ? { ok: true, reply } : dispatchFailure(what, reply);
    } catch {
      return fail(
        502,
        "dispatch_failed",
        `${what} failed with the error "dispatch_failed" (the bot is not reachable).`,
      );
    }
  }

  function liveView(viewId: string, user: string): { ok: true; view: FakeSlackView } | DriverFailure {
    const view = slack.view(viewId);
    if (!view || closed.has(viewId)) return fail(404, "view_not_found", "This dialog is no longer open.");
    if (view.user !== undefined && view.user !== user) {
      return fail(403, "not_your_view", "This dialog was opened for someone else.");
    }
    return { ok: true, view };
  }

  return {
    async runCommand(body) {
      const membership = checkMember(body.user, body.channel);
      if (membership) return membership;
      const input = parseComposerText(body.text);
      if (input.kind === "unknown_command") {
        return fail(
          400,
          "unknown_command",
          `${input.command} is not a valid command. Try /ecs, /hss or /ops (every message starting with “/” is a command).`,
        );
      }
      if (input.kind === "message") {
        slack.postUserMessage(
          body.channel,
          body.user,
          input.text,
          body.threadTs !== undefined ? { threadTs: body.threadTs } : {},
        );
        return { ok: true, kind: "message" };
      }
      const fields = slack.buildSlashCommand({
        command: input.command,
        text: input.text,
        user: body.user,
        channel: body.channel,
      });
      const sent = await send(input.command, () => gateway.sendSlashCommand(fields));
      if (!sent.ok) return sent;
      // Over HTTP a slash command's ack body is a message Slack shows (ephemeral unless in_channel).
      const ack = sent.reply.json;
      const url = fields.response_url;
      if (ack && (ack.text !== undefined || ack.blocks !== undefined) && url !== undefined) {
        slack.applyAckResponse(url, ack);
      }
      return { ok: true, kind: "command" };
    },

    async clickAction(body) {
      let payload: Record<string, unknown>;
      const action = (blocks: unknown): { ok: true; action: ActionInput } | DriverFailure => {
        const found = findBlockElement(blocks, body.actionId);
        if (!found) return fail(404, "element_not_found", "That button or menu is no longer there.");
        if (found.element.type === "static_select") {
          if (!body.selectedOption) return fail(400, "no_option", "Choose an option.");
          const option = findSelectOption(found.element, body.selectedOption.value);
          if (!option) return fail(400, "unknown_option", "That option is not in the menu.");
          return {
            ok: true,
            action: {
              actionId: body.actionId,
              type: "static_select",
              extra: { selected_option: option },
            },
          };
        }
        // The value comes from the stored message, as Slack sends it; the page cannot forge one.
        return { ok: true, action: { actionId: body.actionId } };
      };

      const home = slack.homeView(body.user);
      if (body.viewId !== undefined && home !== undefined && home.id === body.viewId) {
        // A button on the user's own Home tab, as it is now.
        const built = action(home.view.blocks);
        if (!built.ok) return built;
        payload = slack.buildBlockAction({ user: body.user, view: home.view, actions: [built.action] });
      } else if (body.viewId !== undefined) {
        const live = liveView(body.viewId, body.user);
        if (!live.ok) return live;
        const built = action(live.view.view.blocks);
        if (!built.ok) return built;
        payload = slack.buildBlockAction({
          user: body.user,
          view: live.view.view,
          actions: [built.action],
        });
      } else {
        const channel = body.channel!;
        const ts = body.messageTs!;
        const membership = checkMember(body.user, channel);
        if (membership) return membership;
        const message = slack.message(channel, ts);
        if (message && !message.deleted) {
          const built = action(message.blocks);
          if (!built.ok) return built;
          payload = slack.buildBlockAction({
            user: body.user,
            channel,
            message,
            actions: [built.action],
          });
        } else {
          const ephemeral = slack
            .ephemerals({ channel, user: body.user })
            .find((e) => e.ts === ts && !e.deleted);
          if (!ephemeral) return fail(404, "message_not_found", "That message is gone.");
          const built = action(ephemeral.blocks);
          if (!built.ok) return built;
          payload = slack.buildBlockAction({
            user: body.user,
            channel,
            isEphemeral: true,
            message: {
              ts: ephemeral.ts,
              ...(ephemeral.text !== undefined ? { text: ephemeral.text } : {}),
              ...(ephemeral.blocks !== undefined ? { blocks: ephemeral.blocks } : {}),
              ...(ephemeral.threadTs !== undefined ? { threadTs: ephemeral.threadTs } : {}),
            },
            actions: [built.action],
          });
        }
      }
      const sent = await send("The action", () => gateway.sendInteraction(payload));
      return sent.ok ? { ok: true } : sent;
    },

    async submitView(body) {
      const live = liveView(body.viewId, body.user);
      if (!live.ok) return live;
      const { view } = live;
      const values: Record<string, Record<string, unknown>> = {};
      for (const [blockId, inputs] of Object.entries(body.values)) {
        for (const [actionId, value] of Object.entries(inputs)) {
          const found = findBlockElement(view.view.blocks, actionId);
          if (!found || found.blockId !== blockId) continue;
          let entry: Record<string, unknown>;
          if (typeof value === "string") {
            if (found.element.type === "static_select") continue;
            entry = textInputValue(value);
            if (typeof found.element.type === "string") entry.type = found.element.type;
          } else {
            const option = findSelectOption(found.element, value.selectedOption.value);
            if (!option) return fail(400, "unknown_option", "That option is not in the menu.");
            const text =
              isRecord(option.text) && typeof option.text.text === "string" ? option.text.text : "";
            entry = staticSelectValue(value.selectedOption.value, text);
          }
          values[blockId] = { ...values[blockId], [actionId]: entry };
        }
      }
      const payload = slack.buildViewSubmission({ user: body.user, view: view.view, values });
      const sent = await send("Submitting the form", () => gateway.sendInteraction(payload));
      if (!sent.ok) return sent;
      const answer = sent.reply.json ?? {};
      if (answer.response_action === "errors" && isRecord(answer.errors)) {
        const errors = Object.fromEntries(
          Object.entries(answer.errors).filter((e): e is [string, string] => typeof e[1] === "string"),
        );
        return { ok: true, outcome: "errors", errors };
      }
      if (
        (answer.response_action === "update" || answer.response_action === "push") &&
        isRecord(answer.view)
      ) {
        return { ok: true, outcome: "update", view: answer.view };
      }
      closed.add(body.viewId);
      emit({
        type: "view_closed",
        viewId: body.viewId,
        ...(view.user !== undefined ? { user: view.user } : {}),
      });
      return { ok: true, outcome: "closed" };
    },

    closeView(user, viewId) {
      const live = liveView(viewId, user);
      if (!live.ok) return live;
      const { view } = live;
      closed.add(viewId);
      emit({ type: "view_closed", viewId, ...(view.user !== undefined ? { user: view.user } : {}) });
      return { ok: true };
    },

    async openHome(user) {
      if (!slack.world().users.some((u) => u.id === user && !u.isBot && !u.deleted)) {
        return fail(404, "user_not_found", `No such user ${user}.`);
      }
      const sent = await send("Opening the app", () => gateway.sendEvent(slack.buildAppHomeOpened(user)));
      return sent.ok ? { ok: true } : sent;
    },

    openViews() {
      return slack
        .views()
        .filter((v) => !closed.has(v.id))
        .map((v) => ({ id: v.id, ...(v.user !== undefined ? { user: v.user } : {}), view: v.view }));
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
