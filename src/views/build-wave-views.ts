import { formatDuration } from "../config/parse-duration.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  button,
  code,
  context,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import type { WavePlan } from "../waves/plan-waves.js";
import { WAVE_ACTIONS } from "../waves/wave-action-ids.js";
import { failuresOf, type WaveRecord, type WaveRunRecord } from "../waves/wave-run-record.js";
import { emoji, withInlineCode } from "./format-values.js";

/** The wave flags cannot be planned on these servers: nothing was requested. */
export function buildWavesRefusalView(commandLine: string, error: string): Message {
  return {
    text: md`Cannot go ahead: ${withInlineCode(error)}`,
    blocks: [
      section({
        text: md`${emoji(":no_entry:")} *Cannot go ahead:* ${code(commandLine)} — ${withInlineCode(error)}.`,
      }),
      context(md`Nothing was requested or done.`),
    ],
  };
}

/**
 * A server whose outcome is unknown counts against `--max-failures` as a failed one does: the waves' counts
 * say "failed or unknown" (never "failed" alone, as the run's summary tells the two apart).
 */
const FAILED_OR_UNKNOWN = "failed or unknown server";

/** `3 waves (2, 2, 1 servers) · 5m pause · stops at 1 failed or unknown server (10%)`: the plan as the card shows it. */
export function describeWavePlan(plan: WavePlan): Span[] {
  const sizes = plan.waves.map((w) => w.length);
  const shown = sizes.length > 8 ? `${sizes.slice(0, 8).join(", ")}, …` : sizes.join(", ");
  const pause = plan.pauseMs > 0 ? md` · ${formatDuration(plan.pauseMs)} pause between waves` : md``;
  const share = plan.maxFailuresText !== String(plan.maxFailures) ? ` (${plan.maxFailuresText})` : "";
  return md`${plural(plan.waves.length, "wave")} (${shown} servers)${pause} · stops at ${plural(plan.maxFailures, FAILED_OR_UNKNOWN)}${share}`;
}

const WAVE_ICON: Record<WaveRecord["status"], `:${string}:`> = {
  pending: ":white_small_square:",
  running: ":hourglass_flowing_sand:",
  gate: ":stethoscope:",
  done: ":white_check_mark:",
  failed: ":x:",
};

/**
 * The wave that stopped the run, and how: its re-check (`stopped_drift`: its record says "failed" with nothing
 * counted, as nothing of it was sent; the views say that, not "0 failed"), or its failures reaching the limit
 * (the other waves' failures did not stop it). The last wave that started; undefined for any other ending.
 */
function stoppingWave(record: WaveRunRecord): { index: number; by: "recheck" | "limit" } | undefined {
  const by =
    record.status === "stopped_drift"
      ? "recheck"
      : record.status === "stopped_failures"
        ? "limit"
        : undefined;
  if (by === undefined) return undefined;
  return { index: record.waves.findLastIndex((w) => w.status !== "pending"), by };
}

function waveLine(
  wave: WaveRecord,
  index: number,
  record: WaveRunRecord,
  names: (id: string) => string,
  stopping: ReturnType<typeof stoppingWave>,
): Span[] {
  const stoppedHere = stopping?.index === index ? stopping.by : undefined;
  const n = plural(wave.serverIds.length, "server");
  const who = wave.serverIds.slice(0, 5).map(names).join(", ") + (wave.serverIds.length > 5 ? ", …" : "");
  // Left out (nothing to do, e.g. a stopped server in a reboot): said as the card and the summary say it.
  const skipped = (sep: string) =>
    (wave.skipped ?? 0) > 0 ? md`${sep}${String(wave.skipped)} skipped` : md``;
  const state = ((): Span[] => {
    switch (wave.status) {
      case "pending":
        return record.status === "running" ? md`pending` : md`not run`;
      case "running":
        return md`running`;
      case "gate":
        return md`health check`;
      case "done":
        return md`done: ${String(wave.succeeded)} ok${skipped(" · ")}`;
      case "failed":
        if (stoppedHere === "recheck") return md`stopped by its re-check: nothing was sent`;
        return md`${String(wave.failed)} failed or unknown${wave.unhealthy.length > 0 ? md` (${String(wave.unhealthy.length)} not healthy in time)` : md``} · ${String(wave.succeeded)} ok${skipped(" · ")}${stoppedHere === "limit" ? md` — the limit was reached here` : md``}`;
    }
  })();
  const icon =
    wave.status === "pending" && record.status !== "running"
      ? ":black_circle:"
      : stoppedHere === "recheck"
        ? ":octagonal_sign:"
        : // Failures under the limit did not stop the waves: a warning, as the run's headline says it.
          wave.status === "failed" && stoppedHere !== "limit"
          ? ":warning:"
          : WAVE_ICON[wave.status];
  return md`${emoji(icon)} *Wave ${String(index + 1)}* (${n}: ${who}) — ${state}`;
}

