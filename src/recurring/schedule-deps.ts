import type { ChatPort } from "../app/ports.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import type { CloudClient } from "../cloud/types.js";
import type { Logger } from "../log/create-logger.js";
import type { ApproverMessages } from "../operations/notify-approvers.js";
import type { RequestDetailsStore } from "../operations/request-details.js";
import type { Policy } from "../policy/types.js";
import type { Clock, Store } from "../store/store.js";
import type { FlowSet } from "../workflow/types.js";

/** What the recurring schedules use of the operations around them (given by `createOperations`). */
export interface ScheduleDeps {
  policy: () => Policy;
  flows: FlowSet;
  store: Store;
  audit: AuditLog;
  approvals: ApprovalService;
  details: RequestDetailsStore;
  cloud: CloudClient;
  clock: Clock;
  logger: Logger;
  /** The chat platform, once known (runs post in the schedule's channel). */
  chat: () => ChatPort | undefined;
  /** Claims and runs an approved request through the exactly-once execution path. */
  runApproved: (requestId: string) => Promise<void>;
  /** Re-renders a request's card from the store. */
  refreshCard: (requestId: string) => Promise<void>;
  /** Asks the approvers of a new request by direct message (`notify_approvers: dm`), as for any change. */
  approverMessages?: Pick<ApproverMessages, "requested">;
}

/** The action of a request to create a schedule (IAM-style, like the commands' own). */
export const SCHEDULE_CREATE_ACTION = "ops:schedule:create";

/** How late the latest missed slot may still run (a bot down longer runs nothing late). */
export const DEFAULT_MISSED_RUN_GRACE_MS = 10 * 60_000;
