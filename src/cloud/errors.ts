/**
 * Every error code and error shape of the Huawei Cloud client lives here.
 *
 * Error bodies come in several shapes (ECS `{"error":{code,message,details}}`, batch `internalError[]`,
 * OpenStack `{"itemNotFound":{code,message}}`, HSS / API gateway `{"error_code","error_msg"}`, non-JSON);
 * `parseCloudError` turns all of them into one `CloudError`.
 */

/** Error codes the client acts on (the documents list many more; unknown codes are kept verbatim). */
export const ErrorCodes = {
  /** API gateway: request throttled before reaching the service (the request was not executed). */
  APIG_THROTTLED: "APIG.0308",
  /** API gateway: signature / authentication failures. */
  APIG_INCORRECT_SIGNATURE: "APIG.0301",
  APIG_INCORRECT_IAM_TOKEN: "APIG.0307",
  /** ECS: request error / invalid request body / invalid parameter. */
  ECS_REQUEST_ERROR: "Ecs.0000",
  ECS_INSUFFICIENT_QUOTA: "Ecs.0001",
  ECS_FORBIDDEN: "Ecs.0003",
  ECS_INVALID_PARAMETER: "Ecs.0005",
  ECS_SYSTEM_EXCEPTION: "Ecs.0007",
  /** ECS: the server does not exist. */
  ECS_SERVER_NOT_FOUND: "Ecs.0114",
  ECS_SERVER_NOT_FOUND_2: "Ecs.0614",
  /**
   * Job API: "Failed to query system tasks. Invalid job ID." (HTTP 400 in the error code table, with
   * `code`/`message` at the top level per Table 5-63). For a job ID the service issued we take it as "the
   * record is gone": an assumption (the reference does not say what a purged job answers), hence taken at
   * any status, and a gone job is settled from the servers, never from this answer alone.
   */
  ECS_JOB_NOT_FOUND: "Common.0011",
  /**
   * HSS: "Requested resource not found" (HTTP 400), e.g. an unknown or purged vulnerability scan task ID.
   * The reference documents no error codes for the scan-task hosts API; this is what the service answers.
   */
  HSS_RESOURCE_NOT_FOUND: "HSS.0011",
  /** ECS: the ECS is locked (unlock it first). */
  ECS_LOCKED: "Ecs.0605",
  /**
   * ECS: "Other commands are being executed. Try again 1 minute later." (HTTP 501 in the error code table):
   * a refusal, the server did nothing; a mutation so answered is not in doubt, and a read may be sent again.
   */
  ECS_BUSY: "Ecs.0603",
  /**
   * ECS: "The ECS status does not meet requirements": a refusal, the server did nothing. Generic (a wrong
   * status for the operation); its form naming another task in progress is busy ({@link isServerBusyAnswer}).
   */
  ECS_STATUS_NOT_MET: "Ecs.0100",
  /**
   * ECS internal failures: "Failed to call the Nova API" (`Ecs.1000`), "OpenStack access error"
   * (`Ecs.1001`), "OpenStack access timed out" (`Ecs.1002`). The error code table gives them HTTP 400, but
   * they are the service failing, not the request: a mutation so answered may have been carried out in part
   * (its outcome is unknown), and a read may be sent again. See {@link INTERNAL_FAILURE_CODES}.
   */
  ECS_NOVA_CALL_FAILED: "Ecs.1000",
  ECS_OPENSTACK_ERROR: "Ecs.1001",
  ECS_OPENSTACK_TIMEOUT: "Ecs.1002",
  /** Synthetic codes for failures that have no service code. */
  NETWORK_ERROR: "NETWORK_ERROR",
  TIMEOUT: "TIMEOUT",
  INVALID_RESPONSE: "INVALID_RESPONSE",
} as const;

/**
 * HTTP statuses after which a read is retried. A read changes nothing, so it is safe to send again; 500 is
 * in: ECS answers an internal fault with 500 `Common.0001` "A system exception occurred. Try again later".
 * A mutation is never resent after any of these but 429 (the transport's policy, not this set): its
 * outcome is unknown.
 */
export const RETRYABLE_READ_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Codes of the service failing inside (whatever the HTTP status: the reference warns "HTTP status codes may
 * not be accurate", and gives these 400): a mutation so answered has an unknown outcome, a read is retried.
 */
export const INTERNAL_FAILURE_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.ECS_NOVA_CALL_FAILED,
  ErrorCodes.ECS_OPENSTACK_ERROR,
  ErrorCodes.ECS_OPENSTACK_TIMEOUT,
]);

/**
 * Whether an error code is the API gateway's own (`APIG.*`): about the request's route, credentials or rate,
 * never about a resource. A 404 `APIG.0101` ("the API does not exist") says the endpoint is wrong, not that
 * the server or job is gone.
 */
export function isGatewayCode(code: string): boolean {
  return code.startsWith("APIG.");
}

