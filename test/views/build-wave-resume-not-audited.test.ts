import { expect, it } from "vitest";
import { buildWaveControlReply } from "../../src/views/build-wave-views.js";
import { expectHarmless, render } from "./view-test-helpers.js";

it("a Resume the audit log could not record: not resumed, nothing changed, try again", async () => {
  const { kit, golden } = render(buildWaveControlReply("resume_not_audited"));
  expectHarmless(kit);
  expect(kit.blocks).toHaveLength(1);
  await expect(golden).toMatchFileSnapshot("golden/waves-resume-not-audited.json");
});