function headline(record: WaveRunRecord): Span[] {
  const by = record.controlBy !== undefined ? md` by ${userMention(record.controlBy)}` : md``;
  switch (record.status) {
    case "succeeded": {
      // Failures that did not stop the waves are still failures: not a success to show in green.
      const failed = failuresOf(record);
      return failed > 0
        ? md`${emoji(":warning:")} *Waves finished* with ${plural(failed, FAILED_OR_UNKNOWN)}`
        : md`${emoji(":white_check_mark:")} *Waves finished*`;
    }
    case "stopped_failures":
      return md`${emoji(":octagonal_sign:")} *Stopped:* ${plural(failuresOf(record), FAILED_OR_UNKNOWN)} reached the limit of ${String(record.maxFailures)}; the later waves were not run`;
    case "aborted":
      // Without a person, the check before a wave stopped it (the window closed, the policy is stricter now).
      if (record.stop?.kind === "check")
        return md`${emoji(":octagonal_sign:")} *Stopped* before wave ${String(record.stop.beforeWave)}: ${withInlineCode(record.stop.why.replace(/\.$/, ""))}; the later waves were not run`;
      return record.controlBy !== undefined
        ? md`${emoji(":octagonal_sign:")} *Aborted*${by}; the later waves were not run`
        : md`${emoji(":octagonal_sign:")} *Stopped* before the next wave (the thread says why); the later waves were not run`;
    case "stopped_drift":
      // The wave's re-check stopped it: its servers changed, or could not be read to tell (the summary says which).
      return md`${emoji(":octagonal_sign:")} *Stopped:* the re-check of a wave stopped it (its servers changed since ${record.approved === false ? "it was asked" : "approval"}, or could not be read); nothing more was sent`;
    case "running":
      if (record.control === "paused")
        return md`${emoji(":double_vertical_bar:")} *Paused*${by}: the next wave waits for Resume`;
      if (record.control === "aborting")
        return md`${emoji(":hourglass_flowing_sand:")} *Aborting*${by}: the running wave finishes, nothing more starts`;
      return md`${emoji(":hourglass_flowing_sand:")} *Running in waves*`;
  }
}

/**
 * The thread's list of waves, updated in place: a line per wave (done / failed / running / pending, or not
 * run once the run stopped), the totals (a server whose outcome is unknown counted with the failed ones, as
 * the limit counts it, and said so), and while it runs the Pause / Resume / Abort buttons (value: the request
 * ID; who may click is decided at click time), none once it is being aborted. Pure.
 */
export function buildWaveProgressView(
  record: WaveRunRecord,
  names: (serverId: string) => string,
  now: number,
): Message {
  const done = record.waves.reduce((n, w) => n + w.succeeded, 0);
  const skipped = record.waves.reduce((n, w) => n + (w.skipped ?? 0), 0);
  const failed = failuresOf(record);
  const stopping = stoppingWave(record);
  const stoppedAt = stopping?.by === "recheck" ? stopping.index : -1;
  const notRun = record.waves
    .filter(
      (w, i) => w.status === "pending" || w.status === "running" || w.status === "gate" || i === stoppedAt,
    )
    .reduce((n, w) => n + w.serverIds.length, 0);
  const blocks: Part[] = [
    section({ text: headline(record) }),
    section({
      text: record.waves.flatMap((w, i) => [
        ...(i > 0 ? md`\n` : []),
        ...waveLine(w, i, record, names, stopping),
      ]),
    }),
    context(
      md`*Totals:* ${String(done)} ok${skipped > 0 ? ` · ${String(skipped)} skipped` : ""} · ${String(failed)} failed or unknown · ${String(notRun)} ${record.status === "running" ? "to go" : "not run"}`,
      md`Stops at ${plural(record.maxFailures, FAILED_OR_UNKNOWN)}${record.maxFailuresText !== String(record.maxFailures) ? ` (${record.maxFailuresText})` : ""}`,
      ...(record.status === "running" && record.nextWaveAt !== undefined && record.nextWaveAt > now
        ? [md`Next wave after the pause, in ${formatDuration(record.nextWaveAt - now)}`]
        : []),
    ),
  ];
  // Aborting is final (neither Pause nor Resume takes it back, nor is Abort clicked twice): no buttons.
  if (record.status === "running" && record.control !== "aborting") {
    const value = record.requestId;
    blocks.push(
      actions(
        ...(record.control === "paused"
          ? [button({ id: WAVE_ACTIONS.resume, label: "Resume", value, style: "primary" })]
          : [button({ id: WAVE_ACTIONS.pause, label: "Pause", value })]),
        button({
          id: WAVE_ACTIONS.abort,
          label: "Abort",
          value,
          style: "danger",
          confirm: {
            title: "Abort the waves?",
            text: md`The running wave finishes; the later waves are not run.`,
            confirm: "Abort",
            deny: "Keep going",
            style: "danger",
          },
        }),
      ),
    );
  }
  return {
    text: md`Waves: ${String(done)} ok, ${skipped > 0 ? `${String(skipped)} skipped, ` : ""}${String(failed)} failed or unknown, ${String(notRun)} ${record.status === "running" ? "to go" : "not run"}`,
    blocks,
  };
}

