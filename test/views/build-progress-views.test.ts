import { describe, expect, it } from "vitest";
import { buildBusyView } from "../../src/views/build-busy-view.js";
import { buildPendingView } from "../../src/views/build-pending-view.js";
import { expectHarmless, render } from "./view-test-helpers.js";

describe("progress views: placeholders of slow requests and the busy answer", () => {
  it("busy: try again in a moment, nothing was done", async () => {
    const { kit, golden } = render(buildBusyView());
    expect(kit.text).toContain("busy, try again in a moment");
    await expect(golden).toMatchFileSnapshot("golden/busy.json");
  });

  it("looking up one server, by the name as typed", async () => {
    const { golden } = render(buildPendingView({ kind: "lookup", target: { kind: "name", name: "web-04" } }));
    await expect(golden).toMatchFileSnapshot("golden/pending-lookup.json");
  });

  it("checking several servers before a change", async () => {
    const targets = ["web-01", "web-02", "web-03"].map((name) => ({ kind: "name" as const, name }));
    const { kit, golden } = render(buildPendingView({ kind: "check", targets }));
    expect(kit.text).toBe("Checking 3 servers…");
    await expect(golden).toMatchFileSnapshot("golden/pending-check.json");
  });

  it("one server, a tag selector, a list, anything else", () => {
    const text = (m: ReturnType<typeof buildPendingView>) => render(m).kit.text;
    expect(text(buildPendingView({ kind: "check", targets: [{ kind: "name", name: "db-02" }] }))).toBe(
      "Checking `db-02`…",
    );
    expect(
      text(buildPendingView({ kind: "check", targets: [{ kind: "tag", key: "role", value: "cache" }] })),
    ).toBe("Checking the servers tagged `role=cache`…");
    expect(text(buildPendingView({ kind: "list" }))).toBe("Fetching the list…");
    expect(text(buildPendingView({ kind: "working" }))).toBe("Working on it…");
  });

  it("a hostile name is shown escaped, never live", () => {
    const { kit } = render(
      buildPendingView({ kind: "lookup", target: { kind: "name", name: "<!channel> *x*" } }),
    );
    expectHarmless(kit);
  });
});
