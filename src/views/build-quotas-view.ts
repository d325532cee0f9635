import type { Quotas } from "../cloud/ecs-operation-types.js";
import {
  actions,
  bold,
  context,
  header,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { shareButton } from "./build-paged-list.js";
import { formatRamMb, sharedByLine } from "./format-values.js";

export interface QuotasViewInput {
  quotas: Quotas;
  controls?: ResultControls;
  sharedBy?: string;
}

const count = (n: number) => n.toLocaleString("en-US");

/** `48 of 20,480 (0.2%)`, `3 (no limit)`, `—` when the cloud said nothing. */
function usage(
  used: number | undefined,
  max: number | undefined,
  format: (n: number) => string = count,
): string {
  if (max === undefined && used === undefined) return "—";
  if (max === undefined || max < 0) return `${used === undefined ? "?" : format(used)} (no limit)`;
  if (used === undefined) return `limit ${format(max)}`;
  const pct = max === 0 ? 100 : (used / max) * 100;
  const shown = pct > 0 && pct < 1 ? pct.toFixed(1) : Math.round(pct).toString();
  return `${format(used)} of ${format(max)} (${shown}%)`;
}

function field(label: string, value: string): Span[] {
  return [bold(label), { t: "plain", v: "\n" }, { t: "untrusted", v: value }];
}

/** `/ecs quotas`: what the project may use and how much of it is used. */
export function buildQuotasView(input: QuotasViewInput): Message {
  const q = input.quotas;
  const fields: Span[][] = [
    field("Servers", usage(q.totalInstancesUsed, q.maxTotalInstances)),
    field("vCPUs", usage(q.totalCoresUsed, q.maxTotalCores)),
    field("RAM", usage(q.totalRAMUsed, q.maxTotalRAMSize, formatRamMb)),
    field("EIPs", usage(q.totalFloatingIpsUsed, q.maxTotalFloatingIps)),
    field("Security groups", usage(q.totalSecurityGroupsUsed, q.maxSecurityGroups)),
    field("ECS groups", usage(q.totalServerGroupsUsed, q.maxServerGroups)),
    field("Members per ECS group", usage(undefined, q.maxServerGroupMembers)),
    field("Key pairs", usage(undefined, q.maxTotalKeypairs)),
  ];
  const blocks: Part[] = [
    header(md`Quotas of the project`),
    section({ fields }),
    context(md`A resize is checked against the vCPU and RAM quotas before anyone approves it.`),
  ];
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return {
    text: md`Quotas: ${usage(q.totalCoresUsed, q.maxTotalCores)} vCPUs in use`,
    blocks,
  };
}
