/**
 * A flavor's sale status, region-wide and per AZ, as `os_extra_specs` carries it (API reference 5.4.1,
 * Table 5-41): `cond:operation:status` (the region's default) and `cond:operation:az`
 * (`"az0(normal), az1(sellout)"`, the AZs whose status differs). Tolerant: a missing status means `normal`
 * (as the reference says); an AZ entry with blank parentheses is invalid and ignored (the reference says so);
 * anything unparseable is ignored rather than failing the flavor list.
 */
import type { Flavor } from "./types.js";

/**
 * What a sale status means for ordering the flavor:
 * - `on_sale`: `normal` or `promotion` (commercial use);
 * - `open_beta`: `obt` (sold, under open beta: the reference's AZ query lists it with the normal ones);
 * - `sold_out`: `sellout` or `obt_sellout`;
 * - `abandoned`: `abandon` (taken offline);
 * - `unknown`: a value the reference does not list. Not a refusal (the bot does not refuse what it cannot
 *   read), but not `on_sale` either: never suggested, and said as unknown where shown.
 */
export type FlavorSale = "on_sale" | "open_beta" | "sold_out" | "abandoned" | "unknown";

const SALE_OF_STATUS: Readonly<Record<string, FlavorSale>> = {
  normal: "on_sale",
  promotion: "on_sale",
  obt: "open_beta",
  sellout: "sold_out",
  obt_sellout: "sold_out",
  abandon: "abandoned",
};

/** The meaning of one status value (case and spaces ignored). */
export function saleOfStatus(status: string): FlavorSale {
  return SALE_OF_STATUS[status.trim().toLowerCase()] ?? "unknown";
}

/** Sold out or abandoned: Huawei Cloud would not give a server this flavor. */
export function isRefusingSale(sale: FlavorSale): boolean {
  return sale === "sold_out" || sale === "abandoned";
}

/**
 * `cond:operation:az` as AZ → status (statuses lower-cased). Entries are comma-separated `az(status)`;
 * one with blank parentheses or no parentheses is ignored; an AZ named twice keeps its first status.
 */
export function parseOperationAz(value: string | undefined): Record<string, string> {
  // No prototype: an AZ name comes from the cloud and must never reach `__proto__` or `constructor`.
  const out: Record<string, string> = Object.create(null);
  for (const entry of (value ?? "").split(",")) {
    const m = /^\s*([^\s()]+)\s*\(\s*([^()]*?)\s*\)\s*$/.exec(entry);
    if (!m || m[2] === "") continue;
    const az = m[1]!;
    if (!Object.hasOwn(out, az)) out[az] = m[2]!.toLowerCase();
  }
  return out;
}

/** Where a flavor's status in an AZ comes from: the AZ's own entry, or the region-wide default. */
export interface FlavorStatusInAz {
  /** The status value, lower-cased (`normal` when the flavor says nothing). */
  status: string;
  sale: FlavorSale;
  /** `az`: `cond:operation:az` names the AZ; `region`: the region-wide status applies to it. */
  source: "az" | "region";
}

/** The region-wide status: `cond:operation:status`, `normal` when absent or blank (5.4.1). */
export function regionStatusOf(flavor: Pick<Flavor, "operationStatus">): string {
  const status = flavor.operationStatus?.trim().toLowerCase();
  return status ? status : "normal";
}

/** A flavor's sale status in one AZ: its `cond:operation:az` entry, else the region-wide status. */
export function flavorStatusIn(
  flavor: Pick<Flavor, "operationStatus" | "statusByAz">,
  availabilityZone: string,
): FlavorStatusInAz {
  const own = flavor.statusByAz?.[availabilityZone];
  const status = own ?? regionStatusOf(flavor);
  return { status, sale: saleOfStatus(status), source: own === undefined ? "region" : "az" };
}
