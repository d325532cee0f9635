import { formatTarget } from "./classify-target.js";
import type { IntentOf } from "./intent-schema.js";

/** The commands {@link formatCommandLine} writes: those that change servers. */
export type FormattableIntent = IntentOf<
  "ecs.start" | "ecs.stop" | "ecs.reboot" | "ecs.resize" | "ecs.delete"
>;

/**
 * Writes a command that changes servers back as the command line that parses to the same intent
 * (`/ecs stop web-01 "ops box 1" --hard`). The one place a command is re-issued from an intent: a request
 * split by a `max_targets` cap, a mistyped name replaced by the exact one the requester chose.
 */
export function formatCommandLine(intent: FormattableIntent): string {
  const verb = intent.type.slice("ecs.".length);
  switch (intent.type) {
    case "ecs.start":
      return ["/ecs", verb, ...intent.targets.map(formatTarget)].join(" ");
    case "ecs.stop":
    case "ecs.reboot":
      return ["/ecs", verb, ...intent.targets.map(formatTarget), ...(intent.hard ? ["--hard"] : [])].join(
        " ",
      );
    case "ecs.resize":
      return [
        "/ecs",
        verb,
        formatTarget(intent.server),
        intent.flavor,
        ...(intent.dryRun ? ["--dry-run"] : []),
      ].join(" ");
    case "ecs.delete":
      return [
        "/ecs",
        verb,
        ...intent.targets.map(formatTarget),
        ...(intent.deleteVolume ? ["--delete-volume"] : []),
        ...(intent.deleteEip ? ["--delete-eip"] : []),
      ].join(" ");
  }
}