/** OpenStack (Nova) fault wrappers: `{"<faultName>": {"code": 404, "message": "…"}}`. */
export const OPENSTACK_FAULT_NAMES = [
  "badRequest",
  "unauthorized",
  "forbidden",
  "itemNotFound",
  "badMethod",
  "conflictingRequest",
  "overLimit",
  "badMediaType",
  "computeFault",
  "notImplemented",
  "serviceUnavailable",
  "cloudServersFault",
] as const;

/** One entry of a batch `internalError[]`. */
export interface InternalError {
  id?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface CloudErrorInit {
  /** HTTP status; undefined when no response was received (network error, timeout). */
  status?: number;
  /** Service error code (`Ecs.0114`, `APIG.0308`, `itemNotFound`…) or a synthetic one (`NETWORK_ERROR`, `TIMEOUT`). */
  code: string;
  message: string;
  requestId?: string;
  retryable?: boolean;
  details?: Array<{ code?: string; message?: string }>;
  internalErrors?: InternalError[];
  /** Operation name, e.g. `ecs.listServers`. */
  operation?: string;
  cause?: unknown;
}

/** A normalised Huawei Cloud failure: a rejected request, or a read that could not complete. */
export class CloudError extends Error {
  override readonly name = "CloudError";
  readonly status: number | undefined;
  readonly code: string;
  readonly requestId: string | undefined;
  /** Whether retrying the same request may succeed (throttling, 5xx, network, busy, internal failures). */
  readonly retryable: boolean;
  readonly details: Array<{ code?: string; message?: string }>;
  readonly internalErrors: InternalError[];
  readonly operation: string | undefined;

  constructor(init: CloudErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? isRetryableStatus(init.status, init.code);
    this.details = init.details ?? [];
    this.internalErrors = init.internalErrors ?? [];
    this.operation = init.operation;
  }

  /**
   * True for "does not exist" (the service's 404, `Ecs.0114`, `Ecs.0614`, `Common.0011` for jobs,
   * `itemNotFound`). Never for a gateway code: a 404 `APIG.0101` is a wrong endpoint, and taking it for
   * "gone" would count a server still there as deleted. The one test of "not found" for every caller.
   */
  get isNotFound(): boolean {
    // Nor a 404 without a service's body (`HTTP_404`: a proxy's page, an empty answer): nothing says what is gone.
    if (isGatewayCode(this.code) || this.code === "HTTP_404") return false;
    return (
      this.status === 404 ||
      this.code === ErrorCodes.ECS_SERVER_NOT_FOUND ||
      this.code === ErrorCodes.ECS_SERVER_NOT_FOUND_2 ||
      this.code === ErrorCodes.ECS_JOB_NOT_FOUND ||
      this.code === "itemNotFound"
    );
  }

  /**
   * True when ECS refused as other commands or another task are running on the server (`Ecs.0603`, or the
   * busy form of `Ecs.0100`: see {@link isServerBusyAnswer}): nothing was done.
   */
  get isBusy(): boolean {
    return isServerBusyAnswer(this.code, this.message);
  }

  /**
   * True for the service failing inside (`Ecs.1000`–`Ecs.1002`), as the answer's code or as the code of any of
   * its details or a batch answer's `internalError` entries (one server's failure inside a batch may leave the
   * others in doubt): a mutation's outcome is then unknown.
   */
  get isInternalFailure(): boolean {
    return (
      INTERNAL_FAILURE_CODES.has(this.code) ||
      this.details.some((d) => d.code !== undefined && INTERNAL_FAILURE_CODES.has(d.code)) ||
      this.internalErrors.some((e) => e.errorCode !== undefined && INTERNAL_FAILURE_CODES.has(e.errorCode))
    );
  }

