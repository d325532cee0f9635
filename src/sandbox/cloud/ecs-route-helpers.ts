import type { JobKind, JobParams } from "./create-job-engine.js";
import { ECS_ERRORS, ecsError, novaError } from "./error-bodies.js";
import type { Route, RouteContext, RouteResult } from "./match-route.js";
import type { SimServer } from "./world-types.js";

/** 400 `Ecs.0005` (invalid request body), with what was wrong. */
export const badBody = (detail?: string): RouteResult =>
  ecsError(
    400,
    ECS_ERRORS.invalidParams.code,
    detail ? `${ECS_ERRORS.invalidParams.message} ${detail}` : ECS_ERRORS.invalidParams.message,
  );

function v1ProjectCheck(ctx: RouteContext): RouteResult | undefined {
  if (ctx.params.project_id === ctx.core.config.projectId) return undefined;
  return ecsError(400, ECS_ERRORS.projectMismatch.code, ECS_ERRORS.projectMismatch.message);
}

function novaProjectCheck(ctx: RouteContext): RouteResult | undefined {
  if (ctx.params.project_id === undefined || ctx.params.project_id === ctx.core.config.projectId)
    return undefined;
  return novaError(
    400,
    `Malformed request URL: URL's project_id '${ctx.params.project_id}' doesn't match Context's project_id '${ctx.core.config.projectId}'`,
  );
}

export function v1NotFound(id: string): RouteResult {
  return ecsError(404, ECS_ERRORS.notFound.code, `Instance[${id}] could not be found.`);
}

export function novaNotFound(id: string): RouteResult {
  return novaError(404, `Instance ${id} could not be found.`);
}

/** A native ECS API route (`/v1`, `/v2`): project ID checked, ECS error bodies. */
export function v1Route(
  method: Route["method"],
  pattern: string,
  handle: (ctx: RouteContext) => RouteResult,
): Route {
  return {
    method,
    pattern,
    service: "ecs",
    auth: true,
    handle: (ctx) => v1ProjectCheck(ctx) ?? handle(ctx),
  };
}

/** An OpenStack Nova route (`/v2.1`): project ID checked, Nova fault bodies. */
export function novaRoute(
  pattern: string,
  handle: (ctx: RouteContext) => RouteResult,
  method: Route["method"] = "GET",
): Route {
  return {
    method,
    pattern,
    service: "nova",
    auth: true,
    handle: (ctx) => novaProjectCheck(ctx) ?? handle(ctx),
  };
}

/** Runs `fn` on the `:server_id` of the path, or answers the API's own not-found. */
export function withServer(
  notFound: (id: string) => RouteResult,
  fn: (ctx: RouteContext, s: SimServer) => RouteResult,
) {
  return (ctx: RouteContext): RouteResult => {
    const server = ctx.core.store.server(ctx.params.server_id!);
    return server ? fn(ctx, server) : notFound(ctx.params.server_id!);
  };
}

/**
 * An accepted asynchronous task: `{"job_id"}` with 200 ("the task is successfully delivered"), or
 * 202 when other jobs are still running ("the task … shall be postponed because the system is busy",
 * doc 10.3.2); the job runs on the usual timing either way.
 */
export function accepted(
  ctx: RouteContext,
  kind: JobKind,
  servers: SimServer[],
  params: JobParams,
): RouteResult {
  const busy = ctx.core.jobs.unfinished(ctx.now) > 0;
  const job = ctx.core.jobs.create(kind, servers, params, ctx.now);
  return {
    status: busy ? 202 : 200,
    body: { job_id: job.id },
    mutation: { type: job.jobType, jobId: job.id, serverIds: job.serverIds },
  };
}

/**
 * The synchronous checks of a single-server task: locked (`Ecs.0605`), held by another job or in
 * the wrong status (`Ecs.0100`). Batch actions report the same rules per server in their sub-jobs.
 */
export function singleServerCheck(
  server: SimServer,
  allowed: readonly SimServer["status"][],
  what: string,
): RouteResult | undefined {
  if (server.locked)
    return ecsError(400, ECS_ERRORS.locked.code, `${ECS_ERRORS.locked.message} ECS ${server.id} is locked.`);
  if (server.busyJobId || !allowed.includes(server.status)) {
    return ecsError(
      400,
      ECS_ERRORS.badState.code,
      `${ECS_ERRORS.badState.message} ECS ${server.id} is ${server.status}${server.busyJobId ? " with a task in progress" : ""}; ${what} requires ${allowed.join(" or ")}.`,
    );
  }
  return undefined;
}
