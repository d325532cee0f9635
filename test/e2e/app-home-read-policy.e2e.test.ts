/**
 * The App Home tab under the read policy, end to end (signed Slack requests over HTTP, the fake Slack's user
 * groups, the simulated cloud): each part of the tab is decided as the command that shows the same would be for
 * the viewer (requests as `/ops approvals`, running operations as `/ops jobs`, the how-to as `/ops help`). A part
 * refused is one line saying so: none of its requests, servers, links or counts, nor its buttons.
 */
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { FakeSlackHomeView } from "../../src/sandbox/slack/index.js";
import { sendEvent } from "../helpers/slack-requests.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
let shippedPolicy: string;

beforeAll(async () => {
  h = await startOperationsHarness();
  shippedPolicy = await readFile("flows/policy.yml", "utf8");
});
afterEach(async () => {
  await h.policy.replace(shippedPolicy);
  await resetApprovalWorld(h);
});
afterAll(async () => {
  await h?.close();
});

/** `user` opens the app's Home tab; resolves with what the bot published. */
async function openHome(user: string): Promise<FakeSlackHomeView> {
  const before = h.fake.homeView(user)?.history.length ?? 0;
  const sent = await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(user));
  expect(sent.status).toBe(200);
  return h.fake.waitFor(() => {
    const home = h.fake.homeView(user);
    return home !== undefined && home.history.length > before ? home : undefined;
  });
}

const homeText = (home: FakeSlackHomeView) => textOf({ blocks: home.view.blocks as unknown[] });

/**
 * The shipped policy with the bot's requests and runs (`/ops approvals`, `/ops jobs`) only for @ops-approvers:
 * everyone else has no rule for them (deny by default).
 */
function approversOnlyPolicy(): string {
  const withoutOpen = shippedPolicy
    .replace(/^ {6}- ops:approvals:list\n/m, "")
    .replace(/^ {6}- ops:jobs:list\n/m, "");
  expect(withoutOpen).not.toBe(shippedPolicy);
  return withoutOpen.replace(
    /^ {2}- id: audit-for-reviewers\n/m,
    `  - id: bot-state-for-approvers
    description: Only approvers see the requests and runs.
    actions: [ops:approvals:list, ops:jobs:list]
    match:
      requesters: { groups: [ops-approvers] }
    effect: allow
  - id: audit-for-reviewers
`,
  );
}

it("a viewer the policy refuses sees a line for each refused part and none of its data; an allowed one sees it", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  const id = /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0] ?? "";
  expect(id).not.toBe("");
  await h.policy.replace(approversOnlyPolicy());

  // Bob, in @ops-approvers: the request waiting for him with its buttons, what runs now, the how-to.
  const bobs = homeText(await openHome(IDS.bob));
  expect(bobs).toContain(`<@${IDS.alice}> asks to *delete* web-03`);
  expect(bobs).toContain("Running now");
  expect(bobs).toContain("How to use hwc-chatops");
  expect(bobs).not.toContain("Not shown");
  expect(actionIdsOf({ blocks: h.fake.homeView(IDS.bob)?.view.blocks as unknown[] })).toContain(
    "ops.approval.approve",
  );

  // Alice asked for it, but is in no group the rule names: her own request is not shown either (as
  // `/ops approvals` would not be), nor what runs, nor any count; the how-to stays (`/ops help` is open).
  const alicesHome = await openHome(IDS.alice);
  const alices = homeText(alicesHome);
  expect(alices).toContain("Not shown: the policy does not let you use `/ops approvals`");
  expect(alices).toContain("Not shown: the policy does not let you use `/ops jobs`");
  expect(alices).toContain("How to use hwc-chatops");
  for (const leaked of [
    id,
    "web-03",
    "Your open requests",
    "Waiting for your approval",
    "open request",
    "running",
  ])
    expect(alices, leaked).not.toContain(leaked);
  expect((alicesHome.view.blocks as unknown[]).length).toBeGreaterThan(0);
  expect(actionIdsOf({ blocks: alicesHome.view.blocks as unknown[] })).toEqual([]);

  // Joining the group gives the tab back at the next opening.
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.alice]);
  expect(homeText(await openHome(IDS.alice))).toContain("web-03");
});

it("deny by default: with no rule for the bot's state nor help, the tab holds only its header and the lines", async () => {
  await h.command("delete web-04");
  await h.waitCard("/ecs delete web-04", (t) => t.includes("Approval needed"));
  await h.policy.replace(shippedPolicy.replace(/^ {6}- ops:[a-zA-Z:]+\n/gm, ""));
  const bobsHome = await openHome(IDS.bob);
  const bobs = homeText(bobsHome);
  for (const command of ["/ops approvals", "/ops jobs", "/ops help"])
    expect(bobs, command).toContain(`Not shown: the policy does not let you use \`${command}\``);
  for (const leaked of ["web-04", "delete", "Approve", "waiting for your approval"])
    expect(bobs, leaked).not.toContain(leaked);
  expect(actionIdsOf({ blocks: bobsHome.view.blocks as unknown[] })).toEqual([]);
});
