import type { ServerAction } from "../../cloud/ecs-operation-types.js";

/** A cloud call the bot made on a server, as its audit log recorded it (the intent, saved just before). */
export interface BotCall {
  /** Epoch ms (the bot's clock). */
  at: number;
  /** The flow call, e.g. `ecs.batch_stop`. */
  call: string;
  requestId?: string;
  /** Who asked for it (Slack user ID). */
  requesterId?: string;
  /** A stop or reboot: forced (`HARD`) or graceful (`SOFT`), as the call sent it; the cloud's record says neither. */
  type?: "HARD" | "SOFT";
}

/** One operation of the cloud's record, with the bot's call that caused it, if one did. */
export interface CorrelatedAction {
  action: ServerAction;
  /** Epoch ms of `action.startTime`, when it parses. */
  at?: number;
  via?: BotCall;
}

/** The instance action (6.13.1) each flow call leaves in the cloud's record; tag calls leave none. */
export const ACTION_OF_CALL: Readonly<Record<string, string>> = {
  "ecs.batch_start": "start",
  "ecs.batch_stop": "stop",
  "ecs.batch_reboot": "reboot",
  "ecs.resize": "resize",
  "ecs.delete": "delete",
  "ecs.reinstall": "rebuild",
  "ecs.change_os": "rebuild",
  "ecs.attach_volume": "attach_volume",
  "ecs.detach_volume": "detach_volume",
  "ecs.migrate": "migrate",
  "ecs.lock": "lock",
  "ecs.unlock": "unlock",
};

/** How far apart the bot's intent and the cloud's record of the same call may be (clocks, queues). */
export const MATCH_WINDOW_MS = 5 * 60_000;

/** `2014-12-16T10:58:14.000000` (UTC, no zone, as the API returns it) → epoch ms. */
export function parseActionTime(startTime: string | undefined): number | undefined {
  if (startTime === undefined || startTime === "") return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(startTime) ? startTime : `${startTime}Z`;
  const ms = Date.parse(zoned.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Pairs the cloud's record of a server's operations with the bot's calls: an operation came through the bot
 * when a call of the same kind was about to be sent within {@link MATCH_WINDOW_MS} of it (the nearest, each
 * call used once). The rest of the record did not come through the bot (the console, the API, another tool).
 * Calls the cloud keeps no record of (tags) or that it never recorded (refused) come back as `botOnly`. Pure.
 */
export function correlateServerActions(
  actions: readonly ServerAction[],
  calls: readonly BotCall[],
  windowMs = MATCH_WINDOW_MS,
): { rows: CorrelatedAction[]; botOnly: BotCall[] } {
  const unused = new Set(calls.map((_, i) => i));
  const rows = actions.map((action): CorrelatedAction => {
    const at = parseActionTime(action.startTime);
    const row: CorrelatedAction = { action, ...(at !== undefined && { at }) };
    if (at === undefined) return row;
    let best: number | undefined;
    for (const i of unused) {
      const call = calls[i]!;
      if (ACTION_OF_CALL[call.call] !== action.action) continue;
      const distance = Math.abs(call.at - at);
      if (distance > windowMs) continue;
      if (best === undefined || distance < Math.abs(calls[best]!.at - at)) best = i;
    }
    if (best !== undefined) {
      unused.delete(best);
      row.via = calls[best]!;
    }
    return row;
  });
  return { rows, botOnly: [...unused].map((i) => calls[i]!) };
}
