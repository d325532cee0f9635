import { describe, expect, it } from "vitest";
import type { Flavor } from "../../src/cloud/types.js";
import { checkFlavorSale } from "../../src/workflow/check-flavor-sale.js";

const flavor = (
  id: string,
  vcpus: number,
  ramGb: number,
  sale: { status?: string; byAz?: Record<string, string> } = {},
  performanceType = "normal",
): Flavor => ({
  id,
  name: id,
  vcpus,
  ramMb: ramGb * 1024,
  performanceType,
  ...(sale.status !== undefined && { operationStatus: sale.status }),
  ...(sale.byAz !== undefined && { statusByAz: sale.byAz }),
  extraSpecs: {},
});

const catalog = (...flavors: Flavor[]) => new Map(flavors.map((f) => [f.id, f]));

const base = [
  flavor("s6.small.1", 1, 1),
  flavor("s6.large.2", 2, 4),
  flavor("c7.2xlarge.4", 8, 32, {}, "computingv3"),
  flavor("m6.large.8", 2, 16, {}, "highmem"),
  flavor("m6.xlarge.8", 4, 32, { byAz: { "az-b": "sellout" } }, "highmem"),
];

const check = (flavorRef: string, flavors: Map<string, Flavor>, az: string | null = "az-b") =>
  checkFlavorSale({
    name: "web-02",
    server: { ...(az !== null && { availabilityZone: az }), flavor: { id: "s6.large.2" } },
    flavorRef,
    flavors,
  });

describe("checkFlavorSale: the new flavor in the server's AZ", () => {
  it("sold out in the server's AZ, on sale elsewhere: names the AZs and the closest flavors on sale there", () => {
    const flavors = catalog(
      ...base,
      flavor("m6.2xlarge.8", 8, 64, { byAz: { "az-b": "sellout", "az-c": "obt_sellout" } }, "highmem"),
    );
    expect(check("m6.2xlarge.8", flavors)).toEqual({
      refusal:
        "web-02: flavor m6.2xlarge.8 is sold out (sellout) in az-b, the AZ of web-02, and a resize cannot move it " +
        "to another AZ. It is sold in the region's other AZs except az-c. Similar flavors on sale in az-b: " +
        "c7.2xlarge.4 (8 vCPU, 32 GiB), m6.large.8 (2 vCPU, 16 GiB). " +
        "/ecs flavors az=az-b lists them.",
    });
  });

  it("abandoned region-wide but sold in some AZs: 'sold only in'; never suggests the current flavor", () => {
    const flavors = catalog(
      ...base,
      flavor("s6.medium.2", 1, 2, { status: "abandon", byAz: { "az-a": "normal", "az-c": "promotion" } }),
    );
    const refusal = (check("s6.medium.2", flavors) as { refusal: string }).refusal;
    expect(refusal).toContain("flavor s6.medium.2 is no longer sold (abandoned) in az-b");
    expect(refusal).toContain("It is sold only in az-a and az-c.");
    expect(refusal).toContain("Similar flavors on sale in az-b: s6.small.1 (1 vCPU, 1 GiB), m6.large.8");
    expect(refusal).not.toMatch(/s6\.large\.2 \(/);
  });

  it("sold nowhere, nothing else on sale: says so", () => {
    const flavors = catalog(
      flavor("s6.large.2", 2, 4),
      flavor("x1.large.2", 2, 4, { status: "sellout" }),
      flavor("x1.old.2", 2, 4, { status: "abandon" }),
      flavor("x1.new.2", 2, 4, { status: "obt" }),
    );
    expect((check("x1.large.2", flavors) as { refusal: string }).refusal).toContain(
      "No AZ of the region sells it. No other flavor is on sale in az-b. /ecs flavors az=az-b lists them.",
    );
  });

  it("open beta and unknown statuses are not refused, but noted; normal and promotion pass silently", () => {
    const flavors = catalog(
      ...base,
      flavor("c7.beta.2", 2, 4, { byAz: { "az-b": "obt" } }),
      flavor("c7.odd.2", 2, 4, { status: "coming_soon" }),
      flavor("c7.promo.2", 2, 4, { byAz: { "az-b": "promotion" } }),
    );
    expect(check("c7.beta.2", flavors)).toEqual({
      note: { availabilityZone: "az-b", status: "obt", sale: "open_beta" },
    });
    expect(check("c7.odd.2", flavors)).toEqual({
      note: { availabilityZone: "az-b", status: "coming_soon", sale: "unknown" },
    });
    expect(check("c7.promo.2", flavors)).toBeUndefined();
    expect(check("s6.small.1", flavors)).toBeUndefined();
  });

  it("checks nothing without the server's AZ or for a flavor not in the list", () => {
    expect(check("m6.xlarge.8", catalog(...base), null)).toBeUndefined();
    expect(check("m6.xlarge.8", catalog(...base), "az-a")).toBeUndefined();
    expect(check("x9.huge.99", catalog(...base))).toBeUndefined();
  });
});
