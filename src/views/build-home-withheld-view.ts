import { code, context, divider, md, type Part, section } from "../render/message-model.js";
import { emoji } from "./format-values.js";

/**
 * The parts of the Home tab, each decided by the read policy as the command that shows the same thing would be
 * for the viewer: `requests` (waiting for their approval, their own, scheduled) as `/ops approvals`, `running`
 * as `/ops jobs`, `help` as `/ops help`.
 */
export type HomePart = "requests" | "running" | "help";

/** Each part's title on the tab and the command the policy decides it as. */
const PARTS: Readonly<Record<HomePart, { title: string; command: string }>> = {
  requests: { title: "Approvals and your requests", command: "/ops approvals" },
  running: { title: "Running now", command: "/ops jobs" },
  help: { title: "How to use hwc-chatops", command: "/ops help" },
};

/**
 * A part of the Home tab the policy does not let the viewer read: its title and one line saying so, never its
 * content, nor how many things it holds.
 */
export function buildHomeWithheldPart(part: HomePart): Part[] {
  const { title, command } = PARTS[part];
  return [
    divider(),
    section({ text: md`*${title}*` }),
    context(
      md`${emoji(":no_entry:")} Not shown: the policy does not let you use ${code(command)}, which shows this. Ask the people who run hwc-chatops if you need it.`,
    ),
  ];
}