/**
 * The answer to a Pause / Resume / Abort click, to the clicker only. `being_aborted` / `aborted`: a click
 * (from a list shown before the Abort) on a run someone is aborting or aborted, `by` who (a user ID) when
 * known. Each answer says the click did nothing, never that nothing changed: earlier waves may have changed servers.
 */
export function buildWaveControlReply(
  outcome:
    | "paused"
    | "resumed"
    | "aborting"
    | "being_aborted"
    | "aborted"
    | "not_allowed"
    | "finished"
    | "unchanged"
    | "unknown"
    | "resume_not_audited",
  by?: string,
): Message {
  switch (outcome) {
    case "paused":
      return {
        text: "Paused",
        blocks: [
          section({
            text: md`${emoji(":double_vertical_bar:")} Paused: the next wave waits until someone clicks Resume.`,
          }),
        ],
      };
    case "resumed":
      return {
        text: "Resumed",
        blocks: [
          section({ text: md`${emoji(":arrow_forward:")} Resumed: the next wave starts after its pause.` }),
        ],
      };
    case "aborting":
      return {
        text: "Aborting",
        blocks: [
          section({
            text: md`${emoji(":octagonal_sign:")} Aborting: the running wave finishes, then nothing more is run.`,
          }),
        ],
      };
    case "being_aborted":
      return {
        text: "Your click did nothing: these waves are being aborted",
        blocks: [
          section({
            text:
              by !== undefined
                ? md`${emoji(":octagonal_sign:")} Your click did nothing: ${userMention(by)} is aborting these waves (the running wave finishes; no more waves start). They can no longer be paused or resumed.`
                : md`${emoji(":octagonal_sign:")} Your click did nothing: these waves are being aborted (the running wave finishes; no more waves start). They can no longer be paused or resumed.`,
          }),
        ],
      };
    case "aborted":
      return {
        text: "Your click did nothing: these waves were already aborted",
        blocks: [
          section({
            text:
              by !== undefined
                ? md`${emoji(":octagonal_sign:")} Your click did nothing: ${userMention(by)} already aborted these waves. Waves that ran before the abort may have changed servers; the thread has what each did.`
                : md`${emoji(":octagonal_sign:")} Your click did nothing: these waves were already aborted. Waves that ran before the abort may have changed servers; the thread has what each did.`,
          }),
        ],
      };
    case "not_allowed":
      return {
        text: "Not allowed",
        blocks: [
          section({
            text: md`${emoji(":raised_hand:")} Only the requester and the request's approvers can pause, resume or abort its waves.`,
          }),
        ],
      };
    case "finished":
      return {
        text: "Your click did nothing: these waves have finished",
        blocks: [
          section({
            text: md`${emoji(":information_source:")} Your click did nothing: these waves have finished. The thread has their results.`,
          }),
        ],
      };
    case "unchanged":
      return {
        text: "Your click did nothing: it is already so",
        blocks: [
          section({ text: md`${emoji(":information_source:")} It is already so; your click did nothing.` }),
        ],
      };
    case "unknown":
      return {
        text: "Unknown",
        blocks: [section({ text: md`${emoji(":grey_question:")} These waves do not exist (any more).` })],
      };
    // A change that goes on changing servers is never unrecorded: paused waves stay paused.
    case "resume_not_audited":
      return {
        text: "Not resumed: the audit log could not record it",
        blocks: [
          section({
            text: md`${emoji(":warning:")} Not resumed: the audit log could not record the Resume, and waves that change servers never go on unrecorded, so the waves stay paused. Try again in a moment; if it keeps failing, the bot's store needs looking at (its logs say why).`,
          }),
        ],
      };
  }
}
