import type { HssHost, Server, ServerVolume } from "../cloud/types.js";
import {
  actions,
  type Button,
  bold,
  button,
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
import { type ResultControls, type ServerAction, VIEW_ACTIONS } from "./action-ids.js";
import { describeHssStatus } from "./build-hss-host-list-view.js";
import { shareButton } from "./build-paged-list.js";
import {
  emoji,
  formatRamMb,
  formatTime,
  joinTexts,
  serverIps,
  serverSpans,
  sharedByLine,
  typeable,
} from "./format-values.js";

export interface ServerDetailViewInput {
  server: Server;
  /** The server's HSS host; `null`: HSS does not know it; `unavailable`: HSS could not be read; absent: not asked. */
  hss?: HssHost | null | "unavailable";
  /** Power actions the viewer may request (the policy does not deny them), behind a pending token. */
  offer?: { token: string; actions: readonly ServerAction[] };
  controls?: ResultControls;
  sharedBy?: string;
}

const ACTION_LABELS: Record<ServerAction, string> = { start: "Start", stop: "Stop", reboot: "Reboot" };

/** One power action's button: a confirm naming the server, then the command runs through the policy. */
function actionButton(server: Server, token: string, action: ServerAction): Button {
  const label = ACTION_LABELS[action];
  return button({
    id: `${VIEW_ACTIONS.act}.${action}`,
    label,
    value: `${token}:${action}`,
    ...(action === "start" ? { style: "primary" as const } : {}),
    confirm: {
      title: md`${label} this server?`,
      text: md`${label} ${serverSpans(server.id, server.name)}? The request goes through the policy like ${code(`/ecs ${action}`)}: it may need approval.`,
      confirm: label,
      deny: md`Cancel`,
      ...(action === "start" ? {} : { style: "danger" as const }),
    },
  });
}

function hssLine(hss: HssHost | null | "unavailable"): Text {
  if (hss === null) return md`${emoji(":grey_question:")} not known to HSS`;
  if (hss === "unavailable") return md`${emoji(":grey_question:")} could not be read just now`;
  return joinTexts(describeHssStatus(hss));
}

/** Disks listed one by one; more are counted (a section's text stays well within Slack's 3,000 characters). */
const MAX_DISKS = 20;

/**
 * The attached disks, one line each: device and system/data when the details carry them (the native v1 API's
 * do; Nova's, which `/ecs show` reads by ID, give only the volume ID), then the volume ID, which `/ecs detach`
 * takes. Size is not in a server's details (only in its block devices), so it is not shown.
 */
function disksSection(s: Server): Part | undefined {
  if (s.volumeIds.length === 0) return undefined;
  const volumes: ServerVolume[] = s.volumes ?? s.volumeIds.map((id) => ({ id }));
  const lines = volumes.slice(0, MAX_DISKS).flatMap((v) => {
    const parts: Text[] = [];
    if (v.device !== undefined) parts.push(code(v.device));
    if (v.bootIndex !== undefined) parts.push(md`${v.bootIndex === 0 ? "system" : "data"} disk`);
    parts.push(md`volume ID ${code(v.id)}`);
    return md`\n• ${joinTexts(parts)}`;
  });
  const more = volumes.length > MAX_DISKS ? md`\n… and ${String(volumes.length - MAX_DISKS)} more` : [];
  return section({ text: [...md`*Disks* (${String(volumes.length)} attached)`, ...lines, ...more] });
}

function field(label: string, value: Text): Span[] {
  return [bold(label), { t: "plain", v: "\n" }, ...toSpanList(value)];
}

function toSpanList(value: Text): Span[] {
  if (typeof value === "string") return [{ t: "untrusted", v: value }];
  if (Array.isArray(value)) return [...(value as readonly Span[])];
  return [value as Span];
}

/**
 * `/ecs show`: one server's state, identity, size, placement, addresses, HSS status and tags, with the power
 * actions its viewer may request.
 */
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
  if (input.hss !== undefined) fields.push(field("HSS", hssLine(input.hss)));
  if (s.locked)
    fields.push(field("Locked", md`${emoji(":lock:")} yes: changes are refused until it is unlocked`));

  const blocks: Part[] = [header(s.name), section({ fields })];
  const disks = disksSection(s);
  if (disks !== undefined) blocks.push(disks);
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
  const buttons: Button[] = [];
  if (input.sharedBy === undefined && input.offer !== undefined)
    for (const action of input.offer.actions) buttons.push(actionButton(s, input.offer.token, action));
  if (input.controls !== undefined) buttons.push(shareButton(input.controls, 1));
  if (buttons.length > 0) blocks.push(actions(...buttons));
  return { text: md`${typeable(s.name)}: ${s.status}`, blocks };
}
