/**
 * Action IDs of the buttons on notifications. The Slack edge routes them through the normal command
 * path (policy, approval, audit), exactly as if the user had typed the equivalent command:
 *
 * | action ID                 | value          | equivalent command          |
 * |---------------------------|----------------|-----------------------------|
 * | `notify.server.details`   | ECS server ID  | `/ecs show <id>`            |
 * | `notify.server.start`     | ECS server ID  | `/ecs start <id>` (mutation: policy + approval) |
 * | `notify.host.details`     | HSS host ID    | `/hss hosts` for that host  |
 * | `notify.host.ports`       | HSS host ID    | `/hss ports <id>`           |
 * | `notify.scan_task.hosts`  | scan task ID   | `/hss scan <task id> status=failed` |
 *
 * Slack requires action IDs to be unique within a message, so when a message carries the same
 * button for several items the second and later ones get a suffix: `notify.server.start.1`,
 * `notify.server.start.2`… Match with {@link NOTIFY_ACTION_ID_PATTERN} or {@link parseNotifyActionId}.
 * Values are bare IDs; handlers must re-read the resource (a notification can be hours old).
 */
export const NOTIFY_ACTIONS = {
  serverDetails: "notify.server.details",
  serverStart: "notify.server.start",
  hostDetails: "notify.host.details",
  hostPorts: "notify.host.ports",
  scanTaskHosts: "notify.scan_task.hosts",
} as const;

export type NotifyAction = keyof typeof NOTIFY_ACTIONS;

/** The prefix every notification action ID continues (`registerAction(NOTIFY_ACTION_PREFIX, …)`). */
export const NOTIFY_ACTION_PREFIX = "notify";

/** Matches every notification action ID (for Bolt's `app.action(regex, …)`). */
export const NOTIFY_ACTION_ID_PATTERN =
  /^notify\.(?:server\.details|server\.start|host\.details|host\.ports|scan_task\.hosts)(?:\.\d{1,4})?$/;

/** The action ID of the `index`-th button of this kind in one message (0 → the bare ID). */
export function notifyActionId(action: NotifyAction, index: number): string {
  const base = NOTIFY_ACTIONS[action];
  return index === 0 ? base : `${base}.${index}`;
}

/** Which button an action ID belongs to, or undefined when it is not a notification button. */
export function parseNotifyActionId(actionId: string): NotifyAction | undefined {
  if (!NOTIFY_ACTION_ID_PATTERN.test(actionId)) return undefined;
  const base = actionId.replace(/\.\d{1,4}$/, "");
  const entry = Object.entries(NOTIFY_ACTIONS).find(([, id]) => id === base);
  return entry?.[0] as NotifyAction | undefined;
}
