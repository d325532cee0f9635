/**
 * Why a run refused before it sent anything was not run: a closed set of causes, recorded with the run's result
 * for its card (`notRun`, written by `settleExecution` and the execution gate) and said by the card and the
 * approvers' messages in a few words.
 */

/** The causes of a run refused before it sent anything. */
export const NOT_RUN_CAUSES = [
  /** Another of the bot's changes held its servers (the summary names that request). */
  "servers_busy",
  /** The servers could not be read to check them (the cloud did not answer). */
  "servers_unreadable",
  /** The servers changed since the request was approved. */
  "servers_changed_since_approval",
  /** The servers changed since it was asked (allowed without approval). */
  "servers_changed_since_asked",
] as const;
export type NotRunCode = (typeof NOT_RUN_CAUSES)[number];

/** Why a run refused before it sent anything was not run: a few words for a headline, and what to do next. */
export interface NotRunCause {
  /** `servers changed since approval`: after "Not run —" in the card's headline and fallback. */
  short: string;
  /** `Ask again to get fresh approval.`; absent when the summary itself says it with more (another request). */
  next?: string;
}

const CAUSES: Readonly<Record<NotRunCode, NotRunCause>> = {
  servers_busy: { short: "servers busy with another change" },
  servers_unreadable: { short: "servers could not be read", next: "Ask again once the cloud answers." },
  servers_changed_since_approval: {
    short: "servers changed since approval",
    next: "Ask again to get fresh approval.",
  },
  servers_changed_since_asked: {
    short: "servers changed since it was asked",
    next: "Ask again if it is still needed.",
  },
};

/**
 * The cause of a run refused before anything was sent, from its recorded result: its `notRun` code; for a result
 * recorded before the code was kept, read back from the words its summary was written with then (`describeAbort`,
 * also the older "aborted: …, nothing was changed", and `serversHeldReason`). Undefined otherwise: the card then
 * says "Not run" and the summary as it is.
 */
export function notRunCauseOf(result: { summary: string; notRun?: NotRunCode }): NotRunCause | undefined {
  if (result.notRun !== undefined) return CAUSES[result.notRun];
  const code = legacyCodeOf(result.summary);
  return code === undefined ? undefined : CAUSES[code];
}

function legacyCodeOf(summary: string): NotRunCode | undefined {
  if (/ the bot is still running \(request /.test(summary)) return "servers_busy";
  if (/the servers could not be read/.test(summary)) return "servers_unreadable";
  if (/the servers changed since approval/.test(summary)) return "servers_changed_since_approval";
  if (/the servers changed since it was asked/.test(summary)) return "servers_changed_since_asked";
  return undefined;
}
