import type { ChatPort, MessageRef } from "../app/ports.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { Logger } from "../log/create-logger.js";
import type { Clock, Store } from "../store/store.js";
import { buildWaveProgressView } from "../views/build-wave-views.js";
import { type WaveRunRecord, WaveRunRecordSchema, waveRunKey } from "../waves/wave-run-record.js";
import { createLatestRunner } from "./create-latest-runner.js";

/** Where a run's wave list was posted in its thread, so any replica updates the same message. */
const waveMessageKey = (runId: string) => `wavemsg:${runId}`;
const WAVE_MESSAGE_TTL_MS = 90 * 24 * 60 * 60_000;

export interface WaveMessages {
  /** Shows the run's wave list in its thread as it is in the store now (coalesced; never throws). */
  show(record: Pick<WaveRunRecord, "runId">): void;
  /** Resolves when no update is going on. */
  idle(): Promise<void>;
}

/**
 * The thread message of a run in waves (`buildWaveProgressView`): posted once (its reference kept in the
 * store, claimed so two replicas never both post it), then updated in place with the freshest record.
 * Slack failures are logged: they never stop the run.
 */
export function createWaveMessages(deps: {
  store: Store;
  approvals: Pick<ApprovalService, "get">;
  chat: () => ChatPort | undefined;
  clock: Clock;
  logger: Logger;
}): WaveMessages {
  const runner = createLatestRunner(
    async (runId) => {
      const chat = deps.chat();
      const stored = await deps.store.get<unknown>(waveRunKey(runId));
      if (chat === undefined || stored === undefined) return;
      const record = WaveRunRecordSchema.parse(stored.value);
      const request = await deps.approvals.get(record.requestId);
      const root = request?.message;
      if (request === undefined || root === undefined) return;
      const names = new Map(request.targets.map((t) => [t.id, t.name]));
      const view = buildWaveProgressView(record, (id) => names.get(id) ?? id, deps.clock.now());
      const ref = (await deps.store.get<MessageRef>(waveMessageKey(runId)))?.value;
      if (ref !== undefined) {
        await chat.updateMessage(ref, view);
        return;
      }
      if (!(await deps.store.claimOnce(`${waveMessageKey(runId)}:post`, WAVE_MESSAGE_TTL_MS))) return;
      const posted = await chat.postMessage(root.channel, view, { threadTs: root.threadTs ?? root.ts });
      await deps.store.createIfAbsent(waveMessageKey(runId), posted, { ttlMs: WAVE_MESSAGE_TTL_MS });
    },
    (error, runId) => deps.logger.warn({ err: error, run: runId }, "could not show the waves in the thread"),
  );
  return {
    show(record) {
      void runner.run(record.runId);
    },
    idle: () => runner.idle(),
  };
}