  /** True when the gateway throttled the request (it never reached the service). */
  get isThrottled(): boolean {
    return this.status === 429 || this.code === ErrorCodes.APIG_THROTTLED;
  }
}

/** Why the outcome of a mutation is unknown. */
export type OutcomeUnknownReason = "timeout" | "network" | "server-error" | "invalid-response";

/**
 * A mutation (POST/DELETE) whose outcome is unknown: it timed out, the connection was reset, or the
 * service answered 5xx (but `Ecs.0603`, a refusal) or an internal failure code (`Ecs.1000`–`Ecs.1002`,
 * documented as 400). It may or may not have taken effect; it is never resent automatically.
 * Callers reconcile by reading the resources named in `identity`.
 */
export class OutcomeUnknownError extends Error {
  override readonly name = "OutcomeUnknownError";
  /** e.g. `ecs.stopServers`. */
  readonly operation: string;
  /** What the request was about, e.g. `{ serverIds: [...] }`: enough to query and reconcile. */
  readonly identity: Readonly<Record<string, unknown>>;
  readonly reason: OutcomeUnknownReason;
  /** HTTP status when the service answered (5xx, or 400 with an internal failure code). */
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(init: {
    operation: string;
    identity: Record<string, unknown>;
    reason: OutcomeUnknownReason;
    status?: number;
    requestId?: string;
    cause?: unknown;
  }) {
    super(
      `Outcome of ${init.operation} is unknown (${init.reason}${init.status ? ` ${init.status}` : ""}); query the resources to reconcile`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.operation = init.operation;
    this.identity = init.identity;
    this.reason = init.reason;
    this.status = init.status;
    this.requestId = init.requestId;
  }
}

/**
 * `Ecs.0100` ("The ECS status does not meet requirements") is a generic status refusal (absent from the ECS
 * reference's error table); only its form naming another task in progress on the server ("…: another task
 * (<job>) is in progress on ECS <id>.") says the server is busy.
 */
const ANOTHER_TASK_IN_PROGRESS = /\banother task\b[^.]*\bin progress\b/i;

/**
 * Whether ECS refused a call (or one server's part of a batch job) because the server is busy with something
 * else: `Ecs.0603` ("Other commands are being executed"), or `Ecs.0100` naming another task in progress on it.
 * Either way the cloud did nothing to the server. The one test of "busy" (a `CloudError`'s `isBusy`, a failed
 * sub-job's code and reason).
 */
export function isServerBusyAnswer(code: string | undefined, message: string | undefined): boolean {
  if (code === ErrorCodes.ECS_BUSY) return true;
  return (
    code === ErrorCodes.ECS_STATUS_NOT_MET && message !== undefined && ANOTHER_TASK_IN_PROGRESS.test(message)
  );
}

/**
 * Whether a read so answered may be sent again: a retryable status, throttling, the server busy (`Ecs.0603`,
 * 501) or an internal failure code (`Ecs.1000`–`Ecs.1002`, 400); with no status, a network error or timeout.
 */
export function isRetryableStatus(status: number | undefined, code?: string): boolean {
  if (status === undefined) return code === ErrorCodes.NETWORK_ERROR || code === ErrorCodes.TIMEOUT;
  if (code === ErrorCodes.APIG_THROTTLED || code === ErrorCodes.ECS_BUSY) return true;
  return RETRYABLE_READ_STATUSES.has(status) || (code !== undefined && INTERNAL_FAILURE_CODES.has(code));
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const MAX_TEXT_MESSAGE = 300;

/**
 * Normalises an error response. Tolerant: any JSON shape or non-JSON text yields a `CloudError`,
 * the code falling back to `HTTP_<status>`.
 */
export function parseCloudError(input: {
  status: number;
  body: string;
  requestId?: string;
  operation?: string;
}): CloudError {
  const { status, operation } = input;
  let json: unknown;
  try {
    json = input.body.trim() === "" ? undefined : JSON.parse(input.body);
  } catch {
    json = undefined;
  }
  // The gateway repeats the request ID in its error bodies; the header wins when both exist.
  const requestId = input.requestId ?? (isRecord(json) ? str(json.request_id) : undefined);
  const base = { status, requestId, operation };
  if (isRecord(json)) {
    const internalErrors = Array.isArray(json.internalError)
      ? json.internalError.filter(isRecord).map((e) => ({
          id: str(e.id),
          errorCode: str(e.error_code),
          errorMessage: str(e.error_message),
        }))
      : [];
    // ECS / batch: {"error": {"code", "message", "details"}}
    if (isRecord(json.error)) {
      const err = json.error;
      const details = Array.isArray(err.details)
        ? err.details.filter(isRecord).map((d) => ({ code: str(d.code), message: str(d.message) }))
        : [];
      return new CloudError({
        ...base,
        code: str(err.code) ?? str(err.error_code) ?? `HTTP_${status}`,
        message: str(err.message) ?? str(err.error_msg) ?? httpMessage(status),
        details,
        internalErrors,
      });
    }
    // HSS / API gateway / IAM-style: {"error_code", "error_msg"}
    if (json.error_code !== undefined || json.error_msg !== undefined) {
      return new CloudError({
        ...base,
        code: str(json.error_code) ?? `HTTP_${status}`,
        message: str(json.error_msg) ?? httpMessage(status),
        internalErrors,
      });
    }
    // Job query errors and some services: {"code", "message"} at the top level.
    if (typeof json.code === "string" && json.message !== undefined) {
      return new CloudError({ ...base, code: json.code, message: str(json.message) ?? httpMessage(status) });
    }
    // OpenStack: {"itemNotFound": {"code": 404, "message": "…"}} (any single wrapper key).
    for (const [key, value] of Object.entries(json)) {
      if (isRecord(value) && (value.message !== undefined || value.code !== undefined)) {
        return new CloudError({
          ...base,
          code: key,
          message: str(value.message) ?? httpMessage(status),
          details: value.details === undefined ? [] : [{ message: str(value.details) }],
        });
      }
    }
    if (internalErrors.length > 0) {
      return new CloudError({
        ...base,
        code: internalErrors[0]?.errorCode ?? `HTTP_${status}`,
        message: internalErrors[0]?.errorMessage ?? httpMessage(status),
        internalErrors,
      });
    }
  }
  const text = input.body.trim();
  return new CloudError({
    ...base,
    code: `HTTP_${status}`,
    message: text === "" ? httpMessage(status) : text.slice(0, MAX_TEXT_MESSAGE),
  });
}

function httpMessage(status: number): string {
  return `HTTP ${status}`;
}
