import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
import {
  PREFLIGHT_PROBLEM_CODES,
  type Preflight,
  type PreflightProblem,
} from "../../src/workflow/preflight-types.js";
import { makePreflight } from "../operations/fixtures.js";
import { collectMrkdwn, collectPlainText, expectValidBlockKit } from "../render/block-kit-test-helpers.js";

function text(preflight: Preflight): string {
  const kit = renderBlockKit({ text: "preflight", blocks: preflightMessageParts(preflight) });
  expectValidBlockKit(kit);
  return [...collectMrkdwn(kit), ...collectPlainText(kit)].join("\n");
}

function blocked(
  operation: Preflight["operation"],
  problem: Omit<PreflightProblem, "severity" | "serverId">,
): Preflight {
  const p = makePreflight();
  p.operation = operation;
  const target = p.targets[0]!;
  const blocking: PreflightProblem = { severity: "blocking", serverId: target.id, ...problem };
  target.problems = [blocking];
  p.problems = [blocking];
  p.blocking = true;
  return p;
}

describe("a server that cannot be changed now: busy, blocked or left out, each said as it is", () => {
  function row(status: string, options: { taskState?: string; blocking?: boolean; calls?: [] }): string {
    const p = blocked("reboot", { code: "status_not_allowed", message: "web-03: the reason" });
    const target = p.targets[0]!;
    target.current!.status = status;
    if (options.taskState !== undefined) target.current!.taskState = options.taskState;
    target.planned = { calls: [], status, flavor: { id: "s6.medium.2" } };
    if (options.blocking === false) {
      target.problems = [];
      p.problems = [];
      p.blocking = false;
    }
    const line = text(p)
      .split("\n")
      .find((l) => l.includes("*`web-03`*"));
    return line ?? "";
  }

  it.each([
    ["REBOOT", "reboot_started", "REBOOT: busy, a reboot is in progress · :no_entry: blocked"],
    ["HARD_REBOOT", undefined, "HARD_REBOOT: busy, a hard reboot is in progress · :no_entry: blocked"],
    ["ACTIVE", "powering-off", "ACTIVE: busy, a stop is in progress · :no_entry: blocked"],
    ["RESIZE", "resize_migrating", "RESIZE: busy, a resize is in progress · :no_entry: blocked"],
    ["ACTIVE", "some_new_state", "ACTIVE: busy, a task is in progress · :no_entry: blocked"],
  ])("%s (%s): busy, never 'nothing to do'", (status, taskState, expected) => {
    const line = row(status, taskState === undefined ? {} : { taskState });
    expect(line).toContain(`— ${expected}`);
    expect(line).not.toContain("nothing to do");
  });

  it("blocked for another reason: the status alone, the reason under Blocking; left out: nothing to do", () => {
    expect(row("ERROR", {})).toContain("— ERROR · :no_entry: blocked");
    expect(row("SHUTOFF", { blocking: false })).toContain("— SHUTOFF: nothing to do, left out");
  });
});

describe("preflightMessageParts: operator words", () => {
  it.each([
    ["resize", "same_flavor", "web-03: already has flavor s6.medium.2"],
    ["detach", "volume_not_attached", "web-03: disk 5b4a3c2d is not attached to it"],
    ["attach", "volume_already_attached", "web-03: disk 5b4a3c2d is attached to it already"],
    ["stop", "server_locked", "web-03: is locked"],
  ] as const)(
    "%s blocked by %s: the message, and the row says blocked, never the code",
    (operation, code, message) => {
      const t = text(blocked(operation, { code, message }));
      expect(t).toContain(`• ${message}`);
      expect(t).toContain("· :no_entry: blocked");
      for (const c of PREFLIGHT_PROBLEM_CODES) expect(t).not.toContain(c);
    },
  );

  it("a cloud refusal: said in words, the cloud's error code and request ID in a context line, as cloud errors are", () => {
    const p = blocked("attach", {
      code: "attach_rejected",
      message: "web-03: Huawei Cloud refuses to attach this disk: The disk must be available.",
      cloud: { code: "Ecs.0103", requestId: "req-1" },
    });
    const kit = renderBlockKit({ text: "preflight", blocks: preflightMessageParts(p) });
    const context = kit.blocks.find(
      (b) => b.type === "context" && JSON.stringify(b).includes("Error code"),
    ) as { elements: { text: string }[] } | undefined;
    expect(context?.elements.map((e) => e.text)).toEqual(["Error code: `Ecs.0103`", "Request ID: `req-1`"]);
    const t = text(p);
    expect(t).toContain("• web-03: Huawei Cloud refuses to attach this disk: The disk must be available.");
    expect(t).not.toContain("attach_rejected");
  });

  it("a refused resize dry run: the dry run field says who refused, the reason is under Blocking", () => {
    const p = blocked("resize", {
      code: "dry_run_rejected",
      message: "web-03: Huawei Cloud refuses this resize: flavor not allowed",
      cloud: { code: "Ecs.0021" },
    });
    const target = p.targets[0]!;
    target.resize = {
      from: { id: "s6.medium.2" },
      to: { id: "s6.large.2" },
      dryRun: "rejected",
      dryRunMessage: "Ecs.0021: flavor not allowed",
    };
    const t = text(p);
    expect(t).toContain("Dry run: refused by Huawei Cloud (the reason is under Blocking)");
    expect(t).toContain("Error code: `Ecs.0021`");
    expect(t).not.toContain("Ecs.0021:");
    expect(t).not.toContain("dry_run_rejected");
  });

  it("a check that could not conclude is never said as 'all checks passed'", () => {
    const p = makePreflight();
    p.problems = [];
    p.blocking = false;
    expect(text(p)).toContain(":white_check_mark: all checks passed");
    p.problems = [
      { severity: "warning", code: "hss_unavailable", message: "HSS could not be read (APIG.0101)" },
    ];
    const t = text(p);
    expect(t).toContain(
      ":white_check_mark: nothing found that blocks it, but some checks could not conclude (1 warning)",
    );
    expect(t).not.toContain("all checks passed");
  });

  it("cloud error codes stay code spans (untrusted)", () => {
    const t = text(
      blocked("attach", {
        code: "attach_rejected",
        message: "web-03: Huawei Cloud refuses to attach this disk: <!channel>",
        cloud: { code: "<!here>" },
      }),
    );
    expect(t).not.toContain("<!channel>");
    expect(t).not.toContain("<!here>");
  });
});
