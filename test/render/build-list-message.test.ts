import { describe, expect, it } from "vitest";
import { buildListMessage } from "../../src/render/build-list-message.js";
import { decodePaginationValue } from "../../src/render/encode-pagination-value.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";
import { expectValidBlockKit } from "./block-kit-test-helpers.js";

const items = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ status: "ACTIVE", title: `srv-${from + i}` }));
const options = { pageSize: 20, total: 45, paginationId: "srv.page", paginationValue: "region=x" };

describe("buildListMessage", () => {
  it("shows the range and only the buttons that lead somewhere", () => {
    const first = renderPlainText(buildListMessage("Servers", items(20), { ...options, page: 1 }));
    expect(first).toContain("Showing 1–20 of 45");
    expect(first).toContain("Page 1 of 3 [Next ▶]");
    const last = renderPlainText(buildListMessage("Servers", items(5, 40), { ...options, page: 3 }));
    expect(last).toContain("Showing 41–45 of 45");
    expect(last).toContain("Page 3 of 3 [◀ Previous]");
  });

  it("carries the target page and context in the button values", () => {
    const rendered = renderBlockKit(buildListMessage("Servers", items(20, 20), { ...options, page: 2 }));
    expectValidBlockKit(rendered);
    const pager = rendered.blocks.at(-1);
    const values =
      pager?.type === "actions" ? pager.elements.map((e) => ("value" in e ? e.value : undefined)) : [];
    expect(values.map((v) => decodePaginationValue(v ?? ""))).toEqual([
      { ok: true, page: 1, context: "region=x" },
      { ok: true, page: 3, context: "region=x" },
    ]);
  });

  it("clamps the page and handles empty results", () => {
    expect(renderPlainText(buildListMessage("Servers", [], { ...options, total: 0, page: 7 }))).toBe(
      "# Servers\nNo items.",
    );
    expect(renderPlainText(buildListMessage("Servers", [], { ...options, page: 9 }))).toContain(
      "No items on this page (45 in total).",
    );
  });

  it("ignores items beyond the page size", () => {
    const text = renderPlainText(buildListMessage("Servers", items(30), { ...options, page: 1 }));
    expect(text).toContain("srv-19");
    expect(text).not.toContain("srv-20");
  });
});
