/**
 * Action IDs of the interactive elements the read-only views emit. The command layer registers handlers
 * under these prefixes (an action ID matches a prefix when it equals it or continues with `.`).
 */
export const VIEW_ACTIONS = {
  /** Previous/Next buttons (`q.page.prev`, `q.page.next`); value: `<page>:<query token>`. */
  page: "q.page",
  /** "Share in channel"; value: `<page>:<query token>`. */
  share: "q.share",
  /** The select that settles an ambiguous server reference; option value: `<pending token>:<server ID>`. */
  pick: "pick.server",
  /**
   * A button offering an exact name for a near miss (`pick.name.<i>`); value: `<pending token>:<i>`, the
   * index into the names stored with the pending command.
   */
  suggest: "pick.name",
} as const;

/** Interactive controls of a result the requester may page through or share. */
export interface ResultControls {
  /** Short token naming the stored query (never the query itself). */
  token: string;
}
