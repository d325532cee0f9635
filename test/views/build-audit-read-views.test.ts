import { describe, expect, it } from "vitest";
import { buildAuditReadNotRecordedView } from "../../src/views/build-audit-read-not-recorded-view.js";
import { render } from "./view-test-helpers.js";

describe("reads of the audit log", () => {
  it("a read whose own entry could not be written shows nothing and says why", async () => {
    const { golden } = render(buildAuditReadNotRecordedView());
    await expect(golden).toMatchFileSnapshot("golden/audit-read-not-recorded.json");
  });
});
