/**
 * Error body shapes, one per layer of the real service:
 * - API gateway (auth, throttling, routing): `{"error_code":"APIG.xxxx","error_msg":…,"request_id":…}`
 * - ECS native APIs (`/v1/…`): `{"error":{"code":"Ecs.xxxx","message":…}}` (doc, "Responses (Task)")
 * - ECS OpenStack APIs (`/v2.1/…`): Nova's `{"itemNotFound":{"code":404,"message":…}}` style
 * - HSS: `{"error_code":"HSS.xxxx","error_msg":…}` (HSS error code table)
 * - IAM: Keystone's `{"error":{"code":401,"title":"Unauthorized","message":…}}`
 */

/** A response the router writes as JSON. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function gatewayError(status: number, code: string, message: string, requestId: string): SimResponse {
  return { status, body: { error_code: code, error_msg: message, request_id: requestId } };
}

export function ecsError(status: number, code: string, message: string): SimResponse {
  return { status, body: { error: { code, message } } };
}

export function novaError(status: 400 | 404 | 409 | 500, message: string): SimResponse {
  const key =
    status === 404
      ? "itemNotFound"
      : status === 409
        ? "conflictingRequest"
        : status === 500
          ? "computeFault"
          : "badRequest";
  return { status, body: { [key]: { code: status, message } } };
}

export function hssError(status: number, code: string, message: string): SimResponse {
  return { status, body: { error_code: code, error_msg: message } };
}

export function keystoneError(status: 400 | 401 | 403 | 404 | 500, message: string): SimResponse {
  const titles = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
  };
  return { status, body: { error: { code: status, title: titles[status], message } } };
}

/** Documented ECS error codes the simulator uses (ECS API reference, "Error Codes"). */
export const ECS_ERRORS = {
  invalidParams: { code: "Ecs.0005", message: "request body is illegal." },
  flavorMissing: { code: "Ecs.0029", message: "The flavor does not exist." },
  sameFlavor: { code: "Ecs.0810", message: "The ECS flavor is the same as the target flavor." },
  badState: {
    code: "Ecs.0100",
    message: "The ECS status does not meet requirements. Make the ECS in the required status and try again.",
  },
  notFound: { code: "Ecs.0114", message: "The ECS does not exist." },
  tooMany: { code: "Ecs.0118", message: "The number of ECSs exceeds the maximum allowed limit." },
  projectMismatch: { code: "Ecs.0023", message: "project_id in token mismatches with project_id in url." },
  /** 500 in the error code table: the ECS body of an injected 500. */
  internalError: {
    code: "Common.0001",
    message: "A system exception occurred. Try again later or contact customer service.",
  },
  /** "Failed to call the Nova API": 400 in the error code table (the service failing, not the request). */
  systemError: {
    code: "Ecs.1000",
    message: "A system exception occurred. Try again later or contact customer service.",
  },
  /** "OpenStack access error": 400. */
  openStackError: {
    code: "Ecs.1001",
    message: "A system exception occurred. Try again later or contact customer service.",
  },
  /** "OpenStack access timed out": 400. */
  openStackTimeout: {
    code: "Ecs.1002",
    message: "A system exception occurred. Try again later or contact customer service.",
  },
  /** "Other commands are being executed. Try again 1 minute later.": 501. */
  busy: { code: "Ecs.0603", message: "The commands are being executed. Try again later." },
  invalidJob: { code: "Common.0011", message: "Failed to query system tasks. Invalid job ID." },
  locked: { code: "Ecs.0605", message: "ECS locked. Check whether the ECS is locked. If so, unlock it." },
  diskNotAttached: {
    code: "Ecs.0111",
    message: "The EVS disk has been detached from the ECS. Refresh the disk list and check the disk.",
  },
  diskAlreadyAttached: {
    code: "Ecs.0057",
    message: "The disk has already been attached to the ECS and you cannot repeatedly attach it.",
  },
  diskUnavailable: {
    code: "Ecs.0103",
    message:
      "The disk can be attached to a server only if it exists and the state must be in the available. Make sure the disk state is available and try again.",
  },
  tooManyDisks: {
    code: "Ecs.0104",
    message:
      "The number of EVS disks that can be attached to the ECS exceeds the maximum number allowed. Decrease the number of EVS disks to be attached and try again.",
  },
  noSystemDisk: {
    code: "Ecs.0105",
    message: "No system disk found. Attach the system disk to the ECS and try again.",
  },
  imageMissing: { code: "Ecs.0031", message: "The image does not exist." },
  keyPairMissing: {
    code: "Ecs.0314",
    message: "The key pair does not exist. Refresh the key pair list and check key pair.",
  },
  sameDedicatedHost: {
    code: "Ecs.0221",
    message: "Cold migration from a dedicated host to the same dedicated host is not supported.",
  },
  serverGroupQuery: { code: "Ecs.0313", message: "ECS group query failed." },
  tooManyTags: { code: "Ecs.0905", message: "The number of tags exceeds the maximum allowed limit." },
  badTag: { code: "Ecs.0906", message: "Failed to comply with tag character set specifications." },
  duplicateTagKey: { code: "Ecs.0908", message: "The tag key cannot be duplicate." },
} as const;

/**
 * The job API's own error body: `code` and `message` at the top level (doc, Table 5-63 lists them
 * among the job query's response parameters), not wrapped in `error` like the task APIs.
 */
export function jobQueryError(status: number, code: string, message: string): SimResponse {
  return { status, body: { code, message } };
}

/**
 * Documented error answers a test can inject on a matching request (`failNextRequests({ code })`), each with
 * the HTTP status of its reference table: the gateway's "no such API" and the ECS answers the simulator's
 * services never give on their own (busy, and the internal failures the error code table lists as 400).
 */
export const INJECTABLE_ERRORS = {
  "APIG.0101": {
    status: 404,
    layer: "gateway",
    message: "The API does not exist or has not been published in the environment.",
  },
  "Ecs.0603": { status: 501, layer: "ecs", message: ECS_ERRORS.busy.message },
  "Ecs.1000": { status: 400, layer: "ecs", message: ECS_ERRORS.systemError.message },
  "Ecs.1001": { status: 400, layer: "ecs", message: ECS_ERRORS.openStackError.message },
  "Ecs.1002": { status: 400, layer: "ecs", message: ECS_ERRORS.openStackTimeout.message },
} as const satisfies Record<string, { status: number; layer: "gateway" | "ecs"; message: string }>;

/** A code of {@link INJECTABLE_ERRORS}. */
export type InjectableErrorCode = keyof typeof INJECTABLE_ERRORS;

/** Whether `code` is one of {@link INJECTABLE_ERRORS}. */
export function isInjectableErrorCode(code: unknown): code is InjectableErrorCode {
  return typeof code === "string" && Object.hasOwn(INJECTABLE_ERRORS, code);
}

/** The injected answer for `code`: the gateway's body for `APIG.*`, ECS's `{"error":…}` otherwise. */
export function injectedErrorResponse(code: InjectableErrorCode, requestId: string): SimResponse {
  const e = INJECTABLE_ERRORS[code];
  return e.layer === "gateway"
    ? gatewayError(e.status, code, e.message, requestId)
    : ecsError(e.status, code, e.message);
}
