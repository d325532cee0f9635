import type { ApprovalRequest } from "../approvals/approval-request.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import type { WaveCheck } from "../waves/run-waves.js";
import { policyChangeText } from "./build-policy-change-view.js";
import { buildWaveStoppedReply, startCheckReason, type WaveStop } from "./build-start-check-view.js";
import { type ExecutionGateDeps, sayInThread } from "./create-execution-gate.js";
import { judgeWindow } from "./judge-start-now.js";
import { redecideBeforeExecution } from "./redecide-before-execution.js";

/**
 * The check before each wave of a run in waves after its first (`RunWavesDeps.beforeWave`; the first follows
 * the gate's decision at the claim): a change scheduled in a maintenance window starts no wave once the window
 * closed, nor while the window is not open in the current calendar; and the policy is decided again as of now
 * on the request, as before its execution (`redecideBeforeExecution`: freezes included, audited). Stricter, or
 * the window gone: the run stops there and the thread says why. Undecided (groups unreadable) or a failure:
 * hold, and ask again. Never throws.
 */
export function createWaveGate(
  deps: ExecutionGateDeps,
): (requestId: string, index: number) => Promise<WaveCheck> {
  const stop = (request: ApprovalRequest, index: number, why: WaveStop): WaveCheck => {
    const waves = wavePlanOf(request.parameters)?.waves.length ?? index + 1;
    const log = deps.logger.child({ approval: request.id, wave: index + 1 });
    const reasons =
      why.kind === "policy" ? policyChangeText(why.change, request.action) : [startCheckReason(why)];
    log.info({ stop: why.kind, reasons }, "wave not started: the later waves are not run");
    return {
      kind: "stop",
      why: reasons.join("; "),
      announce: () => sayInThread(deps, request, buildWaveStoppedReply(request, index, waves, why), log),
    };
  };
  return async (requestId, index) => {
    try {
      const request = await deps.approvals.get(requestId);
      if (request === undefined)
        return { kind: "stop", why: "its request is gone", announce: async () => {} };
      const schedule = request.schedule;
      if (schedule !== undefined) {
        const window = judgeWindow(schedule, deps.policy(), deps.clock.now());
        if (window === "later") return { kind: "hold", why: "its maintenance window is not open now" };
        if (window !== "open") return stop(request, index, window);
      }
      const channelName = (await deps.details.get(requestId))?.channelName;
      const decided = await redecideBeforeExecution(deps, request, channelName);
      if (decided.kind === "proceed") return { kind: "go" };
      if (decided.kind === "undecided") {
        deps.logger.warn(
          { approval: requestId, why: decided.why },
          "policy not decided again yet: wave held",
        );
        return { kind: "hold", why: decided.why };
      }
      return stop(request, index, { kind: "policy", change: decided.change });
    } catch (error) {
      // Never start a wave without the check; the run asks again after a while.
      deps.logger.error({ err: error, approval: requestId }, "could not check the next wave");
      return { kind: "hold", why: "the check before the wave failed" };
    }
  };
}
