/**
 * `/ops audit`: which servers each entry is about (name and ID), the parameters asked for and sent, and how
 * each server ended (a step's problems, a run's final states); long lists cut with "and N more" and the
 * export named; a name that stood for several servers tells them apart by ID; entries without names still read.
 */
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/audit-entry.js";
import { type AuditPageQuery, buildAuditView } from "../../src/operations/build-audit-view.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const AT = Date.UTC(2026, 11, 6, 14, 10);
const HASH = "2d72a1b0c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e";
const REQ = "apr_AAAAAAAAAAAAAAAAAAAAAA";
const RUN = "run_Jm9FI6E-ul3j7dwc";
const WEB1 = "d704b694-9efd-4a74-920f-e8cf2caf37eb";
const WEB2 = "f38404cb-eed4-43f4-8c8b-cb06eedeb34c";
const OLD_WEB1 = "0b1c2d3e-0000-4000-8000-000000000001";

let seq = 100;
function entry(e: Omit<AuditRecord, "id" | "seq" | "ruleIds"> & Partial<AuditRecord>): AuditRecord {
  seq -= 1;
  return { id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`, seq, ruleIds: [], ...e };
}

const NAMES = { [WEB1]: "web-01", [WEB2]: "web-02" };
const run = { actorId: "system:executor", requestId: REQ, executionId: RUN, serverIds: [WEB1, WEB2] };

/** A two-server hard stop, newest first: web-02 failed, web-01 stopped. */
const TRAIL: AuditRecord[] = [
  entry({
    ...run,
    type: "execution.finished",
    at: AT + 9_000,
    serverNames: NAMES,
    outcome: "failed",
    bindingHash: HASH,
  }),
  entry({
    ...run,
    type: "execution.step",
    at: AT + 8_000,
    outcome: "failed",
    message: "run failed",
    detail: {
      phase: "run_finished",
      status: "failed",
      finalStates: [
        { serverId: WEB1, status: "SHUTOFF", flavor: "s6.large.2" },
        { serverId: WEB2, status: "ACTIVE", flavor: "s6.large.2" },
      ],
    },
  }),
  entry({
    ...run,
    type: "execution.step",
    at: AT + 7_000,
    message: "step stop failed",
    detail: {
      phase: "step_finished",
      stepId: "stop",
      status: "failed",
      counts: { succeeded: 1, failed: 1 },
      problems: [{ serverId: WEB2, result: "failed", code: "Ecs.0114", reason: "the server is locked" }],
    },
  }),
  entry({
    ...run,
    type: "execution.step",
    at: AT + 6_000,
    message: "ecs.batch_stop about to be sent for 2 servers",
    detail: { phase: "intent", stepId: "stop", call: "ecs.batch_stop", index: 0, params: { type: "HARD" } },
  }),
  entry({
    type: "request.created",
    at: AT,
    actorId: "U_ALICE",
    requestId: REQ,
    action: "ecs:cloudServers:stop",
    serverIds: [WEB1, WEB2],
    serverNames: NAMES,
    bindingHash: HASH,
    message: "/ecs stop tag:env=prod --hard",
    detail: { parameters: { hard: true } },
  }),
];

function render(
  entries: AuditRecord[],
  query: AuditPageQuery = { subject: { kind: "request", requestId: REQ }, limit: 25 },
) {
  return renderBlockKit(buildAuditView({ query, entries }));
}
const lineOf = (text: string, type: string) =>
  text.split("\n• ").find((l) => l.includes(`\`${type}\``)) ?? "";

