import { formatDuration } from "../config/parse-duration.js";
import { formatCountOrShare, type WaveOptions } from "../waves/plan-waves.js";
import { formatTarget } from "./classify-target.js";
import type { IntentOf, TagRef } from "./intent-schema.js";

/** The commands {@link formatCommandLine} writes: those that change servers. */
export type FormattableIntent = IntentOf<
  | "ecs.start"
  | "ecs.stop"
  | "ecs.reboot"
  | "ecs.resize"
  | "ecs.delete"
  | "ecs.tag.add"
  | "ecs.tag.remove"
  | "ecs.lock"
  | "ecs.unlock"
  | "ecs.reinstall"
  | "ecs.change-os"
  | "ecs.attach"
  | "ecs.detach"
  | "ecs.migrate"
>;

/**
 * A tag text as typed: quoted when it has a space or would read as a word of the grammar (`add`, `remove`,
 * `help`, a flag). Tag keys and values cannot contain quotes.
 */
function quoted(text: string): string {
  const word = /\s/.test(text) || /^[-\u2013\u2014]/.test(text) || /^(add|remove|help)$/i.test(text);
  return word ? `"${text}"` : text;
}

/** The wave flags as typed (`--waves 3 --pause 5m --max-failures 10%`). */
function waveWords(waves: WaveOptions | undefined): string[] {
  if (waves === undefined) return [];
  return [
    ...(waves.waves !== undefined ? ["--waves", String(waves.waves)] : []),
    ...(waves.size !== undefined ? ["--wave-size", formatCountOrShare(waves.size)] : []),
    ...(waves.pauseMs !== undefined ? ["--pause", formatDuration(waves.pauseMs)] : []),
    ...(waves.maxFailures !== undefined ? ["--max-failures", formatCountOrShare(waves.maxFailures)] : []),
  ];
}

function tagRef(ref: TagRef): string {
  return ref.value === undefined ? quoted(ref.key) : `${quoted(ref.key)}=${quoted(ref.value)}`;
}

/**
 * Writes a command that changes servers back as the command line that parses to the same intent
 * (`/ecs stop web-01 "ops box 1" --hard`). The one place a command is re-issued from an intent: a request
 * split by a `max_targets` cap, a mistyped name replaced by the exact one the requester chose.
 */
export function formatCommandLine(intent: FormattableIntent): string {
  const words = ((): string[] => {
    switch (intent.type) {
      case "ecs.start":
        return ["start", ...intent.targets.map(formatTarget), ...waveWords(intent.waves)];
      case "ecs.lock":
      case "ecs.unlock":
        return [intent.type.slice(4), ...intent.targets.map(formatTarget)];
      case "ecs.stop":
      case "ecs.reboot":
        return [
          intent.type.slice(4),
          ...intent.targets.map(formatTarget),
          ...(intent.hard ? ["--hard"] : []),
          ...waveWords(intent.waves),
        ];
      case "ecs.resize":
        return [
          "resize",
          formatTarget(intent.server),
          intent.flavor,
          ...(intent.dryRun ? ["--dry-run"] : []),
          ...waveWords(intent.waves),
        ];
      case "ecs.delete":
        return [
          "delete",
          ...intent.targets.map(formatTarget),
          ...(intent.deleteVolume ? ["--delete-volume"] : []),
          ...(intent.deleteEip ? ["--delete-eip"] : []),
        ];
      case "ecs.tag.add":
        return [
          "tag",
          ...intent.targets.map(formatTarget),
          "add",
          ...intent.tags.map((t) => `${t.key}=${t.value}`),
        ];
      case "ecs.tag.remove":
        return ["tag", ...intent.targets.map(formatTarget), "remove", ...intent.tags.map(tagRef)];
      case "ecs.reinstall":
        return [
          "reinstall",
          formatTarget(intent.server),
          ...(intent.keyPair !== undefined ? ["--keypair", intent.keyPair] : []),
        ];
      case "ecs.change-os":
        return [
          "change-os",
          formatTarget(intent.server),
          intent.imageId,
          ...(intent.keyPair !== undefined ? ["--keypair", intent.keyPair] : []),
        ];
      case "ecs.attach":
        return [
          "attach",
          formatTarget(intent.server),
          intent.volumeId,
          ...(intent.device !== undefined ? [intent.device] : []),
        ];
      case "ecs.detach":
        return ["detach", formatTarget(intent.server), intent.volumeId];
      case "ecs.migrate":
        return [
          "migrate",
          formatTarget(intent.server),
          ...(intent.dedicatedHostId !== undefined ? ["--dedicated-host", intent.dedicatedHostId] : []),
          ...waveWords(intent.waves),
        ];
    }
  })();
  return ["/ecs", ...words].join(" ");
}
