/** Every icon a status can map to. A closed set, so an unexpected status cannot pick an arbitrary emoji. */
export type StatusIcon =
  | ":large_green_circle:"
  | ":red_circle:"
  | ":x:"
  | ":hourglass_flowing_sand:"
  | ":wastebasket:"
  | ":grey_question:";

/** Unknown or missing statuses show this. */
export const UNKNOWN_STATUS_ICON: StatusIcon = ":grey_question:";

/**
 * ECS server states (`status` of `ServerDetail`) plus generic job/task outcomes. A state on its way to another
 * shows the hourglass every running job, wave and request shows, so a channel has one sign for "in progress"
 * (the look-alike 🔄 would read as 🔁, a recurring schedule).
 */
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
  ["BUILD", ":hourglass_flowing_sand:"],
  ["REBOOT", ":hourglass_flowing_sand:"],
  ["HARD_REBOOT", ":hourglass_flowing_sand:"],
  ["RESIZE", ":hourglass_flowing_sand:"],
  ["VERIFY_RESIZE", ":hourglass_flowing_sand:"],
  ["REVERT_RESIZE", ":hourglass_flowing_sand:"],
  ["MIGRATING", ":hourglass_flowing_sand:"],
  ["PENDING", ":hourglass_flowing_sand:"],
  ["STARTING", ":hourglass_flowing_sand:"],
  ["STOPPING", ":hourglass_flowing_sand:"],
  ["DELETING", ":hourglass_flowing_sand:"],
  ["DELETED", ":wastebasket:"],
]);

/** Icon for a status, case-insensitive; anything unknown gets {@link UNKNOWN_STATUS_ICON}. */
export function statusIcon(status: string | undefined): StatusIcon {
  if (status === undefined) return UNKNOWN_STATUS_ICON;
  return STATUS_ICONS.get(status.trim().toUpperCase()) ?? UNKNOWN_STATUS_ICON;
}
