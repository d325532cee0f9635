import { randomUUID } from "node:crypto";
import { pino } from "pino";
import type { AuditEntryInput } from "../../src/audit/audit-entry.js";
import { type AuditLog, createAuditLog } from "../../src/audit/create-audit-log.js";
import type { Clock, Store } from "../../src/store/store.js";

export const silent = pino({ level: "silent" });

export function auditOver(store: Store, clock: Clock): AuditLog {
  return createAuditLog({ store, clock, logger: silent });
}

export const decided = (n: number): AuditEntryInput => ({
  type: "policy.decided",
  actorId: "UALICE",
  decision: "allow",
  action: "ecs:cloudServers:stop",
  serverIds: [`srv-${n}`],
  message: `entry ${n}`,
});

/**
 * Writes `count` entries the two ways the bot does: half through `record` (append), half as riders of a key
 * write (as an approval transition does), one minute apart.
 */
export async function writeEntries(audit: AuditLog, clock: { advance(ms: number): void }, count: number) {
  for (let n = 1; n <= count; n++) {
    clock.advance(60_000);
    if (n % 2 === 0) await audit.record(decided(n));
    else {
      const prepared = audit.prepare(decided(n));
      await audit.store.createIfAbsent(`thing:${randomUUID()}`, { n }, { append: [prepared.append] });
    }
  }
}
