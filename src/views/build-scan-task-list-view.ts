import type { ScanTask } from "../cloud/types.js";
import { code, type ListItem, type Message, md, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, formatTime, joinTexts, typeable } from "./format-values.js";

export interface ScanTaskListViewInput {
  /** The page's tasks, newest first. */
  tasks: readonly ScanTask[];
  total: number;
  page: number;
  pageSize?: number;
  controls?: ResultControls;
  sharedBy?: string;
}

const TASK_ICONS: Readonly<Record<string, `:${string}:`>> = {
  running: ":hourglass_flowing_sand:",
  finished: ":white_check_mark:",
};

// Operator words for `scan_type` (the task status, `running` or `finished`, reads well as sent); a value
// HSS adds later is shown as sent (escaped).
const SCAN_TYPE_WORDS: Readonly<Record<string, string>> = {
  manual: "manual scan",
  schedule: "scheduled scan",
};

function taskItem(task: ScanTask): ListItem {
  const subtitle: Text[] = [task.status];
  if (task.scanType) subtitle.push(SCAN_TYPE_WORDS[task.scanType] ?? task.scanType);
  const started = formatTime(task.startTime);
  if (started !== undefined) subtitle.push(md`started ${started}`);
  const fields: { label: Text; value: Text }[] = [];
  const hosts: Text[] = [];
  if (task.failedHostNum) hosts.push(md`${emoji(":x:")} ${task.failedHostNum} failed`);
  if (task.scanningHostNum) hosts.push(md`${task.scanningHostNum} scanning`);
  if (task.successHostNum !== undefined) hosts.push(md`${task.successHostNum} scanned`);
  if (hosts.length > 0) fields.push({ label: md`Hosts`, value: joinTexts(hosts) });
  if (task.scanVulTypes.length > 0)
    fields.push({
      label: md`Types`,
      value: joinTexts(
        task.scanVulTypes.slice(0, 5).map((t) => code(t)),
        " ",
      ),
    });
  const ended = task.endTime !== undefined && task.endTime > 0 ? formatTime(task.endTime) : undefined;
  if (ended !== undefined) fields.push({ label: md`Finished`, value: ended });
  return {
    // The ID is what `/hss scan <task_id>` takes: shown as it can be typed back.
    title: md`${emoji(TASK_ICONS[task.status] ?? ":grey_question:")} ${typeable(task.id)}`,
    subtitle: joinTexts(subtitle),
    fields,
  };
}

/** `/hss scan` without a task: the recent vulnerability scan tasks, newest first, with their host counts. */
export function buildScanTaskListView(input: ScanTaskListViewInput): Message {
  const blocks = buildPagedList({
    title: md`Vulnerability scans`,
    summary: [md`Newest first. ${code("/hss scan <task_id>")} shows a task's hosts.`],
    items: input.tasks.map(taskItem),
    total: input.total,
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: md`No vulnerability scan tasks in this project.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`Vulnerability scan tasks: ${input.total}`, blocks };
}
