import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { HandlerContext, ScheduleIntent } from "../commands/types.js";
import type { Timers } from "../operations/timers.js";
import type { Message } from "../render/message-model.js";
import { buildScheduleCard } from "../views/build-schedule-card.js";
import { type ActivationResult, activateSchedule } from "./activate-schedule.js";
import { describeCron } from "./describe-cron.js";
import { NEXT_RUNS_SHOWN, summarizeSchedule } from "./describe-schedule.js";
import { createScheduleCommandHandler } from "./handle-schedule-command.js";
import { nextSlots } from "./parse-schedule-timing.js";
import { createScheduleRunner } from "./run-due-schedules.js";
import { SCHEDULE_CREATE_ACTION, type ScheduleDeps } from "./schedule-deps.js";
import { readSchedule } from "./schedule-record.js";

export interface RecurringSchedulesOptions extends ScheduleDeps {
  replicaId: string;
  timers: Timers;
  /** How often due slots are looked for. Default 30 s (a slot runs within this of its time). */
  intervalMs?: number;
  /** How late the latest missed slot may still run. Default 10 minutes. */
  graceMs?: number;
}

/** Recurring schedules (`/ops schedule …`): see `src/recurring/README.md`. */
export interface RecurringSchedules {
  /** Answers `/ops schedule add|list|pause|resume|delete` (undefined: answered already, e.g. cannot post). */
  handle(intent: ScheduleIntent, ctx: HandlerContext): Promise<Message | undefined>;
  /** The execution of an approved `ops:schedule:create` request: the schedule becomes active. */
  activate(request: ApprovalRequest): Promise<ActivationResult>;
  /** The card of an `ops:schedule:create` request, from the store. */
  card(request: ApprovalRequest, groupIds: Readonly<Record<string, string>>): Promise<Message>;
  /** One pass over the schedules now; resolves with the number of slots this replica handled. */
  runDue(): Promise<number>;
  /** Arms the periodic pass (idempotent). */
  start(): void;
  /** Stops it and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function isScheduleRequest(request: Pick<ApprovalRequest, "action">): boolean {
  return request.action === SCHEDULE_CREATE_ACTION;
}

export function createRecurringSchedules(options: RecurringSchedulesOptions): RecurringSchedules {
  const handler = createScheduleCommandHandler(options);
  const runner = createScheduleRunner(options, {
    replicaId: options.replicaId,
    ...(options.graceMs !== undefined && { graceMs: options.graceMs }),
  });
  let timer: unknown;
  let pass: Promise<unknown> | undefined;

  function tick(): void {
    if (pass !== undefined) return;
    pass = runner.runDue().finally(() => {
      pass = undefined;
    });
  }

  return {
    handle: handler,
    activate: (request) => activateSchedule(options, request),
    async card(request, groupIds) {
      const id = request.parameters.scheduleId;
      const stored = typeof id === "string" ? await readSchedule(options.store, id) : undefined;
      const now = options.clock.now();
      // A schedule deleted (or never recorded) still has a card: it is rendered from the bound request.
      const cron = String(request.parameters.cron ?? "");
      const timeZone = String(request.parameters.timeZone ?? "UTC");
      const words = describeCron(cron);
      const summary = stored
        ? summarizeSchedule(stored, now)
        : {
            id: String(id),
            status: "pending" as const,
            cron,
            ...(words !== undefined && { cronWords: words }),
            timeZone,
            commandLine: String(request.parameters.commandLine ?? ""),
            ownerId: request.requester.userId,
            maxTargets: Number(request.parameters.maxTargets ?? request.targets.length),
            nextRuns: cron === "" ? [] : nextSlots({ cron, timeZone }, now, NEXT_RUNS_SHOWN),
          };
      return buildScheduleCard({ request, schedule: summary, groupIds });
    },
    runDue: () => runner.runDue(),
    start() {
      if (timer !== undefined) return;
      timer = options.timers.setInterval(tick, options.intervalMs ?? 30_000);
    },
    async stop() {
      if (timer !== undefined) options.timers.clearInterval(timer);
      timer = undefined;
      await pass;
    },
  };
}
