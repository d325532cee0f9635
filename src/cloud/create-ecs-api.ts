import { createEcsCatalogReads } from "./create-ecs-catalog-reads.js";
import { createEcsServerOperations } from "./create-ecs-server-operations.js";
import { createEcsTagOperations } from "./create-ecs-tag-operations.js";
import type { CloudRequest, CloudResponse, Transport } from "./create-transport.js";
import {
  blockDevicesResponse,
  getServerResponse,
  jobResponse,
  listFlavorsResponse,
  serverTagsResponse,
  toBlockDevice,
  toFlavor,
  toJob,
  toServer,
  toServerTags,
} from "./ecs-schemas.js";
import { CloudError, OutcomeUnknownError, parseCloudError } from "./errors.js";
import { listServerChanges, listServersByIds, listServersV1, NOVA_MICROVERSION } from "./list-servers.js";
import { parseResponse } from "./parse-response.js";
import { readJobId } from "./read-job-id.js";
import type {
  BatchActionResult,
  DeleteServersOptions,
  EcsApi,
  ListServersFilter,
  RebootType,
  ResizeResult,
  Server,
} from "./types.js";

/** Most servers one batch call (start/stop/reboot/delete) accepts. */
export const ECS_BATCH_LIMIT = 1000;

export interface EcsApiContext {
  transport: Transport;
  endpoint: string;
  projectId: (signal?: AbortSignal) => Promise<string>;
}

/** Rejects IDs that would change the request path (a programming fault upstream, not a cloud error). */
export function assertPathId(value: string, what: string): void {
  if (value === "" || value.includes("/") || value === "." || value === "..")
    throw new RangeError(`${what} must be a non-empty ID without "/"`);
}

