/**
 * "Busy" is one test (`isServerBusyAnswer`): `Ecs.0603`, and only the form of the generic status refusal
 * `Ecs.0100` that names another task in progress on the server; operators read both in the same words.
 */
import { describe, expect, it } from "vitest";
import { CloudError, isServerBusyAnswer } from "../../src/cloud/errors.js";
import { cloudRefusalReason, SERVER_BUSY_REFUSAL } from "../../src/views/build-cloud-error-view.js";

const ANOTHER_TASK =
  "The ECS status does not meet requirements: another task (ff8080829a1b) is in progress on ECS 3f1c-01.";

describe("isServerBusyAnswer", () => {
  it("Ecs.0603 whatever its words; Ecs.0100 only when another task is in progress", () => {
    expect(
      isServerBusyAnswer("Ecs.0603", "Other commands are being executed. Try again 1 minute later."),
    ).toBe(true);
    expect(isServerBusyAnswer("Ecs.0100", ANOTHER_TASK)).toBe(true);
    expect(
      isServerBusyAnswer(
        "Ecs.0100",
        "The ECS status does not meet requirements: ECS 3f1c-01 is SHUTOFF; reboot requires ACTIVE.",
      ),
    ).toBe(false);
    expect(isServerBusyAnswer("Ecs.0100", undefined)).toBe(false);
    expect(isServerBusyAnswer("Ecs.0605", ANOTHER_TASK)).toBe(false);
  });

  it("a CloudError so answered is busy; its reason in operator words", () => {
    const error = new CloudError({ status: 400, code: "Ecs.0100", message: ANOTHER_TASK });
    expect(error.isBusy).toBe(true);
    expect(cloudRefusalReason("Ecs.0100", ANOTHER_TASK)).toBe(SERVER_BUSY_REFUSAL);
    expect(cloudRefusalReason("Ecs.0100", "ECS is SHUTOFF")).toBe("ECS is SHUTOFF");
  });
});
