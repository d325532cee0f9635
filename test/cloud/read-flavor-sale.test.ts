import { describe, expect, it } from "vitest";
import { listFlavorsResponse, toFlavor } from "../../src/cloud/ecs-schemas.js";
import {
  flavorStatusIn,
  isRefusingSale,
  parseOperationAz,
  saleOfStatus,
} from "../../src/cloud/read-flavor-sale.js";

/** A flavor as the v1 list carries it, with these `os_extra_specs`. */
const parsed = (specs: Record<string, unknown> | null | undefined) =>
  toFlavor(
    listFlavorsResponse.parse({
      flavors: [{ id: "c3.large.2", vcpus: "2", ram: 4096, os_extra_specs: specs }],
    }).flavors![0]!,
  );

describe("a flavor's sale status (5.4.1, Table 5-41)", () => {
  it("reads the reference's own example: abandoned region-wide, per AZ where it differs", () => {
    const f = parsed({
      "cond:operation:status": "abandon",
      "cond:operation:az": "az0(normal), az1(sellout), az2(obt), az3(normal)",
    });
    expect(f.statusByAz).toEqual({ az0: "normal", az1: "sellout", az2: "obt", az3: "normal" });
    expect(flavorStatusIn(f, "az0")).toEqual({ status: "normal", sale: "on_sale", source: "az" });
    expect(flavorStatusIn(f, "az1")).toEqual({ status: "sellout", sale: "sold_out", source: "az" });
    expect(flavorStatusIn(f, "az2")).toEqual({ status: "obt", sale: "open_beta", source: "az" });
    // An AZ it does not name has the region-wide status.
    expect(flavorStatusIn(f, "az9")).toEqual({ status: "abandon", sale: "abandoned", source: "region" });
  });

  it("missing fields mean no restriction: normal everywhere", () => {
    for (const specs of [undefined, null, {}, { "cond:operation:status": "" }, { "cond:operation:az": "" }]) {
      const f = parsed(specs);
      expect(f.statusByAz).toBeUndefined();
      expect(flavorStatusIn(f, "cn-north-4a")).toEqual({
        status: "normal",
        sale: "on_sale",
        source: "region",
      });
    }
  });

  it("ignores invalid AZ entries (blank parentheses, none, nested) and keeps an AZ's first status", () => {
    expect(
      parseOperationAz("az1(), az2, (sellout), az3(sellout)), az4( SellOut ),az4(normal),az5(obt)"),
    ).toEqual({
      az4: "sellout",
      az5: "obt",
    });
    expect(parseOperationAz(undefined)).toEqual({});
    expect(parseOperationAz("garbage")).toEqual({});
  });

  it("classifies every documented status; an unknown one is neither a refusal nor on sale", () => {
    expect(
      ["normal", "promotion", "obt", "sellout", "obt_sellout", "abandon", "Normal ", "coming_soon"].map(
        saleOfStatus,
      ),
    ).toEqual(["on_sale", "on_sale", "open_beta", "sold_out", "sold_out", "abandoned", "on_sale", "unknown"]);
    expect(["sold_out", "abandoned"].every((s) => isRefusingSale(s as "sold_out"))).toBe(true);
    expect(["on_sale", "open_beta", "unknown"].some((s) => isRefusingSale(s as "unknown"))).toBe(false);
  });

  it("a status of another type (a number) is read as its string, not a failure of the list", () => {
    const f = parsed({ "cond:operation:status": 7, "cond:operation:az": "az1(sellout)" });
    expect(f.operationStatus).toBe("7");
    expect(flavorStatusIn(f, "az2").sale).toBe("unknown");
    expect(flavorStatusIn(f, "az1").sale).toBe("sold_out");
  });
});
