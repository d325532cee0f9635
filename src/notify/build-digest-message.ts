import { formatCount } from "../render/escape-mrkdwn.js";
import {
  bold,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Span,
  section,
} from "../render/message-model.js";
import type { EcsFleetSummary } from "./summarize-ecs-fleet.js";
import type { HssPostureSummary } from "./summarize-hss-posture.js";

export interface DigestMessageContext {
  digestId: string;
  /** When the digest was due (ms). */
  at: number;
  timeZone: string;
  /** Shown when the digest covers only part of the fleet. */
  scoped: boolean;
}

function formatAt(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(at));
}

function counts(entries: readonly [string, number][]): Span[] {
  if (entries.length === 0) return md`none`;
  return entries.flatMap(([label, count], i) => [
    ...(i === 0 ? [] : md` · `),
    ...md`${label} ${bold(formatCount(count))}`,
  ]);
}

function intro(ctx: DigestMessageContext): ReturnType<typeof context> {
  return context(
    md`digest ${code(ctx.digestId)} · ${formatAt(ctx.at, ctx.timeZone)} (${ctx.timeZone})${ctx.scoped ? md` · filtered by the digest's \`match\`` : []}`,
  );
}

/** The daily HSS posture summary. */
export function buildHssPostureDigest(summary: HssPostureSummary, ctx: DigestMessageContext): Message {
  const risky: ListItem[] = summary.topRisky.map((h) => ({
    title: md`${code(h.name)}`,
    subtitle: md`vulnerabilities ${h.vulnerability} · baseline ${h.baseline} · intrusions ${h.intrusion}`,
    fields: [{ label: md`ID`, value: code(h.id) }],
  }));
  const noAgent: ListItem[] = summary.withoutAgent.map((h) => ({
    title: md`${code(h.name)}`,
    subtitle: md`agent ${code(h.agentStatus)}`,
    fields: [{ label: md`ID`, value: code(h.id) }],
  }));
  return {
    text: md`HSS posture: ${formatCount(summary.total)} hosts, ${formatCount(summary.riskyCount)} with findings, ${formatCount(summary.withoutAgentCount)} without the agent`,
    blocks: [
      header(md`HSS posture: ${formatCount(summary.total)} hosts`),
      intro(ctx),
      section({
        fields: [
          md`${bold("Agent")}\n${counts(summary.byAgent)}`,
          md`${bold("Protection")}\n${counts(summary.byProtect)}`,
          md`${bold("Detection: risk")}\n${formatCount(summary.detectRisk)} hosts`,
          md`${bold("Hosts with findings")}\n${formatCount(summary.riskyCount)}`,
        ],
      }),
      section({ text: md`${bold("Top risky hosts")}` }),
      list(risky, { total: summary.riskyCount, moreHint: md`\`/hss hosts risk\` lists them all` }),
      section({ text: md`${bold("Hosts without the agent")}` }),
      list(noAgent, {
        total: summary.withoutAgentCount,
        moreHint: md`\`/hss hosts agent=not_installed\` lists them`,
      }),
    ],
  };
}

/** The ECS fleet summary. */
export function buildEcsFleetDigest(
  summary: EcsFleetSummary,
  top: number,
  ctx: DigestMessageContext,
): Message {
  const flavors = summary.byFlavor.slice(0, top);
  const rest = summary.byFlavor.length - flavors.length;
  return {
    text: md`ECS fleet: ${formatCount(summary.total)} servers (${counts(summary.byStatus)})`,
    blocks: [
      header(md`ECS fleet: ${formatCount(summary.total)} servers`),
      intro(ctx),
      section({ text: md`${bold("By status")}: ${counts(summary.byStatus)}` }),
      section({
        text: md`${bold("By flavor")}: ${counts(flavors)}${rest > 0 ? md` · …and ${formatCount(rest)} more flavors` : []}`,
      }),
    ],
  };
}
