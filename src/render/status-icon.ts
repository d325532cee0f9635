/** Every icon a status can map to. A closed set, so an unexpected status cannot pick an arbitrary emoji. */
export type StatusIcon =
  | ":large_green_circle:"
  | ":red_circle:"
  | ":x:"
  | ":arrows_counterclockwise:"
  | ":wastebasket:"
  | ":grey_question:";

/** Unknown or missing statuses show this. */
export const UNKNOWN_STATUS_ICON: StatusIcon = ":grey_question:";

/** ECS server states (`status` of `ServerDetail`) plus generic job/task outcomes. */
const STATUS_ICONS: ReadonlyMap<string, StatusIcon> = new Map<string, StatusIcon>([
  ["ACTIVE", ":large_green_circle:"],
  ["RUNNING", ":large_green_circle:"],
  ["SUCCESS", ":large_green_circle:"],
  ["SUCCEEDED", ":large_green_circle:"],
  ["OK", ":large_green_circle:"],
  ["SHUTOFF", ":red_circle:"],
  ["STOPPED", ":red_circle:"],
  ["ERROR", ":x:"],
  ["FAIL", ":x:"],
  ["FAILED", ":x:"],
  ["BUILD", ":arrows_counterclockwise:"],
  ["REBOOT", ":arrows_counterclockwise:"],
  ["HARD_REBOOT", ":arrows_counterclockwise:"],
  ["RESIZE", ":arrows_counterclockwise:"],
  ["VERIFY_RESIZE", ":arrows_counterclockwise:"],
  ["REVERT_RESIZE", ":arrows_counterclockwise:"],
  ["MIGRATING", ":arrows_counterclockwise:"],
  ["PENDING", ":arrows_counterclockwise:"],
  ["STARTING", ":arrows_counterclockwise:"],
  ["STOPPING", ":arrows_counterclockwise:"],
  ["DELETING", ":arrows_counterclockwise:"],
  ["DELETED", ":wastebasket:"],
]);

/** Icon for a status, case-insensitive; anything unknown gets {@link UNKNOWN_STATUS_ICON}. */
export function statusIcon(status: string | undefined): StatusIcon {
  if (status === undefined) return UNKNOWN_STATUS_ICON;
  return STATUS_ICONS.get(status.trim().toUpperCase()) ?? UNKNOWN_STATUS_ICON;
}
