import type { Server } from "../cloud/types.js";
import {
  actions,
  bold,
  code,
  context,
  header,
  type Message,
  md,
  type Part,
  type Span,
  section,
  type Text,
} from "../render/message-model.js";
import { statusIcon } from "../render/status-icon.js";
import type { ResultControls } from "./action-ids.js";
import { shareButton } from "./build-paged-list.js";
import { emoji, formatRamMb, formatTime, joinTexts, serverIps, sharedByLine } from "./format-values.js";

export interface ServerDetailViewInput {
  server: Server;
  controls?: ResultControls;
  sharedBy?: string;
}

function field(label: string, value: Text): Span[] {
  return [bold(label), { t: "plain", v: "\n" }, ...toSpanList(value)];
}

function toSpanList(value: Text): Span[] {
  if (typeof value === "string") return [{ t: "untrusted", v: value }];
  if (Array.isArray(value)) return [...(value as readonly Span[])];
  return [value as Span];
}

/** `/ecs show`: one server's state, identity, size, placement, addresses and tags. */
export function buildServerDetailView(input: ServerDetailViewInput): Message {
  const s = input.server;
  const ips = serverIps(s);
  const status: Span[] = md`${emoji(statusIcon(s.status))} ${s.status}`;
  if (s.taskState) status.push(...md` (${s.taskState})`);
  const flavor: Text[] = [code(s.flavor.name ?? s.flavor.id)];
  if (s.flavor.vcpus !== undefined) flavor.push(md`${s.flavor.vcpus} vCPU${s.flavor.vcpus === 1 ? "" : "s"}`);
  if (s.flavor.ramMb !== undefined) flavor.push(formatRamMb(s.flavor.ramMb));

  const fields: Span[][] = [
    field("Status", status),
    field("ID", code(s.id)),
    field("Flavor", joinTexts(flavor)),
    field("Availability zone", s.availabilityZone ?? "—"),
    field("Private IP", ips.fixed.length > 0 ? ips.fixed.join(", ") : "—"),
    field("EIP", ips.floating.length > 0 ? ips.floating.join(", ") : "none"),
  ];
  const created = formatTime(s.created);
  if (created !== undefined) fields.push(field("Created", created));
  if (s.volumeIds.length > 0) fields.push(field("Disks", `${s.volumeIds.length} attached`));
  if (s.locked)
    fields.push(field("Locked", md`${emoji(":lock:")} yes: changes are refused until it is unlocked`));

  const blocks: Part[] = [header(s.name), section({ fields })];
  if (s.fault?.message) {
    blocks.push(section({ text: md`${emoji(":x:")} Fault: ${s.fault.message}` }));
  }
  const details: Text[] = [];
  if (s.tags.length > 0)
    details.push(
      md`Tags: ${joinTexts(
        s.tags.slice(0, 20).map((t) => code(t)),
        " ",
      )}`,
    );
  if (s.securityGroups.length > 0) details.push(md`Security groups: ${s.securityGroups.join(", ")}`);
  if (s.imageId) details.push(md`Image: ${code(s.imageId)}`);
  if (details.length > 0) blocks.push(context(...details));
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return { text: md`${s.name}: ${s.status}`, blocks };
}
