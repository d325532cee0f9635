import type { CloudResponse } from "./create-transport.js";
import { jobIdResponse } from "./ecs-schemas.js";
import { OutcomeUnknownError, parseCloudError } from "./errors.js";

/**
 * The job ID of a mutation the service answered 2xx. A 2xx carrying an error body is a rejection
 * (some gateways do that); a 2xx without a job ID leaves the outcome unknown: it is never guessed.
 */
export function readJobId(res: CloudResponse, operation: string, identity: Record<string, unknown>): string {
  const parsed = jobIdResponse.safeParse(res.json);
  if (parsed.success) return parsed.data.job_id;
  const maybeError = parseCloudError({
    status: res.status,
    body: res.text,
    requestId: res.requestId,
    operation,
  });
  if (!maybeError.code.startsWith("HTTP_")) throw maybeError;
  throw new OutcomeUnknownError({
    operation,
    identity,
    reason: "invalid-response",
    status: res.status,
    requestId: res.requestId,
  });
}
