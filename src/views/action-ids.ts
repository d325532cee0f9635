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
  /**
   * The power actions `/ecs show` offers its viewer (`q.act.start|stop|reboot`); value: `<pending token>:<verb>`.
   * A click runs the command through the normal mutation path (exact server, policy, approval).
   */
  act: "q.act",
} as const;

/** The actions `/ecs show` may offer, as their command verbs. */
export const SERVER_ACTIONS = ["start", "stop", "reboot"] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

/** The actions that make sense for a server in this state (before the policy has its say). */
export function actionsForStatus(status: string): ServerAction[] {
  if (status === "ACTIVE") return ["stop", "reboot"];
  if (status === "SHUTOFF") return ["start"];
  return [];
}

/** Interactive controls of a result the requester may page through or share. */
export interface ResultControls {
  /** Short token naming the stored query (never the query itself). */
  token: string;
}
