import type { IntentType } from "../intents/index.js";

/** How a command is written, for notices: `ecs.stop` → `/ecs stop`, `ops.watch.list` → `/ops watch list`. */
export function commandLabel(type: IntentType): string {
  if (type === "help") return "help";
  const [command, ...verb] = type.split(".");
  return `/${command} ${verb.join(" ")}`;
}
