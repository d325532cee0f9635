import type { Server } from "../cloud/types.js";
import type { NeedsInput } from "./check-operation-needs.js";
import type { PreflightProblem, PreflightProblemCode, PreflightTarget } from "./preflight-types.js";

/** Writes a problem onto its preflight target (the checks of an operation's needs report so). */
export function writePreflightProblem(
  t: PreflightTarget,
  severity: PreflightProblem["severity"],
  code: PreflightProblemCode,
  message: string,
): void {
  t.problems.push({ severity, code, serverId: t.id, message });
}

/** The server as read for a target the checks reach (found: the preflight checks nothing else). */
export function checkedServerOf(input: Pick<NeedsInput, "reads">, t: PreflightTarget): Server {
  const read = input.reads.get(t.id);
  if (read?.kind !== "found") throw new Error(`target ${t.id} was not found but is checked`);
  return read.server;
}
