import type { ScanTaskHost } from "../cloud/types.js";
import { code, type ListItem, type Message, md, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, joinTexts } from "./format-values.js";

export interface ScanTaskViewInput {
  taskId: string;
  hosts: readonly ScanTaskHost[];
  total: number;
  page: number;
  pageSize?: number;
  statusFilter?: string;
  /** scan status → count over the whole result. */
  counts?: Readonly<Record<string, number>>;
  controls?: ResultControls;
  sharedBy?: string;
}

const SCAN_ICONS: Readonly<Record<string, `:${string}:`>> = {
  success: ":large_green_circle:",
  failed: ":x:",
  scanning: ":hourglass_flowing_sand:",
};

// Operator words for a host's `scan_status` (`scanning` and `failed` read well as sent), also used by the
// counts; a value HSS adds later is shown as sent (escaped).
const SCAN_WORDS: Readonly<Record<string, string>> = { success: "scanned" };

function scanWord(status: string): string {
  return SCAN_WORDS[status] ?? status;
}

function hostItem(host: ScanTaskHost): ListItem {
  const status = host.scanStatus ?? "unknown";
  const fields: { label: Text; value: Text }[] = [];
  const ip = host.privateIp || host.publicIp;
  if (ip) fields.push({ label: md`IP`, value: ip });
  for (const reason of host.failedReasons.slice(0, 3)) {
    fields.push({
      label: md`Failed`,
      value: joinTexts(
        [reason.vulType ? code(reason.vulType) : "", reason.failedReason ?? ""].filter((t) => t !== ""),
        " ",
      ),
    });
  }
  fields.push({ label: md`ID`, value: code(host.hostId) });
  return {
    title: md`${emoji(SCAN_ICONS[status] ?? ":grey_question:")} ${host.hostName ?? host.hostId}`,
    subtitle: scanWord(status),
    fields,
  };
}

/** `/hss scan`: the hosts of a vulnerability scan task with their scan status and failure reasons. */
export function buildScanTaskView(input: ScanTaskViewInput): Message {
  const summary: Text[] = [md`Task ${code(input.taskId)}`];
  if (input.statusFilter) summary.push(md`Filter: status ${code(input.statusFilter)}`);
  if (input.counts !== undefined && input.total > 0) {
    summary.push(
      joinTexts(
        Object.entries(input.counts)
          .filter(([, n]) => n > 0)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(
            ([status, n]) => md`${emoji(SCAN_ICONS[status] ?? ":grey_question:")} ${n} ${scanWord(status)}`,
          ),
      ),
    );
  }
  const blocks = buildPagedList({
    title: md`Vulnerability scan`,
    summary,
    items: input.hosts.map(hostItem),
    total: input.total,
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: md`No hosts in this task${input.statusFilter ? md` with this status` : md``}.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`Scan task ${input.taskId}: ${input.total} hosts`, blocks };
}
