import type { z } from "zod";
import type { CloudResponse } from "./create-transport.js";
import { CloudError, ErrorCodes } from "./errors.js";

/**
 * Validates a successful response body against its schema. A body that does not match is a
 * non-retryable `CloudError` (`INVALID_RESPONSE`) naming the first offending field, never the body.
 */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  res: CloudResponse,
  operation: string,
): z.output<S> {
  const parsed = schema.safeParse(res.json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "unexpected body";
  return invalid(operation, res, where);
}

/** Throws the `INVALID_RESPONSE` fault of `operation`: its answer was not what the API documents (`where`). */
export function invalid(operation: string, res: CloudResponse, where: string): never {
  throw new CloudError({
    status: res.status,
    code: ErrorCodes.INVALID_RESPONSE,
    message: `${operation}: unexpected response (${where})`,
    requestId: res.requestId,
    retryable: false,
    operation,
  });
}
