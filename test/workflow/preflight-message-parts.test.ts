import { describe, expect, it } from "vitest";
import { context } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { describeDeleteFates, preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
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
    ["REBOOT", "reboot_started", "busy with a reboot · :no_entry: blocked"],
    ["HARD_REBOOT", undefined, "busy with a hard reboot · :no_entry: blocked"],
    ["ACTIVE", "powering-off", "busy with a stop · :no_entry: blocked"],
    ["RESIZE", "resize_migrating", "busy with a resize · :no_entry: blocked"],
    // A task we have no words for: the cloud's task state is the only hint there is.
    ["ACTIVE", "some_new_state", "busy with a task (some_new_state) · :no_entry: blocked"],
  ])("%s (%s): busy, never 'nothing to do', the status once", (status, taskState, expected) => {
    const line = row(status, taskState === undefined ? {} : { taskState });
    expect(line).toContain(`*\`web-03\`* · ${status} — ${expected}`);
    expect(line).not.toContain("nothing to do");
  });

  it("blocked for another reason: the status once, the reason in a few words (in full under Blocking); left out: nothing to do", () => {
    const line = row("ERROR", {});
    expect(line).toContain("*`web-03`* · ERROR — :no_entry: blocked: its status does not allow it");
    expect(line).not.toContain("ERROR — ERROR");
    expect(row("SHUTOFF", { blocking: false })).toContain("— SHUTOFF: nothing to do, left out");
  });
});

describe("preflightMessageParts: operator words", () => {
  it.each([
    ["resize", "same_flavor", "web-03: already has flavor s6.medium.2", "it has that flavor already"],
    [
      "detach",
      "volume_not_attached",
      "web-03: disk 5b4a3c2d is not attached to it",
      "the disk is not attached to it",
    ],
    [
      "attach",
      "volume_already_attached",
      "web-03: disk 5b4a3c2d is attached to it already",
      "the disk is attached already",
    ],
    ["stop", "server_locked", "web-03: is locked", "it is locked"],
  ] as const)(
    "%s blocked by %s: the message, and the row says blocked and why in a few words, never the code",
    (operation, code, message, why) => {
      const t = text(blocked(operation, { code, message }));
      expect(t).toContain(`• ${message}`);
      expect(t).toContain(`:no_entry: blocked: ${why}`);
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

describe("describeDeleteFates: the card names the disks and EIPs a delete takes and those it keeps", () => {
  const kitText = (p: Preflight) =>
    collectMrkdwn(renderBlockKit({ text: "card", blocks: [context(...describeDeleteFates(p))] }))
      .slice(1)
      .join("\n");
  const disk = (n: number, fate: "deleted" | "kept") => ({
    id: `vol-${n}`,
    device: `/dev/vd${String.fromCharCode(97 + n)}`,
    system: false,
    fate,
  });

  function withAttached(...servers: { name: string; disks: number[]; eips: string[]; keep: boolean }[]) {
    const p = makePreflight();
    const base = p.targets[0]!;
    p.targets = servers.map((s, i) => ({
      ...base,
      id: `${base.id.slice(0, -1)}${i}`,
      name: s.name,
      attached: {
        volumes: [
          { id: `sys-${i}`, device: "/dev/vda", system: true, fate: "deleted" as const },
          ...s.disks.map((n) => disk(n, s.keep ? "kept" : "deleted")),
        ],
        eips: s.eips.map((address) => ({
          address,
          fate: s.keep ? ("kept" as const) : ("released" as const),
        })),
      },
    }));
    return p;
  }

  it("one server: each named (never the system disk), singular words, no server named", () => {
    const p = withAttached({ name: "web-03", disks: [1], eips: ["121.36.0.9"], keep: false });
    expect(kitText(p)).toBe(
      ":wastebasket: *Deleted too:* data disk `vol-1` (`/dev/vdb`) · *Released too:* EIP `121.36.0.9`",
    );
  });

  it("many: plurals, the first five then 'and N more'; the server beside each when there are several", () => {
    const p = withAttached(
      { name: "web-03", disks: [1, 2, 3, 4], eips: [], keep: true },
      { name: "web-04", disks: [5, 6, 7], eips: ["121.36.0.1", "121.36.0.2"], keep: true },
    );
    expect(kitText(p)).toBe(
      ":package: *Kept* (still billed): 7 data disks: `vol-1` (`/dev/vdb` on web-03), `vol-2` (`/dev/vdc` on web-03), `vol-3` (`/dev/vdd` on web-03), `vol-4` (`/dev/vde` on web-03), `vol-5` (`/dev/vdf` on web-04) and 2 more · 2 EIPs: `121.36.0.1` (on web-04), `121.36.0.2` (on web-04)",
    );
    expect(kitText(p)).not.toMatch(/\(s\)|sys-/);
  });

  it("nothing attached, disks unreadable, or another operation: no line", () => {
    expect(describeDeleteFates(withAttached({ name: "web-03", disks: [], eips: [], keep: true }))).toEqual(
      [],
    );
    const unread = makePreflight();
    unread.targets[0]!.attached = { unknown: "Ecs.0001: no" };
    expect(describeDeleteFates(unread)).toEqual([]);
    const stop = withAttached({ name: "web-03", disks: [1], eips: [], keep: true });
    stop.operation = "stop";
    expect(describeDeleteFates(stop)).toEqual([]);
  });

  it("IDs, devices and addresses from the cloud are code spans: nothing in them formats or mentions", () => {
    const p = withAttached({ name: "web-03", disks: [1], eips: ["<!channel>"], keep: true });
    const attached = p.targets[0]!.attached as { volumes: { id: string; device?: string }[] };
    attached.volumes[1]!.id = "*bold* <@U1>";
    attached.volumes[1]!.device = "`/dev/vdb`";
    const t = kitText(p);
    expect(t).not.toMatch(/<!channel>|<@U1>/);
    expect(t).toContain(":package: *Kept* (still billed): data disk `");
  });
});
