/**
 * The part of the bot's flavor check that asks whether the new flavor is sold in the server's AZ (API
 * reference 5.4.1, `cond:operation:status` / `cond:operation:az`): a resize cannot move a server to another
 * AZ, and Huawei Cloud refuses a flavor sold out or abandoned there only when the resize is sent, after a
 * running server was stopped. Reads nothing: it uses the flavor list the preflight already read.
 */
import {
  type FlavorSale,
  flavorStatusIn,
  isRefusingSale,
  regionStatusOf,
  saleOfStatus,
} from "../cloud/read-flavor-sale.js";
import type { Flavor, Server } from "../cloud/types.js";
import { joinWords } from "../render/escape-mrkdwn.js";
import { formatFlavor } from "./format-flow-text.js";

/** How many similar flavors a refusal suggests. */
const SIMILAR = 3;
/** How far from the asked-for size a suggestion may be: e.g. half the vCPUs and a quarter of the RAM (1 + 2). */
const MAX_DISTANCE = 4;

export interface FlavorSaleInput {
  /** The server's name, as messages say it. */
  name: string;
  /** The server as read: its AZ (without one nothing is checked) and its current flavor. */
  server: Pick<Server, "availabilityZone" | "flavor">;
  flavorRef: string;
  /** The region's flavor list (unfiltered), as the preflight read it. */
  flavors: ReadonlyMap<string, Flavor>;
}

/**
 * `refusal`: the flavor is sold out or abandoned in the server's AZ (plain text: the preflight view escapes
 * it). `note`: it is sold there but not plainly (open beta, or a status the bot does not know), for the card.
 */
export type FlavorSaleCheck =
  | { refusal: string }
  | { note: { availabilityZone: string; status: string; sale: "open_beta" | "unknown" } }
  | undefined;

/** Checks that `flavorRef` (in `flavors`) is sold in the server's AZ; undefined when it plainly is. */
export function checkFlavorSale(input: FlavorSaleInput): FlavorSaleCheck {
  const flavor = input.flavors.get(input.flavorRef);
  const az = input.server.availabilityZone;
  if (!flavor || !az) return undefined;
  const { status, sale } = flavorStatusIn(flavor, az);
  if (isRefusingSale(sale)) return { refusal: flavorNotSoldMessage(input, az, sale, status) };
  if (sale === "open_beta" || sale === "unknown") return { note: { availabilityZone: az, status, sale } };
  return undefined;
}

function flavorNotSoldMessage(input: FlavorSaleInput, az: string, sale: FlavorSale, status: string): string {
  const flavor = input.flavors.get(input.flavorRef)!;
  const why = sale === "abandoned" ? "no longer sold (abandoned)" : `sold out (${status})`;
  const similar = similarFlavors(input, az);
  const suggestion =
    similar.length === 0
      ? ` No other flavor is on sale in ${az}.`
      : ` Similar flavors on sale in ${az}: ${similar.map(formatFlavor).join(", ")}.`;
  return (
    `${input.name}: flavor ${input.flavorRef} is ${why} in ${az}, the AZ of ${input.name}, and a resize ` +
    `cannot move it to another AZ. ${soldElsewhere(flavor, az)}${suggestion} /ecs flavors az=${az} lists them.`
  );
}

/** Where else the flavor is sold, from the AZs it names and its region-wide status. */
function soldElsewhere(flavor: Flavor, az: string): string {
  const named = Object.entries(flavor.statusByAz ?? {}).filter(([other]) => other !== az);
  const sold = named.filter(([, s]) => isSold(saleOfStatus(s))).map(([other]) => other);
  const notSold = named.filter(([, s]) => !isSold(saleOfStatus(s))).map(([other]) => other);
  // The region-wide status holds in every AZ the flavor does not name.
  if (isSold(saleOfStatus(regionStatusOf(flavor)))) {
    return notSold.length === 0
      ? "It is sold in the region's other AZs."
      : `It is sold in the region's other AZs except ${joinWords(notSold)}.`;
  }
  return sold.length === 0 ? "No AZ of the region sells it." : `It is sold only in ${joinWords(sold)}.`;
}

function isSold(sale: FlavorSale): boolean {
  return sale === "on_sale" || sale === "open_beta";
}

/**
 * Flavors on sale (`normal`, `promotion`: never beta or unknown) in the AZ, closest in size to the one
 * asked for (vCPUs and RAM, each on a doubling scale) and not too far from it, the same performance type first
 * among equals; not the asked-for flavor nor the server's current one (a resize to it is refused).
 */
function similarFlavors(input: FlavorSaleInput, az: string): Flavor[] {
  const wanted = input.flavors.get(input.flavorRef)!;
  const distance = (f: Flavor) =>
    Math.abs(Math.log2(Math.max(f.vcpus, 1) / Math.max(wanted.vcpus, 1))) +
    Math.abs(Math.log2(Math.max(f.ramMb, 1) / Math.max(wanted.ramMb, 1)));
  const otherType = (f: Flavor) => (f.performanceType === wanted.performanceType ? 0 : 1);
  return [...input.flavors.values()]
    .filter(
      (f) =>
        f.id !== wanted.id &&
        f.id !== input.server.flavor.id &&
        f.disabled !== true &&
        distance(f) <= MAX_DISTANCE &&
        flavorStatusIn(f, az).sale === "on_sale",
    )
    .sort(
      (a, b) =>
        distance(a) - distance(b) || otherType(a) - otherType(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, SIMILAR);
}
