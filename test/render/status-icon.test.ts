import { describe, expect, it } from "vitest";
import { statusIcon } from "../../src/render/status-icon.js";

describe("statusIcon", () => {
  it.each([
    ["ACTIVE", ":large_green_circle:"],
    ["active", ":large_green_circle:"],
    ["SHUTOFF", ":red_circle:"],
    ["ERROR", ":x:"],
    ["REBOOT", ":hourglass_flowing_sand:"],
    ["RESIZE", ":hourglass_flowing_sand:"],
    ["BUILD", ":hourglass_flowing_sand:"],
    ["DELETED", ":wastebasket:"],
    ["constructor", ":grey_question:"],
    [":tada:", ":grey_question:"],
    [undefined, ":grey_question:"],
  ])("%s → %s", (status, icon) => {
    expect(statusIcon(status)).toBe(icon);
  });
});
