import type { EcsApiContext } from "./create-ecs-api.js";
import { assertPathId } from "./create-ecs-api.js";
import type { CloudRequest, CloudResponse } from "./create-transport.js";
import {
  consoleOutputResponse,
  instanceActionsResponse,
  nicsResponse,
  quotasResponse,
  securityGroupsResponse,
  serverGroupResponse,
  serverGroupsResponse,
  toQuotas,
  toSecurityGroup,
  toServerAction,
  toServerGroup,
  toServerNic,
} from "./ecs-operation-schemas.js";
import type { EcsServerOperations, ReinstallOsOptions, ServerGroup } from "./ecs-operation-types.js";
import { parseResponse } from "./parse-response.js";
import { readJobId } from "./read-job-id.js";

/** `user_data` is at most 32 KB before base64 encoding (doc 5.2.1, Table 5-13). */
export const MAX_USER_DATA_BYTES = 32 * 1024;
/** `os-getConsoleOutput` is gone after microversion 2.5 (doc 6.14.1). */
const CONSOLE_MICROVERSION = "2.1";
const SERVER_GROUP_PAGE = 1000;

/**
 * The body shared by `os-reinstall` and `os-change`: the key pair, the user, the user data. Built
 * field by field, so nothing else a caller's object may carry (a password) can reach the wire.
 */
function osBody(options: ReinstallOsOptions): Record<string, unknown> {
  if (typeof options.keyName !== "string" || options.keyName === "")
    throw new RangeError("a key pair name is required");
  const body: Record<string, unknown> = { keyname: options.keyName };
  if (options.userId !== undefined) body.userid = options.userId;
  if (options.userData !== undefined) {
    const raw = Buffer.from(options.userData, "utf8");
    if (raw.length > MAX_USER_DATA_BYTES) throw new RangeError("user data exceeds 32 KB");
    body.metadata = { user_data: raw.toString("base64") };
  }
  return body;
}

