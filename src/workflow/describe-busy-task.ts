/**
 * What a server is busy with, in words (`a reboot`, `a stop`…), from its ECS status and Nova task state: one
 * home for the preflight's lines, its rows and the run's own checks.
 */

/** ECS statuses a task in progress puts a server in (it returns to a stable one when the task ends), in words. */
const TASK_OF_STATUS: Readonly<Record<string, string>> = {
  BUILD: "its creation",
  REBOOT: "a reboot",
  HARD_REBOOT: "a hard reboot",
  REBUILD: "an OS reinstall",
  MIGRATING: "a migration",
  RESIZE: "a resize",
  REVERT_RESIZE: "the revert of a resize",
};

/** `OS-EXT-STS:task_state` values (Nova's task states), in words; the first that matches. */
const TASK_OF_TASK_STATE: readonly (readonly [RegExp, string])[] = [
  [/^reboot.*hard$/, "a hard reboot"],
  [/^reboot/, "a reboot"],
  [/^powering-off/, "a stop"],
  [/^powering-on/, "a start"],
  [/^resiz/, "a resize"],
  [/^rebuild/, "an OS reinstall"],
  [/migrat/, "a migration"],
  [/^(deleting|soft-deleting)/, "a deletion"],
  [/^(scheduling|networking|block_device_mapping|spawning)/, "its creation"],
];

/**
 * What a server is busy with, from its status and task state: `a reboot`, `a stop`…; `a task` when it is busy
 * with one we have no words for; undefined when it is not busy (a stable status and no task state).
 */
export function taskInProgress(status: string, taskState?: string | null): string | undefined {
  const byStatus = TASK_OF_STATUS[status];
  if (byStatus !== undefined) return byStatus;
  if (!taskState) return undefined;
  return TASK_OF_TASK_STATE.find(([pattern]) => pattern.test(taskState))?.[1] ?? "a task";
}

/**
 * What a server is busy with, for a sentence: `a reboot`, `a stop`…; for a task we have no words for, the
 * cloud's task state beside it (`a task (some_new_state)`), the only hint there is. Undefined when not busy.
 */
export function busyWith(current: { status: string; taskState?: string | null }): string | undefined {
  const words = taskInProgress(current.status, current.taskState);
  if (words === "a task" && current.taskState) return `a task (${current.taskState})`;
  return words;
}

/** The status itself says a task is in progress (`REBOOT`, `RESIZE`…), whatever the task state. */
export function busyByStatus(status: string): boolean {
  return TASK_OF_STATUS[status] !== undefined;
}
