import type { FlowEvent } from "../workflow/flow-events.js";
import type { Operation } from "../workflow/flow-vocabulary.js";

/** What this replica saw a run send to the cloud: the servers its calls were for and their job IDs. */
export interface SentCalls {
  /** Pass every event of the run (a run in waves: of every wave's run). */
  observe(event: FlowEvent): void;
  /** Whether a run started (its record was written): before that, nothing was recorded or sent. */
  readonly started: boolean;
  /** The calls seen, merged (a request has one operation); undefined when none was seen. */
  sent(): { operation: Operation; serverIds: string[]; jobIds: string[] } | undefined;
}

/**
 * Follows a run's events to say, if its record is lost, what was sent. A call step that started may have been
 * sent (its intent is written first); a resumed run's call steps that have a status were sent before, for its
 * targets. Only what this replica saw: a best-effort account, never a basis for sending anything.
 */
export function trackSentCalls(): SentCalls {
  let started = false;
  let operation: Operation | undefined;
  const serverIds = new Set<string>();
  const jobIds = new Set<string>();
  return {
    observe(event) {
      switch (event.type) {
        case "run_started": {
          started = true;
          operation = event.operation;
          // A resumed run's call that has a status in its record was (or may have been) sent before.
          if (event.steps.some((s) => s.kind === "call" && s.status !== undefined))
            for (const t of event.targets) serverIds.add(t.id);
          // And the jobs its record has: said even when the record is lost before the first poll after the resume.
          for (const step of event.steps) for (const id of step.jobIds ?? []) jobIds.add(id);
          return;
        }
        case "step_started":
          if (event.kind === "call") for (const id of event.serverIds) serverIds.add(id);
          return;
        case "job_progress":
          if (event.jobId !== null) jobIds.add(event.jobId);
          return;
        case "step_finished":
          for (const id of event.jobIds) jobIds.add(id);
          return;
        default:
          return;
      }
    },
    get started() {
      return started;
    },
    sent() {
      if (operation === undefined || serverIds.size === 0) return undefined;
      return { operation, serverIds: [...serverIds], jobIds: [...jobIds] };
    },
  };
}
