import { createHash } from "node:crypto";
import { novaRoute } from "./ecs-route-helpers.js";
import { novaError } from "./error-bodies.js";
import type { Route, RouteContext, RouteResult } from "./match-route.js";
import { osImageById } from "./os-images.js";
import { novaMicroversion } from "./render-ecs.js";
import type { SimImage } from "./world-types.js";

/** When the simulated project's key pairs and public images were made (fixed: the world is deterministic). */
const KEY_PAIR_CREATED_AT = "2024-03-04T08:15:30.000000";
const IMAGE_CREATED = "2024-01-15T08:00:00Z";
const IMAGE_UPDATED = "2024-02-01T09:30:00Z";

/** Deterministic bytes of a name, so a key pair's public key and fingerprint are the same on every run. */
function digest(seed: number, what: string, name: string): Buffer {
  return createHash("sha256").update(`${seed}\0${what}\0${name}`).digest();
}

/**
 * `GET /v2.1/{project_id}/os-keypairs/{keypair_name}` (doc 6.11.2, Tables 6-184/6-185): the key pair
 * of the project by name; `type` from microversion 2.2. An unknown name is Nova's 404 `itemNotFound`.
 */
function showKeyPair(ctx: RouteContext): RouteResult {
  const name = ctx.params.keypair_name!;
  const index = ctx.core.store.keyPairs.indexOf(name);
  if (index < 0) return novaError(404, `Keypair ${name} not found for user ${ctx.core.config.userId}`);
  const key = digest(ctx.core.config.seed, "keypair", name);
  const fingerprint = [...createHash("md5").update(key).digest()]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
  const keypair: Record<string, unknown> = {
    created_at: KEY_PAIR_CREATED_AT,
    deleted: false,
    deleted_at: null,
    fingerprint,
    id: index + 1,
    name,
    public_key: `ssh-rsa ${Buffer.concat([key, key, key]).toString("base64")} Generated-by-Nova\n`,
    updated_at: null,
    user_id: ctx.core.config.userId,
  };
  if (novaMicroversion(ctx.headers) >= 2) keypair.type = "ssh";
  return { status: 200, body: { keypair } };
}

function renderImage(ctx: RouteContext, image: SimImage): Record<string, unknown> {
  const { projectId } = ctx.core.config;
  return {
    id: image.id,
    name: image.name,
    status: "ACTIVE",
    progress: 100,
    minDisk: 40,
    minRam: 0,
    created: IMAGE_CREATED,
    updated: IMAGE_UPDATED,
    "OS-EXT-IMG-SIZE:size": image.osType === "Windows" ? 17_179_869_184 : 2_147_483_648,
    metadata: {
      __os_version: image.name,
      __os_type: image.osType,
      __platform: image.osName,
      __imagetype: "gold",
      virtual_env_type: "FusionCompute",
      hw_disk_bus: "scsi",
    },
    links: [
      { rel: "self", href: `${ctx.core.baseUrl}/v2.1/${projectId}/images/${image.id}` },
      { rel: "bookmark", href: `${ctx.core.baseUrl}/${projectId}/images/${image.id}` },
      {
        rel: "alternate",
        type: "application/vnd.openstack.image",
        href: `${ctx.core.baseUrl}/${projectId}/images/${image.id}`,
      },
    ],
  };
}

/**
 * `GET /v2.1/{project_id}/images/{image_id}` (doc 11.2.3, Tables 11-18/11-19; marked "Discarded" in
 * favour of the image service's API, which the reference does not document): one of the region's
 * public images. An unknown ID is Nova's 404 `itemNotFound`.
 */
function showImage(ctx: RouteContext): RouteResult {
  const image = osImageById(ctx.params.image_id!);
  if (!image) return novaError(404, "Image not found.");
  return { status: 200, body: { image: renderImage(ctx, image) } };
}

/** The reads about what a reinstall or change of OS names: a key pair, an image. */
export function createEcsCatalogRoutes(): Route[] {
  return [
    novaRoute("/v2.1/:project_id/os-keypairs/:keypair_name", showKeyPair),
    novaRoute("/v2.1/:project_id/images/:image_id", showImage),
  ];
}
