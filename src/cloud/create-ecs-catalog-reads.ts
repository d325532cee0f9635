import { z } from "zod";
import type { EcsApiContext } from "./create-ecs-api.js";
import { assertPathId } from "./create-ecs-api.js";
import type { CloudResponse } from "./create-transport.js";
import type { EcsCatalogReads, KeyPair, Lookup, OsImage } from "./ecs-operation-types.js";
import { defined, optNum, optStr } from "./ecs-schemas.js";
import { CloudError } from "./errors.js";
import { parseResponse } from "./parse-response.js";

/** Table 6-185; tolerant like the other schemas (only the name is needed to say it exists). */
const keyPairResponse = z.object({
  keypair: z.object({
    name: optStr,
    fingerprint: optStr,
    type: optStr,
    created_at: optStr,
  }),
});

/** Table 11-18. */
const imageResponse = z.object({
  image: z.object({
    id: optStr,
    name: optStr,
    status: optStr,
    minDisk: optNum,
  }),
});

/**
 * The service's own "does not exist" (`CloudError.isNotFound`: never the gateway's `APIG.*` 404, e.g. an API
 * the region does not serve, which says nothing about the resource).
 */
function isServiceNotFound(err: unknown): boolean {
  return err instanceof CloudError && err.isNotFound;
}

/** The key pair and image reads a reinstall or change of OS needs before anything is sent. */
export function createEcsCatalogReads(ctx: EcsApiContext): EcsCatalogReads {
  const read = async <T>(
    operation: string,
    path: (projectId: string) => string,
    signal: AbortSignal | undefined,
    parse: (res: CloudResponse) => T,
  ): Promise<Lookup<T>> => {
    const projectId = await ctx.projectId(signal);
    let res: CloudResponse;
    try {
      // A GET: the transport retries it under the read policy (throttling, 5xx, network).
      res = await ctx.transport.send({
        method: "GET",
        endpoint: ctx.endpoint,
        projectId,
        path: path(projectId),
        operation,
        signal,
      });
    } catch (err) {
      if (isServiceNotFound(err)) return { found: false };
      throw err;
    }
    return { found: true, value: parse(res) };
  };

  return {
    async getKeyPair(name, signal) {
      assertPathId(name, "key pair name");
      const operation = "ecs.getKeyPair";
      return read(
        operation,
        (p) => `/v2.1/${p}/os-keypairs/${name}`,
        signal,
        (res): KeyPair => {
          const k = parseResponse(keyPairResponse, res, operation).keypair;
          return defined({
            name: k.name ?? name,
            fingerprint: k.fingerprint ?? undefined,
            type: k.type ?? undefined,
            createdAt: k.created_at ?? undefined,
          });
        },
      );
    },

    async getImage(imageId, signal) {
      assertPathId(imageId, "image ID");
      const operation = "ecs.getImage";
      return read(
        operation,
        (p) => `/v2.1/${p}/images/${imageId}`,
        signal,
        (res): OsImage => {
          const i = parseResponse(imageResponse, res, operation).image;
          return defined({
            id: i.id ?? imageId,
            name: i.name ?? undefined,
            status: i.status ?? undefined,
            minDiskGb: i.minDisk ?? undefined,
          });
        },
      );
    },
  };
}
