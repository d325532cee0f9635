import type { SecurityGroup, SecurityGroupRule, ServerNic } from "../cloud/ecs-operation-types.js";
import type { Server } from "../cloud/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  type Span,
} from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { shareButton } from "./build-paged-list.js";
import { joinTexts, sharedByLine } from "./format-values.js";

interface Common {
  server: Pick<Server, "id" | "name">;
  controls?: ResultControls;
  sharedBy?: string;
}

function footer(input: Common): Part[] {
  const parts: Part[] = [];
  if (input.sharedBy !== undefined) parts.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) parts.push(actions(shareButton(input.controls, 1)));
  return parts;
}

export interface ServerNicsViewInput extends Common {
  nics: readonly ServerNic[];
}

/** `/ecs nics <server>`: each network interface with its state, MAC, addresses and network. */
export function buildServerNicsView(input: ServerNicsViewInput): Message {
  const items: ListItem[] = input.nics.map((n) => ({
    ...(n.portState !== undefined && { status: n.portState === "ACTIVE" ? "ACTIVE" : "SHUTOFF" }),
    title: n.fixedIps.map((ip) => ip.ipAddress).join(", ") || n.portId,
    subtitle: joinTexts([n.portState ?? "state unknown", ...(n.macAddr !== undefined ? [n.macAddr] : [])]),
    fields: [
      { label: md`Port`, value: code(n.portId) },
      ...(n.netId !== undefined ? [{ label: md`Network`, value: code(n.netId) }] : []),
      ...n.fixedIps
        .filter((ip) => ip.subnetId !== undefined)
        .map((ip) => ({ label: md`Subnet of ${ip.ipAddress}`, value: code(ip.subnetId ?? "") })),
    ],
  }));
  const blocks: Part[] = [
    header(md`Network interfaces of ${input.server.name}`),
    context(md`${code(input.server.id)}`, md`${plural(input.nics.length, "interface")}`),
  ];
  blocks.push(items.length > 0 ? list(items) : context(md`This server has no network interface.`));
  blocks.push(...footer(input));
  return { text: md`Network interfaces of ${input.server.name}: ${String(input.nics.length)}`, blocks };
}

export interface SecurityGroupsViewInput extends Common {
  groups: readonly SecurityGroup[];
}

/** `tcp 443 from 0.0.0.0/0`, `any from group sg-web`, `icmp from 192.168.0.0/16`. */
export function describeRule(rule: SecurityGroupRule): string {
  const protocol = rule.ipProtocol ?? "any";
  const ports =
    rule.fromPort === undefined || rule.fromPort < 0 || protocol === "icmp"
      ? ""
      : rule.toPort === undefined || rule.toPort === rule.fromPort
        ? ` ${rule.fromPort}`
        : ` ${rule.fromPort}-${rule.toPort}`;
  const from =
    rule.remoteGroup !== undefined
      ? `group ${rule.remoteGroup}`
      : rule.cidr !== undefined
        ? rule.cidr
        : "anywhere";
  return `${protocol}${ports} from ${from}`;
}

/** `/ecs sg <server>`: the server's security groups with their inbound rules. */
export function buildSecurityGroupsView(input: SecurityGroupsViewInput): Message {
  const items: ListItem[] = input.groups.map((g) => {
    const rules: Span[] = joinTexts(
      g.rules.map((r) => code(describeRule(r))),
      " ",
    );
    return {
      title: g.name,
      subtitle: g.description ? md`${g.description}` : md`${code(g.id)}`,
      fields: [
        { label: md`Rules`, value: g.rules.length > 0 ? rules : md`none` },
        { label: md`ID`, value: code(g.id) },
      ],
    };
  });
  const open = input.groups.some((g) => g.rules.some((r) => r.cidr === "0.0.0.0/0" || r.cidr === "::/0"));
  const blocks: Part[] = [
    header(md`Security groups of ${input.server.name}`),
    context(
      md`${code(input.server.id)}`,
      md`${plural(input.groups.length, "group")}`,
      ...(open ? [md`:warning: some rules allow traffic from anywhere`] : []),
    ),
  ];
  blocks.push(items.length > 0 ? list(items) : context(md`This server is in no security group.`));
  blocks.push(...footer(input));
  return { text: md`Security groups of ${input.server.name}: ${String(input.groups.length)}`, blocks };
}