/** Lock, console, OS, disks, migration, and the reads about one ECS and the project. */
export function createEcsServerOperations(ctx: EcsApiContext): EcsServerOperations {
  const send = async (req: Omit<CloudRequest, "endpoint" | "projectId">): Promise<CloudResponse> =>
    ctx.transport.send({ ...req, endpoint: ctx.endpoint, projectId: await ctx.projectId(req.signal) });

  const get = async (
    operation: string,
    path: (projectId: string) => string,
    signal: AbortSignal | undefined,
    query?: CloudRequest["query"],
  ): Promise<CloudResponse> =>
    send({ method: "GET", path: path(await ctx.projectId(signal)), query, operation, signal });

  /** A task mutation (never resent when its outcome is unknown) answered with a job ID. */
  const task = async (
    operation: string,
    serverId: string,
    method: "POST" | "DELETE",
    path: (projectId: string) => string,
    body: unknown,
    identity: Record<string, unknown>,
    query?: CloudRequest["query"],
  ): Promise<string> => {
    assertPathId(serverId, "server ID");
    const fullIdentity = { serverIds: [serverId], ...identity };
    const res = await send({
      method,
      path: path(await ctx.projectId()),
      query,
      body,
      operation,
      identity: fullIdentity,
      retry: "mutation",
    });
    return readJobId(res, operation, fullIdentity);
  };

  // Every method is async, so a bad argument rejects like any other failure instead of throwing.
  const novaAction = async (operation: string, serverId: string, action: "lock" | "unlock") => {
    assertPathId(serverId, "server ID");
    await send({
      method: "POST",
      path: `/v2.1/${await ctx.projectId()}/servers/${serverId}/action`,
      body: { [action]: null },
      operation,
      identity: { serverIds: [serverId] },
      retry: "mutation",
    });
  };

  return {
    lockServer: (serverId) => novaAction("ecs.lockServer", serverId, "lock"),
    unlockServer: (serverId) => novaAction("ecs.unlockServer", serverId, "unlock"),

    async getConsoleOutput(serverId, lines, signal) {
      assertPathId(serverId, "server ID");
      if (!Number.isInteger(lines) || lines < -1) throw new RangeError("lines must be an integer >= -1");
      const operation = "ecs.getConsoleOutput";
      const res = await send({
        method: "POST",
        path: `/v2.1/${await ctx.projectId(signal)}/servers/${serverId}/action`,
        body: { "os-getConsoleOutput": { length: lines } },
        headers: { "X-OpenStack-Nova-API-Version": CONSOLE_MICROVERSION },
        operation,
        // Reading the log changes nothing: as safe to resend as a GET.
        retry: "read",
        signal,
      });
      const output = parseResponse(consoleOutputResponse, res, operation).output ?? "";
      return output === "" ? [] : output.split(/\r?\n/);
    },

    async reinstallServer(serverId, options) {
      const body = osBody(options);
      return task(
        "ecs.reinstallServer",
        serverId,
        "POST",
        (p) => `/v2/${p}/cloudservers/${serverId}/reinstallos`,
        { "os-reinstall": body },
        { keyName: options.keyName },
      );
    },

    async changeServerOs(serverId, options) {
      if (typeof options.imageId !== "string" || options.imageId === "")
        throw new RangeError("an image ID is required");
      const body = { ...osBody(options), imageid: options.imageId };
      return task(
        "ecs.changeServerOs",
        serverId,
        "POST",
        (p) => `/v2/${p}/cloudservers/${serverId}/changeos`,
        { "os-change": body },
        { keyName: options.keyName, imageId: options.imageId },
      );
    },

    async attachVolume(serverId, volumeId, options = {}) {
      assertPathId(serverId, "server ID");
      if (volumeId === "") throw new RangeError("volume ID must be non-empty");
      const attachment: Record<string, unknown> = { volumeId };
      if (options.device !== undefined) attachment.device = options.device;
      if (options.dryRun === true) {
        const operation = "ecs.attachVolume";
        await send({
          method: "POST",
          path: `/v1/${await ctx.projectId()}/cloudservers/${serverId}/attachvolume`,
          body: { volumeAttachment: attachment, dry_run: true },
          operation,
          identity: { serverIds: [serverId], volumeId },
          // A dry run changes nothing, so it is as safe to resend as a read.
          retry: "read",
        });
        return { dryRun: true };
      }
      const jobId = await task(
        "ecs.attachVolume",
        serverId,
        "POST",
        (p) => `/v1/${p}/cloudservers/${serverId}/attachvolume`,
        { volumeAttachment: attachment },
        { volumeId },
      );
      return { dryRun: false, jobId };
    },

    async detachVolume(serverId, volumeId, options = {}) {
      assertPathId(volumeId, "volume ID");
      return task(
        "ecs.detachVolume",
        serverId,
        "DELETE",
        (p) => `/v1/${p}/cloudservers/${serverId}/detachvolume/${volumeId}`,
        undefined,
        { volumeId },
        { delete_flag: options.force === true ? "1" : "0" },
      );
    },

    async migrateServer(serverId, options = {}) {
      const target = options.dedicatedHostId;
      if (target !== undefined && target === "") throw new RangeError("dedicated host ID must be non-empty");
      return task(
        "ecs.migrateServer",
        serverId,
        "POST",
        (p) => `/v1/${p}/cloudservers/${serverId}/migrate`,
        { migrate: target === undefined ? null : { dedicated_host_id: target } },
        { dedicatedHostId: target ?? null },
      );
    },

    async getQuotas(signal) {
      const operation = "ecs.getQuotas";
      const res = await get(operation, (p) => `/v1/${p}/cloudservers/limits`, signal);
      return toQuotas(parseResponse(quotasResponse, res, operation));
    },

    async listServerNics(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.listServerNics";
      const res = await get(operation, (p) => `/v2.1/${p}/servers/${serverId}/os-interface`, signal);
      return (parseResponse(nicsResponse, res, operation).interfaceAttachments ?? []).map(toServerNic);
    },

    async listServerSecurityGroups(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.listServerSecurityGroups";
      const res = await get(operation, (p) => `/v2.1/${p}/servers/${serverId}/os-security-groups`, signal);
      return (parseResponse(securityGroupsResponse, res, operation).security_groups ?? []).map(
        toSecurityGroup,
      );
    },

    async listServerGroups(signal) {
      const operation = "ecs.listServerGroups";
      const out: ServerGroup[] = [];
      const seen = new Set<string>();
      let marker: string | undefined;
      for (;;) {
        const res = await get(operation, (p) => `/v1/${p}/cloudservers/os-server-groups`, signal, {
          limit: SERVER_GROUP_PAGE,
          marker,
        });
        const page = parseResponse(serverGroupsResponse, res, operation);
        for (const g of page.server_groups ?? []) {
          if (seen.has(g.id)) continue;
          seen.add(g.id);
          out.push(toServerGroup(g));
        }
        const next = page.page_info?.next_marker ?? undefined;
        // Stop on a missing, empty or repeated marker: a page that points at itself is not followed.
        if (!next || next === marker || (page.server_groups ?? []).length === 0) break;
        marker = next;
      }
      return out;
    },

    async getServerGroup(serverGroupId, signal) {
      assertPathId(serverGroupId, "server group ID");
      const operation = "ecs.getServerGroup";
      const res = await get(
        operation,
        (p) => `/v1/${p}/cloudservers/os-server-groups/${serverGroupId}`,
        signal,
      );
      return toServerGroup(parseResponse(serverGroupResponse, res, operation).server_group);
    },

    async listServerActions(serverId, signal) {
      assertPathId(serverId, "server ID");
      const operation = "ecs.listServerActions";
      const res = await get(operation, (p) => `/v2.1/${p}/servers/${serverId}/os-instance-actions`, signal);
      return (parseResponse(instanceActionsResponse, res, operation).instanceActions ?? []).map(
        toServerAction,
      );
    },
  };
}
