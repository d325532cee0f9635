import { CloudError } from "../cloud/errors.js";
import type { CloudClient } from "../cloud/types.js";
import type { PreflightTarget } from "./preflight-types.js";
import { writePreflightProblem } from "./write-preflight-problem.js";

/**
 * Huawei Cloud's own check of the resize of `t` to `flavorRef` (a `dry_run` resize, which changes nothing),
 * written onto the target: passed; refused (blocking); or unavailable, or inconclusive for a running server
 * (a warning).
 */
export async function runResizeDryRun(
  ecs: Pick<CloudClient["ecs"], "resizeServer">,
  t: PreflightTarget,
  flavorRef: string,
): Promise<void> {
  const resize = t.resize!;
  try {
    await ecs.resizeServer(t.id, flavorRef, { dryRun: true });
    resize.dryRun = "passed";
  } catch (err) {
    if (!(err instanceof CloudError)) {
      resize.dryRun = "unavailable";
      resize.dryRunMessage = err instanceof Error ? err.message : String(err);
      writePreflightProblem(
        t,
        "warning",
        "dry_run_unavailable",
        `${t.name}: Huawei Cloud could not check this resize in advance (${resize.dryRunMessage}); it may still refuse it when it runs`,
      );
      return;
    }
    resize.dryRunMessage = `${err.code}: ${err.message}`;
    if (err.retryable || (err.status !== undefined && err.status >= 500)) {
      resize.dryRun = "unavailable";
      writePreflightProblem(
        t,
        "warning",
        "dry_run_unavailable",
        `${t.name}: Huawei Cloud could not check this resize in advance (error ${err.code}); it may still refuse it when it runs`,
      );
    } else if (t.restart && err.code === "Ecs.0100") {
      // 5.2.4 promises a dry run checks only parameters and format, but a region refusing it for a
      // running server (its state) tells nothing about the rest. The flow sends no second dry run
      // after the stop: the resize itself is the next check. A refusal then costs a stop and a start (the
      // flow starts it again); only a resize whose outcome is unknown leaves it stopped.
      resize.dryRun = "inconclusive";
      writePreflightProblem(
        t,
        "warning",
        "dry_run_inconclusive",
        `${t.name}: Huawei Cloud's dry run refused the running server (${err.code}), so it checked nothing; no dry run follows the stop: if Huawei Cloud refuses the resize then, the bot starts ${t.name} again (it stays stopped only if the outcome is unknown)`,
      );
    } else {
      resize.dryRun = "rejected";
      t.problems.push({
        severity: "blocking",
        code: "dry_run_rejected",
        serverId: t.id,
        message: `${t.name}: Huawei Cloud refuses this resize: ${err.message}`,
        cloud: { code: err.code, ...(err.requestId !== undefined && { requestId: err.requestId }) },
      });
    }
  }
}
