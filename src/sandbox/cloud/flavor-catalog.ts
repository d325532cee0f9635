import type { SimFlavor } from "./world-types.js";

/**
 * The flavors the simulated region sells. Names follow Huawei Cloud's scheme
 * `<family><generation>.<size>.<RAM:vCPU ratio>`.
 */
export const FLAVOR_CATALOG: readonly SimFlavor[] = [
  flavor("s6.small.1", 1, 1, "normal", "s6"),
  flavor("s6.medium.2", 1, 2, "normal", "s6"),
  flavor("s6.large.2", 2, 4, "normal", "s6"),
  flavor("s6.xlarge.2", 4, 8, "normal", "s6"),
  flavor("c7.large.2", 2, 4, "computingv3", "c7"),
  flavor("c7.xlarge.2", 4, 8, "computingv3", "c7"),
  flavor("c7.2xlarge.4", 8, 32, "computingv3", "c7"),
  flavor("m6.large.8", 2, 16, "highmem", "m6"),
  flavor("m6.2xlarge.8", 8, 64, "highmem", "m6"),
];

function flavor(
  id: string,
  vcpus: number,
  ramGb: number,
  performanceType: string,
  generation: string,
): SimFlavor {
  return {
    id,
    vcpus,
    ramMb: ramGb * 1024,
    performanceType,
    generation,
    resourceType: `IOoptimized${generation.toUpperCase()}`,
  };
}

/** A flavor's sale status by AZ index (0 = the region's first AZ, `…a`), where it differs from `status`. */
export interface SimFlavorSale {
  /** `cond:operation:status`, region-wide (default `normal`). */
  status?: string;
  /** `cond:operation:az` entries as [AZ index, status]. */
  byAz?: readonly (readonly [number, string])[];
}

/**
 * The flavors not simply on sale everywhere (5.4.1, Table 5-41). Fixed, whatever the seed: every world tells
 * the same story (the playground's, the tests'), and the flavors tests resize to (`s6.large.2`, `s6.medium.2`,
 * `c7.large.2`, `c7.xlarge.2`, `m6.large.8` anywhere; `c7.2xlarge.4` and `s6.xlarge.2` in the first AZ) stay
 * on sale where they are used. `s6.small.1` follows the reference's own example: offline region-wide, sold
 * in one AZ.
 */
export const FLAVOR_SALE: Readonly<Record<string, SimFlavorSale>> = {
  "s6.small.1": { status: "abandon", byAz: [[0, "normal"]] },
  "s6.xlarge.2": { byAz: [[2, "sellout"]] },
  "m6.2xlarge.8": { byAz: [[1, "sellout"]] },
  "c7.2xlarge.4": { byAz: [[2, "obt"]] },
  "m6.large.8": { byAz: [[0, "promotion"]] },
};

/** The statuses the reference's AZ query lists (5.4.1, Table 5-37: "normal, obt, or promotion"). */
const LISTED_IN_AZ = new Set(["normal", "obt", "promotion"]);

/** `cond:operation:status`, and `cond:operation:az` when an AZ differs, in a world with these AZs. */
export function flavorSaleSpecs(flavorId: string, azs: readonly string[]): Record<string, string> {
  const sale = FLAVOR_SALE[flavorId];
  const specs: Record<string, string> = { "cond:operation:status": sale?.status ?? "normal" };
  const entries = (sale?.byAz ?? []).flatMap(([i, status]) => (azs[i] ? [`${azs[i]}(${status})`] : []));
  // Comma and space, as the reference's example writes it.
  if (entries.length > 0) specs["cond:operation:az"] = entries.join(", ");
  return specs;
}

/** A flavor's status in an AZ of the world: its own entry, else the region-wide status. */
export function flavorStatusInAz(flavorId: string, azs: readonly string[], az: string): string {
  const sale = FLAVOR_SALE[flavorId];
  const own = sale?.byAz?.find(([i]) => azs[i] === az)?.[1];
  return own ?? sale?.status ?? "normal";
}

/** Whether `GET …/cloudservers/flavors?availability_zone=az` lists the flavor. */
export function isListedInAz(flavorId: string, azs: readonly string[], az: string): boolean {
  return LISTED_IN_AZ.has(flavorStatusInAz(flavorId, azs, az));
}

/**
 * What the real resize (never its `dry_run`, 5.2.4) answers for a flavor not sold in the server's AZ: an
 * abandoned one is `Ecs.0029` (the error table: "does not exist or has been abandoned"), a sold-out one
 * `Ecs.0319` ("Insufficient resources for this flavor. Try another flavor."); undefined when it is sold.
 */
export function resizeSaleRefusal(
  flavorId: string,
  azs: readonly string[],
  az: string,
): { code: string; message: string } | undefined {
  const status = flavorStatusInAz(flavorId, azs, az);
  if (status === "abandon")
    return { code: "Ecs.0029", message: `The flavor does not exist. flavorRef: ${flavorId}` };
  if (status === "sellout" || status === "obt_sellout")
    return { code: "Ecs.0319", message: "Insufficient resources for this flavor. Try another flavor." };
  return undefined;
}