describe("buildAuditView: a request's servers", () => {
  const kit = render(TRAIL);
  const text = collectMrkdwn(kit).join("\n");

  it("names the servers asked for (a tag's too) and the parameters asked for and sent", () => {
    expect(lineOf(text, "request.created")).toContain(
      "Servers: `web-01` (`d704b694…`), `web-02` (`f38404cb…`)  ·  Parameters: `hard=true`",
    );
    const sent = text.split("\n").findIndex((l) => l.includes("Sent to Huawei Cloud"));
    expect(text.split("\n")[sent + 1]).toContain(
      "Servers: `web-01` (`d704b694…`), `web-02` (`f38404cb…`)  ·  Parameters sent: `type=HARD`",
    );
  });

  it("says each server's problem and its state at the end of the run, named from the trail", () => {
    expect(lineOf(text, "execution.step")).toBeDefined();
    expect(text).toContain("Problems: `web-02` (`f38404cb…`) failed: Ecs.0114 the server is locked");
    expect(lineOf(text, "execution.finished")).toContain(
      "Final states: `web-01` (`d704b694…`) SHUTOFF, `web-02` (`f38404cb…`) ACTIVE",
    );
  });

  it("renders (golden)", async () => {
    expectValidBlockKit(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/audit-view-servers.json");
  });
});

describe("buildAuditView: many servers", () => {
  const ids = Array.from(
    { length: 40 },
    (_, i) => `${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`,
  );
  const names = Object.fromEntries(ids.map((id, i) => [id, `worker-${String(i).padStart(2, "0")}`]));
  const created = entry({
    type: "request.created",
    at: AT,
    actorId: "U_ALICE",
    requestId: REQ,
    action: "ecs:cloudServers:stop",
    serverIds: ids,
    serverNames: names,
    bindingHash: HASH,
    message: "/ecs stop tag:role=worker",
  });

  it("shows as many as fit the field whole, then 'and N more', and names the request's export", () => {
    const kit = render([created]);
    expectValidBlockKit(kit);
    const text = collectMrkdwn(kit).join("\n");
    const shown = [...text.matchAll(/`worker-\d\d`/g)].length;
    expect(shown).toBeGreaterThan(2);
    expect(text).toContain(
      `\`worker-${String(shown - 1).padStart(2, "0")}\` (\`${ids[shown - 1]!.slice(0, 8)}…\`) and ${40 - shown} more`,
    );
    // Cut whole: no server is half shown, and the renderer did not cut the field.
    expect(text).not.toMatch(/worker-\d\d…|\(`[0-9a-f]{0,7}…?$/m);
    expect(text).toContain(
      `Lists cut short ("and N more"): every server and parameter is in the export, \`npm run audit -- export --request ${REQ}\` on the bot's host.`,
    );
  });

  it("a page whose lists are whole does not point at the export for them", () => {
    const text = collectMrkdwn(render(TRAIL)).join("\n");
    expect(text).not.toContain("Lists cut short");
  });
});

describe("buildAuditView: a name that stood for several servers", () => {
  const entries = [
    entry({
      type: "request.created",
      at: AT,
      actorId: "U_ALICE",
      requestId: REQ,
      action: "ecs:cloudServers:stop",
      serverIds: [WEB1],
      serverNames: { [WEB1]: "web-01" },
      bindingHash: HASH,
      message: "/ecs stop web-01",
    }),
    // Written before names were recorded: the server is said by its ID.
    entry({
      type: "request.created",
      at: AT - 90 * 86_400_000,
      actorId: "U_BOB",
      requestId: "apr_OLDOLDOLDOLDOLDOLDOLDO",
      action: "ecs:cloudServers:delete",
      serverIds: [OLD_WEB1],
      bindingHash: HASH,
      message: "/ecs delete web-01",
    }),
  ];

  it("tells them apart by ID, on the page and on each entry; an entry without names reads by ID", () => {
    const kit = render(entries, {
      subject: { kind: "server", label: "web-01", ids: [WEB1, OLD_WEB1] },
      limit: 25,
    });
    expectValidBlockKit(kit);
    const text = collectMrkdwn(kit).join("\n");
    expect(text).toContain(
      "`web-01` has named 2 different servers: `d704b694…`, `0b1c2d3e…`; each entry says which one (by ID).",
    );
    const [newer, older] = text.split("\n• ").slice(1);
    expect(newer).toContain("Server: `web-01` (`d704b694…`)");
    expect(older).toContain("Server: `0b1c2d3e…`");
    expect(older).not.toContain("d704b694");
  });

  it("one server by that name: no note", () => {
    const text = collectMrkdwn(
      render(entries.slice(0, 1), { subject: { kind: "server", label: "web-01", ids: [WEB1] }, limit: 25 }),
    ).join("\n");
    expect(text).not.toContain("different servers");
    expect(text).toContain("Server: `web-01` (`d704b694…`)");
  });
});
