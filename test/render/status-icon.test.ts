import { describe, expect, it } from "vitest";
import { statusIcon } from "../../src/render/status-icon.js";

describe("statusIcon", () => {
  it.each([
    ["ACTIVE", ":large_green_circle:"],
    ["active", ":large_green_circle:"],
    ["SHUTOFF", ":red_circle:"],
    ["ERROR", ":x:"],
    ["REBOOT", ":arrows_counterclockwise:"],
    ["RESIZE", ":arrows_counterclockwise:"],
    ["BUILD", ":arrows_counterclockwise:"],
    ["DELETED", ":wastebasket:"],
    ["constructor", ":grey_question:"],
    [":tada:", ":grey_question:"],
    [undefined, ":grey_question:"],
  ])("%s → %s", (status, icon) => {
    expect(statusIcon(status)).toBe(icon);
  });
});