function uniqueIds(ids: readonly string[]): string[] {
  const out = [...new Set(ids)];
  for (const id of out) assertPathId(id, "server ID");
  return out;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The ECS operations over a transport. */
export function createEcsApi(ctx: EcsApiContext): EcsApi {
  const send = async (req: Omit<CloudRequest, "endpoint" | "projectId">): Promise<CloudResponse> =>
    ctx.transport.send({ ...req, endpoint: ctx.endpoint, projectId: await ctx.projectId(req.signal) });

  const jobIdOf = readJobId;

  async function batch(
    operation: string,
    serverIds: readonly string[],
    path: (projectId: string) => string,
    body: (chunk: string[]) => unknown,
  ): Promise<BatchActionResult> {
    const result: BatchActionResult = { jobs: [], failures: [] };
    const ids = uniqueIds(serverIds);
    if (ids.length === 0) return result;
    const projectId = await ctx.projectId();
    // Sequential on purpose: ECS admits 1,000 servers a minute per action; throttling is honoured per call.
    for (const part of chunk(ids, ECS_BATCH_LIMIT)) {
      const identity = { serverIds: part };
      try {
        const res = await ctx.transport.send({
          method: "POST",
          endpoint: ctx.endpoint,
          projectId,
          path: path(projectId),
          body: body(part),
          operation,
          identity,
          retry: "mutation",
        });
        result.jobs.push({ jobId: jobIdOf(res, operation, identity), serverIds: part });
      } catch (err) {
        if (err instanceof CloudError || err instanceof OutcomeUnknownError)
          result.failures.push({ serverIds: part, error: err });
        else throw err;
      }
    }
    return result;
  }

  const action = (projectId: string) => `/v1/${projectId}/cloudservers/action`;
  const servers = (ids: string[]) => ids.map((id) => ({ id }));

  return {
    ...createEcsTagOperations(ctx),
    ...createEcsServerOperations(ctx),
    ...createEcsCatalogReads(ctx),
    listServers: (filter: ListServersFilter = {}, signal?: AbortSignal): Promise<Server[]> =>
      listServersV1(ctx, filter, signal),
    listServersByIds: (serverIds, signal) => {
      for (const id of serverIds) assertPathId(id, "server ID");
      return listServersByIds(ctx, serverIds, signal);
    },
    listServerChanges: (since, filter, signal) => listServerChanges(ctx, since, filter, signal),

    async getServer(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.getServer";
      const res = await send({
        method: "GET",
        path: `/v2.1/${await ctx.projectId(signal)}/servers/${serverId}`,
        headers: { "X-OpenStack-Nova-API-Version": NOVA_MICROVERSION },
        operation,
        signal,
      });
      return toServer(parseResponse(getServerResponse, res, operation).server);
    },

    async listFlavors(availabilityZone, signal) {
      const operation = "ecs.listFlavors";
      const res = await send({
        method: "GET",
        path: `/v1/${await ctx.projectId(signal)}/cloudservers/flavors`,
        query: { availability_zone: availabilityZone },
        operation,
        signal,
      });
      return (parseResponse(listFlavorsResponse, res, operation).flavors ?? []).map(toFlavor);
    },

    startServers(serverIds) {
      return batch("ecs.startServers", serverIds, action, (ids) => ({
        "os-start": { servers: servers(ids) },
      }));
    },

    stopServers(serverIds, type: RebootType = "SOFT") {
      return batch("ecs.stopServers", serverIds, action, (ids) => ({
        "os-stop": { type, servers: servers(ids) },
      }));
    },

    rebootServers(serverIds, type: RebootType) {
      return batch("ecs.rebootServers", serverIds, action, (ids) => ({
        reboot: { type, servers: servers(ids) },
      }));
    },

    deleteServers(serverIds, options: DeleteServersOptions = {}) {
      return batch(
        "ecs.deleteServers",
        serverIds,
        (projectId) => `/v1/${projectId}/cloudservers/delete`,
        (ids) => {
          const body: Record<string, unknown> = { servers: servers(ids) };
          if (options.deletePublicIp !== undefined) body.delete_publicip = options.deletePublicIp;
          body.delete_volume = options.deleteVolume ?? false;
          return body;
        },
      );
    },

    async resizeServer(serverId, flavorRef, options = {}): Promise<ResizeResult> {
      assertPathId(serverId, "server ID");
      const operation = "ecs.resizeServer";
      const identity = { serverIds: [serverId], flavorRef };
      const dryRun = options.dryRun === true;
      const body: Record<string, unknown> = { resize: { flavorRef } };
      if (dryRun) body.dry_run = true;
      const res = await send({
        method: "POST",
        path: `/v1/${await ctx.projectId()}/cloudservers/${serverId}/resize`,
        body,
        operation,
        identity,
        // A dry run changes nothing, so it is as safe to resend as a read.
        retry: dryRun ? "read" : "mutation",
      });
      if (dryRun) return { dryRun: true };
      return { dryRun: false, jobId: jobIdOf(res, operation, identity) };
    },

    async getJob(jobId, signal) {
      assertPathId(jobId, "job ID");
      const operation = "ecs.getJob";
      const res = await send({
        method: "GET",
        path: `/v1/${await ctx.projectId(signal)}/jobs/${jobId}`,
        operation,
        signal,
      });
      const parsed = jobResponse.safeParse(res.json);
      if (parsed.success) return toJob(parsed.data, jobId);
      // The job API documents `code`/`message` for a failed query, possibly with a 2xx status.
      const err = parseCloudError({
        status: res.status,
        body: res.text,
        requestId: res.requestId,
        operation,
      });
      if (!err.code.startsWith("HTTP_")) throw err;
      return toJob(parseResponse(jobResponse, res, operation), jobId);
    },

    async listVolumeAttachments(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.listVolumeAttachments";
      // The native block_device API, not Nova's os-volume_attachments: only it documents `bootIndex`
      // (which disk is the system disk) and the size.
      const res = await send({
        method: "GET",
        path: `/v1/${await ctx.projectId(signal)}/cloudservers/${serverId}/block_device`,
        operation,
        signal,
      });
      return (parseResponse(blockDevicesResponse, res, operation).volumeAttachments ?? []).map((v) =>
        toBlockDevice(v, serverId),
      );
    },

    async listServerTags(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.listServerTags";
      const res = await send({
        method: "GET",
        path: `/v1/${await ctx.projectId(signal)}/servers/${serverId}/tags`,
        operation,
        signal,
      });
      return toServerTags(parseResponse(serverTagsResponse, res, operation));
    },
  };
}
