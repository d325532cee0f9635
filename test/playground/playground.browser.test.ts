import { copyFile, mkdir } from "node:fs/promises";
import { Writable } from "node:stream";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ViewSubmission } from "../../src/commands/types.js";
import { createLogger } from "../../src/log/create-logger.js";
import { PLAYGROUND_IDS, type Playground, startPlayground } from "../../src/sandbox/playground/index.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { composeTestBot, OPEN_FORM_ACTION } from "./compose-test-bot.js";
import { type LaunchedBrowser, launchChromium } from "./launch-chromium.js";

/**
 * The page in headless Chromium against a running playground (real bot, fake Slack, simulated cloud).
 * Every wait is for a selector or text; nothing sleeps.
 */
const RESULTS_DIR = "test-results";
const HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_SCRIPT = "<script>window.__pwned=2</script>";

let pg: Playground;
let browser: LaunchedBrowser;
const submissions: ViewSubmission[] = [];

beforeAll(async () => {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  pg = await startPlayground({
    port: 0,
    createBot: composeTestBot(submissions),
    print: () => {},
    logger: createLogger({ level: "silent", destination: discard }),
  });
  pg.cloud.control.addServer({ name: HOSTILE_IMG });
  pg.cloud.control.addServer({ name: HOSTILE_SCRIPT });
  browser = await launchChromium();
  // Fail with Playwright's message (which selector, what it saw) well before the test times out.
  browser.context.setDefaultTimeout(15_000);
  await mkdir(RESULTS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pg?.close();
});

async function openPage(user: string, channel: string = SLACK_IDS.ops): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(pg.url);
  // Ready: the event stream is open and the first snapshot is applied.
  await page.locator('body[data-ready="true"]').waitFor({ state: "attached" });
  await actAs(page, user);
  await page.locator(`.channel-link[data-channel="${channel}"]`).click();
  await page.locator(`.channel-link.active[data-channel="${channel}"]`).waitFor();
  // Uncaught errors in the page fail the test that caused them.
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

async function actAs(page: Page, user: string): Promise<void> {
  await page.locator("#user-switcher").selectOption(user);
}

async function type(page: Page, text: string): Promise<void> {
  await page.locator("#composer").fill(text);
  await page.locator("#composer").press("Enter");
}

/** Posts a message as the bot would (Web API with the bot token): for rendering tests. */
async function postAsBot(message: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${pg.slack.apiUrl}chat.postMessage`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${pg.slack.botToken}`,
      "content-type": "application/json; charset=utf-8",
    },
    body: JSON.stringify(message),
  });
  const json = (await response.json()) as { ok: boolean; ts: string; error?: string };
  if (!json.ok) throw new Error(`chat.postMessage failed: ${json.error}`);
  return json.ts;
}

/** Saves a screenshot in test-results/; with UPDATE_SCREENSHOT=1, also as the README's `docs/<readme>.png`. */
async function saveScreenshot(page: Page, name: string, readme?: string): Promise<void> {
  const path = `${RESULTS_DIR}/${name}.png`;
  await page.screenshot({ path });
  if (readme !== undefined && process.env.UPDATE_SCREENSHOT === "1") {
    await mkdir("docs", { recursive: true });
    await copyFile(path, `docs/${readme}.png`);
  }
}

describe("the playground page", { timeout: 60_000 }, () => {
  it("/ecs list shows the fleet; hostile server names are shown as text, nothing is injected", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, "/ecs list");

    const list = page.locator('.msg[data-kind="ephemeral"]', { hasText: "ECS servers" });
    await list.waitFor();
    await list.getByText("Only visible to you").waitFor();
    await list.getByText(/Showing 1–20 of 59/).waitFor();
    await list.getByText("api-01", { exact: true }).waitFor();

    // The hostile names arrive (escaped by the bot) and are rendered as text.
    await list.getByText("<!channel>", { exact: true }).waitFor();
    await list.getByText("<https://evil.example|Approve>", { exact: true }).waitFor();
    await list.getByText(/^<img src=x onerror=/).waitFor();
    await list.getByText(/^<script>window\./).waitFor();
    expect(await page.locator("#messages img, #messages script, #cloud img, #cloud script").count()).toBe(0);
    expect(await page.locator("#messages a").count()).toBe(0);
    expect(await page.locator("#messages .mention-broadcast").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();

    // The cloud panel lists the same fleet, hostile names as text too.
    await page.locator('#cloud-servers tr[data-server-name="web-03"]').waitFor();
    await page.locator("#cloud-servers td", { hasText: /^<img src=x onerror=/ }).waitFor();
    expect(await page.locator("#cloud-servers tr").count()).toBe(59);

    await list.locator(".bk-header").scrollIntoViewIfNeeded();
    await saveScreenshot(page, "playground-list");

    // Paging is a click that goes to the bot and comes back as a replaced ephemeral.
    await list.getByRole("button", { name: /Next/ }).click();
    await page.locator('.msg[data-kind="ephemeral"]', { hasText: /Showing 21–40 of 59/ }).waitFor();
    expect(await page.locator('.msg[data-kind="ephemeral"]').count()).toBe(1);

    // Another user does not see Alice's ephemeral.
    await actAs(page, SLACK_IDS.bob);
    await page
      .locator('.msg[data-kind="ephemeral"]', { hasText: "ECS servers" })
      .waitFor({ state: "detached" });
    await actAs(page, SLACK_IDS.alice);
    await page.locator('.msg[data-kind="ephemeral"]', { hasText: "ECS servers" }).waitFor();

    await saveScreenshot(page, "playground-list-page-2");
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("renders mrkdwn and Block Kit safely, threads open in the side pane, chat.update shows live", async () => {
    const page = await openPage(SLACK_IDS.carol, SLACK_IDS.prod);
    const ts = await postAsBot({
      channel: SLACK_IDS.prod,
      text: "fallback",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Report :warning:", emoji: true } },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*bold* _italic_ ~strike~ `code` <https://example.com/x|a link> <@U_ALICE> &lt;b&gt; &amp; :large_green_circle: <javascript:alert(1)|bad link>\nsecond line\n```block &lt;pre&gt;```",
          },
          fields: [
            { type: "mrkdwn", text: "*Status*\n:red_circle: SHUTOFF" },
            { type: "plain_text", text: "Plain <b>field</b>" },
          ],
        },
        { type: "divider" },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "context <!here>" },
            // A name with a backtick as the bot sends it: code spans around a date Slack cannot format.
            { type: "mrkdwn", text: "name `a`<!date^0^{_}|`>`b &lt;c&gt;`" },
          ],
        },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "demo.primary",
              style: "primary",
              text: { type: "plain_text", text: "Go" },
            },
            {
              type: "button",
              action_id: "demo.danger",
              style: "danger",
              text: { type: "plain_text", text: "Stop" },
            },
            {
              type: "static_select",
              action_id: "demo.select",
              placeholder: { type: "plain_text", text: "Pick one" },
              options: [
                { text: { type: "plain_text", text: "One" }, value: "1" },
                { text: { type: "plain_text", text: "Two" }, value: "2" },
              ],
            },
          ],
        },
      ],
    });
    const message = page.locator(`#messages .msg[data-ts="${ts}"]`);
    await message.waitFor();
    await message.locator(".bk-header", { hasText: "Report ⚠️" }).waitFor();
    expect(await message.locator("b", { hasText: "bold" }).count()).toBe(1);
    expect(await message.locator("i", { hasText: "italic" }).count()).toBe(1);
    expect(await message.locator("s", { hasText: "strike" }).count()).toBe(1);
    expect(await message.locator("code.md-code", { hasText: "code" }).count()).toBe(1);
    expect(await message.locator("pre.md-pre").textContent()).toBe("block <pre>");
    expect(await message.locator("a.link").count()).toBe(1);
    expect(await message.locator("a.link").getAttribute("href")).toBe("https://example.com/x");
    expect(await message.locator("a.link").textContent()).toBe("a link");
    await message.getByText("bad link").waitFor();
    expect(await message.locator(".mention").first().textContent()).toBe("@alice");
    await message.getByText("<b> & 🟢", { exact: false }).waitFor();
    await message.locator(".bk-field", { hasText: "Plain <b>field</b>" }).waitFor();
    await message.locator(".mention-broadcast", { hasText: "@here" }).waitFor();
    // The unformattable date shows its fallback as plain text, so the name reads (and copies) exactly.
    expect(await message.locator(".bk-context-el").nth(1).textContent()).toBe("name a`b <c>");
    await message.locator("hr.bk-divider").waitFor();
    expect(await message.locator(".bk-button-primary").textContent()).toBe("Go");
    expect(await message.locator(".bk-button-danger").textContent()).toBe("Stop");
    expect(await message.locator("select.bk-select option").allTextContents()).toEqual([
      "Pick one",
      "One",
      "Two",
    ]);
    expect(await message.locator("b b, script, img").count()).toBe(0);

    // Replies in the thread: "2 replies" opens the thread pane.
    await postAsBot({ channel: SLACK_IDS.prod, thread_ts: ts, text: "first *reply*" });
    await postAsBot({ channel: SLACK_IDS.prod, thread_ts: ts, text: "second reply" });
    await message.getByRole("button", { name: /2 replies/ }).click();
    await page.locator("#thread").waitFor();
    await page.locator("#thread-messages .msg", { hasText: "second reply" }).waitFor();
    expect(await page.locator("#thread-messages .msg").count()).toBe(3);

    // chat.update by the bot shows up without a reload.
    const update = await fetch(`${pg.slack.apiUrl}chat.update`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${pg.slack.botToken}`,
        "content-type": "application/json; charset=utf-8",
      },
      body: JSON.stringify({ channel: SLACK_IDS.prod, ts, text: "Updated *live*", blocks: [] }),
    });
    expect(((await update.json()) as { ok: boolean }).ok).toBe(true);
    await message.locator("b", { hasText: "live" }).waitFor();
    await page.locator("#thread-messages .msg", { hasText: "Updated live" }).waitFor();

    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("a confirm dialog, then the bot's modal: errors keep it open, a good submission closes it", async () => {
    const page = await openPage(SLACK_IDS.dave);
    const ts = await postAsBot({
      channel: SLACK_IDS.ops,
      text: "Form",
      blocks: [
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: OPEN_FORM_ACTION,
              style: "danger",
              text: { type: "plain_text", text: "Open form" },
              confirm: {
                title: { type: "plain_text", text: "Really?" },
                text: { type: "mrkdwn", text: "This opens *the form*." },
                confirm: { type: "plain_text", text: "Yes, open" },
                deny: { type: "plain_text", text: "No" },
                style: "danger",
              },
            },
          ],
        },
      ],
    });
    const message = page.locator(`.msg[data-ts="${ts}"]`);
    await message.getByRole("button", { name: "Open form" }).click();
    const confirm = page.locator("#confirm-layer .dialog");
    await confirm.getByText("Really?").waitFor();
    await confirm.locator("b", { hasText: "the form" }).waitFor();
    await confirm.getByRole("button", { name: "Yes, open" }).click();

    const modal = page.locator("#modal-layer .dialog-modal");
    await modal.getByText("Tell us why").waitFor();
    // Only the person it was opened for sees it.
    await actAs(page, SLACK_IDS.alice);
    await modal.waitFor({ state: "detached" });
    await actAs(page, SLACK_IDS.dave);
    await modal.getByText("Tell us why").waitFor();

    await modal.getByLabel("Reason").fill("no");
    await modal.getByRole("button", { name: "Send" }).click();
    await modal.locator(".bk-input-error", { hasText: "Give a reason (5+ characters)" }).waitFor();

    await modal.getByLabel("Reason").fill("disk <full> & noisy");
    await modal.getByRole("button", { name: "Send" }).click();
    await modal.waitFor({ state: "detached" });
    const thanks = page.locator(".msg", { hasText: "Reason received from" });
    await thanks.waitFor();
    await thanks.getByText("disk <full> & noisy", { exact: false }).waitFor();
    expect(submissions.at(-1)?.values.reason).toBe("disk <full> & noisy");

    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("composer: autocomplete and usage hints for /ecs, unknown commands get Slack's notice", async () => {
    const page = await openPage(SLACK_IDS.alice);
    const composer = page.locator("#composer");
    await composer.fill("/ecs del");
    await page.locator(".autocomplete-item", { hasText: "/ecs delete" }).waitFor();
    await composer.press("Tab");
    expect(await composer.inputValue()).toBe("/ecs delete ");
    await page.locator(".usage-hint", { hasText: "/ecs delete <targets…>" }).waitFor();
    await composer.fill("/hs");
    await page.locator(".autocomplete-item", { hasText: "/hss" }).first().waitFor();
    await composer.fill("/ops");
    await page.locator(".autocomplete-item", { hasText: "/ops help" }).waitFor();

    await type(page, "/deploy everything");
    await page.locator(".msg-notice", { hasText: "/deploy is not a valid command" }).waitFor();
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("fault buttons reach the simulator", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await page.locator("#fault-latency").selectOption("500");
    await page.locator("#cloud-latency", { hasText: "+500 ms latency" }).waitFor();
    expect(pg.cloud.control.faults().latencyMs).toBe(500);
    await page.locator("#fault-clear").click();
    await page.locator("#flash", { hasText: "Faults cleared." }).waitFor();
    expect(pg.cloud.control.faults().latencyMs).toBe(0);
    await page.locator("#fault-fail-next").click();
    await page.locator("#flash", { hasText: "The next cloud job will fail." }).waitFor();
    pg.cloud.control.clearJobFailures();
    await page.close();
  });

  it("/ecs delete web-03: approval card, two approvers approve, the job runs in the thread, web-03 is gone", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, "/ecs delete web-03");
    const card = page.locator('.msg[data-kind="message"]', { hasText: "web-03" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    await card.waitFor();
    // Once approved, the card loses its buttons: follow it by its timestamp from here on.
    const ts = await card.getAttribute("data-ts");
    const root = page.locator(`.msg[data-kind="message"][data-ts="${ts}"]`);

    for (const approver of [SLACK_IDS.bob, SLACK_IDS.carol]) {
      const approve = root.getByRole("button", { name: /^Approve/ });
      if ((await approve.count()) === 0) break;
      await actAs(page, approver);
      await approve.click();
      const confirm = page.locator("#confirm-layer .dialog");
      if (await confirm.isVisible()) await confirm.locator(".dialog-footer button").last().click();
      // The card names who approved (as a mention, or as text while the fake's IDs are not mentionable).
      const name = approver === SLACK_IDS.bob ? /@bob|U_BOB/ : /@carol|U_CAROL/;
      await root.getByText(name).first().waitFor();
    }

    await root.getByRole("button", { name: /repl(y|ies)/ }).click();
    await page
      .locator("#thread-messages .msg", { hasText: /deleted|succeeded|success|done/i })
      .last()
      .waitFor({
        timeout: 20_000,
      });
    await page.locator('#cloud-servers tr[data-server-name="web-03"]').waitFor({ state: "detached" });
    await saveScreenshot(page, "playground-approval", "playground");
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("a windowed change: the card says when it runs, an approver approves, it waits scheduled and can be cancelled", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, "/ops calendar");
    await page.locator('.msg[data-kind="ephemeral"]', { hasText: "maintenance" }).last().waitFor();
    await type(page, "/ecs reboot web-04 --hard --window maintenance");
    const card = page.locator('.msg[data-kind="message"]', { hasText: "--window maintenance" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    await card.waitFor();
    await card.getByText(/when the maintenance window/).waitFor();
    const ts = await card.getAttribute("data-ts");
    const root = page.locator(`.msg[data-kind="message"][data-ts="${ts}"]`);
    await actAs(page, SLACK_IDS.bob);
    await root.getByRole("button", { name: /^Approve/ }).click();
    const confirm = page.locator("#confirm-layer .dialog");
    if (await confirm.isVisible()) await confirm.locator(".dialog-footer button").last().click();
    await root.getByText("Scheduled:").waitFor();
    await actAs(page, SLACK_IDS.alice);
    await root.getByRole("button", { name: "Cancel request" }).click();
    await root.getByText(/Cancelled by/).waitFor();
    expect(
      pg.cloud.control
        .requests()
        .filter((r) => r.mutation !== null && r.mutation.type === "batchRebootServers"),
    ).toEqual([]);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("a schedule from the sidebar's example: its card says when in words, an approver makes it active", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await page.locator(".sidebar-help code", { hasText: "/ops schedule add" }).click();
    expect(await page.locator("#composer").inputValue()).toBe(
      '/ops schedule add "*/5 * * * *" /ecs reboot web-02',
    );
    await page.locator("#composer").press("Enter");
    const card = page.locator('.msg[data-kind="message"]', { hasText: "Schedule needs approval" });
    await card.getByText("every 5 minutes").waitFor();
    await card.getByText("Next runs").waitFor();
    const ts = await card.getAttribute("data-ts");
    const root = page.locator(`.msg[data-kind="message"][data-ts="${ts}"]`);
    await actAs(page, SLACK_IDS.bob);
    await root.getByRole("button", { name: /^Approve/ }).click();
    const confirm = page.locator("#confirm-layer .dialog");
    await confirm.getByText("every 5 minutes").waitFor();
    await confirm.locator(".dialog-footer button").last().click();
    await root.getByText("Schedule active").waitFor();
    await saveScreenshot(page, "playground-schedule");
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("an outsider's Approve click gets the bot's ephemeral refusal, visible only to them", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, "/ecs delete web-04");
    const card = page.locator('.msg[data-kind="message"]', { hasText: "web-04" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    await card.waitFor();
    await actAs(page, SLACK_IDS.dave);
    await card.getByRole("button", { name: /^Approve/ }).click();
    const confirm = page.locator("#confirm-layer .dialog");
    if (await confirm.isVisible()) await confirm.locator(".dialog-footer button").last().click();
    const refusal = page.locator('.msg[data-kind="ephemeral"]', { hasText: /approv/i }).last();
    await refusal.getByText("Only visible to you").waitFor();
    const refusalTs = await refusal.getAttribute("data-ts");
    await saveScreenshot(page, "playground-outsider");
    await actAs(page, SLACK_IDS.alice);
    await page.locator(`.msg[data-ts="${refusalTs}"]`).waitFor({ state: "detached" });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("break-glass in the playground", { timeout: 60_000 }, () => {
  it("Alice (@sre) breaks the glass: it runs without approval, #prod-ops gets the alert, Bob acknowledges it", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, '/ecs reboot web-02 --hard --break-glass "web tier down, INC-4711 rollback"');
    await page.locator('.msg[data-kind="message"]', { hasText: "Break-glass" }).first().waitFor();
    await page.locator(`.channel-link[data-channel="${SLACK_IDS.prod}"]`).click();
    const alert = page.locator('.msg[data-kind="message"]', { hasText: "INC-4711 rollback" }).filter({
      has: page.getByRole("button", { name: /^Acknowledge/ }),
    });
    await alert.waitFor();
    const ts = await alert.getAttribute("data-ts");
    const card = page.locator(`.msg[data-kind="message"][data-ts="${ts}"]`);
    await saveScreenshot(page, "playground-break-glass");
    await actAs(page, SLACK_IDS.bob);
    await card.getByRole("button", { name: /^Acknowledge/ }).click();
    await card.getByText(/acknowledged by/).waitFor();
    await expect(card.getByRole("button", { name: /^Acknowledge/ }).count()).resolves.toBe(0);
    // The reboot itself reached the cloud, without an approval; waiting for it here also keeps a
    // slow run from landing in the next test's request counts.
    const web02 = pg.cloud.control.server("web-02")?.id;
    await expect
      .poll(
        () =>
          pg.cloud.control
            .requests()
            .some(
              (r) =>
                r.mutation?.type === "batchRebootServers" &&
                web02 !== undefined &&
                r.mutation.serverIds.includes(web02),
            ),
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("a rolling wave in the playground", { timeout: 90_000 }, () => {
  it("the sidebar's wave example: Bob approves, the thread lists the waves, Pause, Resume and Abort steer it", async () => {
    // Reboots of staging servers only: a run of an earlier test (the break-glass reboot of web-02,
    // in prod) is not this test's.
    const staging = new Set(
      pg.cloud.control
        .servers()
        .filter((s) => s.tags.env === "staging")
        .map((s) => s.id),
    );
    const reboots = () =>
      pg.cloud.control
        .requests()
        .filter(
          (r) =>
            r.mutation !== null &&
            r.mutation.type === "batchRebootServers" &&
            r.mutation.serverIds.some((id) => staging.has(id)),
        );
    const rebootsBefore = reboots().length;
    const page = await openPage(SLACK_IDS.alice);
    await page.locator(".sidebar-help code", { hasText: "--waves" }).click();
    expect(await page.locator("#composer").inputValue()).toBe(
      "/ecs reboot tag:env=staging --hard --waves 3 --pause 5m",
    );
    await page.locator("#composer").press("Enter");
    // The plan is on the card, bound by the approval: the staging servers in 3 waves, 5 minutes apart
    // (13 or 14 of them, as earlier tests may have deleted web-03).
    const card = page.locator('#messages .msg[data-kind="message"]', { hasText: "--waves 3" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    const plan = card.getByText(/3 waves \(\d+, \d+, \d+ servers\) · 5m pause between waves/);
    const sizes = /\((\d+), (\d+), (\d+) servers\)/
      .exec((await plan.textContent()) ?? "")
      ?.slice(1)
      .map(Number);
    expect(sizes?.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(13);
    const [first = 0, second = 0, third = 0] = sizes ?? [];
    const ts = await card.getAttribute("data-ts");
    const root = page.locator(`#messages .msg[data-kind="message"][data-ts="${ts}"]`);
    await actAs(page, SLACK_IDS.bob);
    await root.getByRole("button", { name: /^Approve/ }).click();
    const confirm = page.locator("#confirm-layer .dialog");
    if (await confirm.isVisible()) await confirm.locator(".dialog-footer button").last().click();
    await root
      .getByText(/@bob|U_BOB/)
      .first()
      .waitFor();

    // The thread's wave list: a line per wave, updated in place.
    await root.getByRole("button", { name: /repl(y|ies)/ }).click();
    // The list, not a wave's own status message ("Wave 1 of 3"): its lines read "Wave 1 (n servers…".
    const waves = page.locator('#thread-messages .msg[data-kind="message"]', { hasText: /Wave 1 \(/ });
    await waves.getByText(new RegExp(`Wave 3 \\(${third} servers`)).waitFor({ timeout: 20_000 });
    await waves.getByText(new RegExp(`Wave 2 \\(${second} servers.*— pending`)).waitFor();

    // The requester pauses: the next wave waits for Resume, whatever the timed pause says.
    await actAs(page, SLACK_IDS.alice);
    await waves.getByRole("button", { name: "Pause" }).click();
    await waves.getByText(/Paused by (@alice|U_ALICE): the next wave waits for Resume/).waitFor();
    // The first wave finishes (the run and its health check), then the run holds before the second.
    // A stopped staging server in it is left out, and counted apart ("4 ok · 1 skipped").
    const wave1 = waves.getByText(new RegExp(`Wave 1 \\(${first} servers.*— done: \\d+ ok`));
    await wave1.waitFor({ timeout: 30_000 });
    const [, ok = "0", skipped] =
      /done: (\d+) ok(?: · (\d+) skipped)?/.exec((await wave1.textContent()) ?? "") ?? [];
    expect(Number(ok) + Number(skipped ?? 0)).toBe(first);
    await waves.getByText(/Wave 2.*— pending/).waitFor();
    await saveScreenshot(page, "playground-waves-paused");

    // The approver resumes: running again, the second wave after its 5-minute pause.
    await actAs(page, SLACK_IDS.bob);
    await waves.getByRole("button", { name: "Resume" }).click();
    await waves.getByText("Running in waves").waitFor();
    await waves.getByRole("button", { name: "Pause" }).waitFor();
    await waves.getByText(/Next wave after the pause, in/).waitFor();

    // The requester aborts, after Slack's confirm: the later waves are not run, the buttons are gone.
    await actAs(page, SLACK_IDS.alice);
    await waves.getByRole("button", { name: "Abort" }).click();
    await confirm.getByText("Abort the waves?").waitFor();
    await confirm.getByRole("button", { name: "Abort" }).click();
    await waves.getByText(/Aborted by (@alice|U_ALICE); the later waves were not run/).waitFor();
    await waves.getByText(/Wave 2.*— not run/).waitFor();
    await waves.getByText(/Wave 3.*— not run/).waitFor();
    await waves
      .getByText(
        `${ok} ok${skipped ? ` · ${skipped} skipped` : ""} · 0 failed or unknown · ${second + third} not run`,
      )
      .waitFor();
    expect(await waves.getByRole("button").count()).toBe(0);
    // Every emoji of the wave list is one the page knows (none left as `:shortcode:`).
    expect(await waves.textContent()).not.toMatch(/:[a-z_]+:/);
    await saveScreenshot(page, "playground-waves-aborted");
    // Only the first wave reached the cloud: one batch reboot, of at most its servers.
    const sent = reboots().slice(rebootsBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.mutation?.serverIds.length).toBeLessThanOrEqual(first);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("the app's Home tab", { timeout: 90_000 }, () => {
  /** The actions row under the Home's section naming `needle` (each request is a section, then its buttons). */
  const buttonsFor = (page: Page, needle: string) =>
    page
      .locator("#home .bk > .bk-section", { hasText: needle })
      .locator("xpath=following-sibling::*[1][contains(@class, 'bk-actions')]");

  async function approveFromHome(page: Page, needle: string, answer: RegExp): Promise<void> {
    const approve = buttonsFor(page, needle).getByRole("button", { name: "Approve" });
    await approve.click();
    const confirm = page.locator("#confirm-layer .dialog");
    await confirm.getByText("Approve: delete?").waitFor();
    await confirm.getByText("This cannot be undone.").waitFor();
    await confirm.getByRole("button", { name: "Approve delete" }).click();
    // The tab is published again with the answer on top, and no longer offers the request.
    await page.locator("#home .bk-section", { hasText: answer }).waitFor();
    await buttonsFor(page, needle).waitFor({ state: "detached" });
  }

  it("shows each person their Home; a delete is approved from it by two approvers and runs", async () => {
    const page = await openPage(SLACK_IDS.alice);
    await type(page, "/ecs delete web-07");
    const card = page.locator('.msg[data-kind="message"]', { hasText: "web-07" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    await card.waitFor();
    const cardTs = await card.getAttribute("data-ts");

    // Bob opens the app: its Home tab, built for him, with the card's buttons and a link to it.
    await actAs(page, SLACK_IDS.bob);
    await page.locator(`.channel-link[data-channel="${SLACK_IDS.dmBob}"]`).click();
    await page.locator('#app-tabs .app-tab.active[data-tab="home"]').waitFor();
    expect(await page.locator("#channel-composer").isHidden()).toBe(true);
    const home = page.locator("#home");
    await home.locator(".bk-header", { hasText: "hwc-chatops" }).waitFor();
    await home.getByText("Waiting for your approval").waitFor();
    await home.getByText("How to use hwc-chatops").waitFor();
    await buttonsFor(page, "web-07").getByRole("button", { name: "Reject" }).waitFor();
    expect(
      await home.locator(".bk-section", { hasText: "web-07" }).locator("a.link").getAttribute("href"),
    ).toMatch(/^https:\/\/hwc-fake\.slack\.com\/archives\/C_OPS\/p\d+$/);
    await saveScreenshot(page, "playground-home", "playground-home");

    // "Open the card" shows the card in #ops, marked, as Slack would: no new tab on the fake domain.
    const popups: Page[] = [];
    page.on("popup", (p) => popups.push(p));
    await home
      .locator(".bk-section", { hasText: "web-07" })
      .getByRole("link", { name: "Open the card" })
      .click();
    await page.locator(`.channel-link.active[data-channel="${SLACK_IDS.ops}"]`).waitFor();
    await page.locator(`#messages .msg.msg-highlight[data-ts="${cardTs}"]`).waitFor();
    expect(popups).toEqual([]);
    await page.locator(`.channel-link[data-channel="${SLACK_IDS.dmBob}"]`).click();
    await page.locator('#app-tabs .app-tab.active[data-tab="home"]').waitFor();

    await approveFromHome(page, "web-07", /Approval recorded \(1 of 2\)/);

    // Switching to Carol shows her own Home; she completes the approvals there.
    await actAs(page, SLACK_IDS.carol);
    await page.locator(`.channel-link.active[data-channel="${SLACK_IDS.dmCarol}"]`).waitFor();
    await buttonsFor(page, "web-07").waitFor();
    await approveFromHome(page, "web-07", /Approved \(2 of 2\)/);
    await page
      .locator('#cloud-servers tr[data-server-name="web-07"]')
      .waitFor({ state: "detached", timeout: 30_000 });

    // The card in the channel says so too (Messages and channels are one click away).
    await page.locator(`.channel-link[data-channel="${SLACK_IDS.ops}"]`).click();
    await card.waitFor({ state: "detached" });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("a delete of a prod server in the playground", { timeout: 90_000 }, () => {
  it("Alice asks to delete cache-01 (prod: 3 approvals); Bob, Carol and Frank approve it and it runs", async () => {
    // cache-01 is tagged env=prod: `delete-needs-two-approvals` (2) and `prod-needs-one-more` (+1).
    expect(pg.cloud.control.server("cache-01")?.tags.env).toBe("prod");
    const page = await openPage(SLACK_IDS.alice);
    // The switcher offers the third approver, and its help names him.
    const frank = page.locator(`#user-switcher option[value="${PLAYGROUND_IDS.frank}"]`);
    expect(await frank.textContent()).toBe("Frank Approver (@frank) · approver");
    expect(await frank.getAttribute("title")).toBe("Approver: can approve other people's requests.");
    expect(await page.locator("#user-switcher").getAttribute("title")).toContain(
      "approve as Bob, Carol or Frank (a delete of a prod server needs all three)",
    );

    await type(page, "/ecs delete cache-01");
    const card = page.locator('#messages .msg[data-kind="message"]', { hasText: "cache-01" }).filter({
      has: page.getByRole("button", { name: /^Approve/ }),
    });
    await card.waitFor();
    const ts = await card.getAttribute("data-ts");
    const root = page.locator(`#messages .msg[data-kind="message"][data-ts="${ts}"]`);
    const deletes = () =>
      pg.cloud.control.requests().filter((r) => r.mutation !== null && r.mutation.type === "deleteServers");
    const deletesBefore = deletes().length;

    const approvers = [
      [SLACK_IDS.bob, /@bob|U_BOB/],
      [SLACK_IDS.carol, /@carol|U_CAROL/],
      [PLAYGROUND_IDS.frank, /@frank|U_FRANK/],
    ] as const;
    for (const [i, [approver, mention]] of approvers.entries()) {
      // Nothing has run before the third approval.
      expect(deletes().length).toBe(deletesBefore);
      await actAs(page, approver);
      await root.getByRole("button", { name: /^Approve/ }).click();
      const confirm = page.locator("#confirm-layer .dialog");
      await confirm.getByText("Approve: delete?").waitFor();
      await confirm.getByRole("button", { name: "Approve delete" }).click();
      // The card names who approved (as a mention, or as text while the fake's IDs are not mentionable).
      await root.getByText(mention).first().waitFor();
      if (i < approvers.length - 1)
        await root
          .getByText(new RegExp(`${i + 1} of 3`))
          .first()
          .waitFor();
    }
    await root.getByRole("button", { name: /^Approve/ }).waitFor({ state: "detached" });

    await root.getByRole("button", { name: /repl(y|ies)/ }).click();
    await page
      .locator("#thread-messages .msg", { hasText: /deleted|succeeded|success|done/i })
      .last()
      .waitFor({ timeout: 30_000 });
    await page
      .locator('#cloud-servers tr[data-server-name="cache-01"]')
      .waitFor({ state: "detached", timeout: 30_000 });
    expect(pg.cloud.control.server("cache-01")).toBeUndefined();
    expect(deletes().length).toBe(deletesBefore + 1);
    await saveScreenshot(page, "playground-prod-delete");
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

describe("vulnerability scans in the playground", { timeout: 60_000 }, () => {
  it("/hss scan: every date shown is of the last 30 days of the playground's clock, none in its future", async () => {
    const now = pg.cloud.control.now();
    // In #random: the earlier tests count the ephemerals in #ops.
    const page = await openPage(SLACK_IDS.alice, SLACK_IDS.random);
    await type(page, "/hss scan");
    const list = page.locator('#messages .msg[data-kind="ephemeral"]', { hasText: "Vulnerability scans" });
    await list
      .getByText(/started \d{4}-/)
      .first()
      .waitFor();
    const shown = [...((await list.textContent()) ?? "").matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC/g)].map(
      ([text, day, time]) => ({ text, at: Date.parse(`${day}T${time}:00Z`) }),
    );
    // Each seeded task's start, and the end of each finished one.
    expect(shown.length).toBeGreaterThanOrEqual(pg.cloud.control.scanTasks().length);
    for (const { text, at } of shown) {
      expect(at, text).toBeGreaterThan(now - 30 * 86_400_000);
      expect(at, text).toBeLessThanOrEqual(now);
    }
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});

/** A permalink of a message, as the bot gets it from (fake) Slack's `chat.getPermalink`. */
async function permalinkOf(channel: string, ts: string): Promise<string> {
  const response = await fetch(`${pg.slack.apiUrl}chat.getPermalink`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${pg.slack.botToken}`,
      "content-type": "application/json; charset=utf-8",
    },
    body: JSON.stringify({ channel, message_ts: ts }),
  });
  const json = (await response.json()) as { ok: boolean; permalink: string; error?: string };
  if (!json.ok) throw new Error(`chat.getPermalink failed: ${json.error}`);
  return json.permalink;
}

/** Posts as a person, through the page's API: another user's message arriving in the channel. */
async function postAsUser(user: string, channel: string, text: string): Promise<void> {
  const response = await fetch(`${pg.url}/api/command`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, channel, text }),
  });
  if (!response.ok) throw new Error(`posting as ${user} failed: HTTP ${response.status}`);
}

/** Whether `item` is within the visible part of the scrolling list `list`. */
async function isShownIn(page: Page, list: string, item: string): Promise<boolean> {
  const box = await page.locator(list).boundingBox();
  const el = await page.locator(item).boundingBox();
  return box !== null && el !== null && el.y >= box.y - 1 && el.y + el.height <= box.y + box.height + 1;
}

const scrolledToBottom = (page: Page, list: string) =>
  page.locator(list).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40);

// Last in the file: these fill channels with messages the earlier tests do not expect.
describe("what a first-week operator ran into", { timeout: 60_000 }, () => {
  it("bold around a code span (a server named *bold* _x_) keeps the code span whole, as Slack shows it", async () => {
    const page = await openPage(SLACK_IDS.carol, SLACK_IDS.prod);
    const ts = await postAsBot({
      channel: SLACK_IDS.prod,
      text: "fallback",
      blocks: [
        // An /ecs list row as the bot sends it for that name, then other code spans inside and next to bold.
        { type: "section", text: { type: "mrkdwn", text: "*`*bold* _x_`* · ACTIVE — `s6.medium.2`" } },
        { type: "section", text: { type: "mrkdwn", text: "*a `b*c` d* and `e*` *f*" } },
      ],
    });
    const message = page.locator(`#messages .msg[data-ts="${ts}"]`);
    const [row, mixed] = [message.locator(".bk-section").nth(0), message.locator(".bk-section").nth(1)];
    await row.waitFor();
    expect(await row.locator("b > code.md-code").textContent()).toBe("*bold* _x_");
    expect(await row.locator("code.md-code").allTextContents()).toEqual(["*bold* _x_", "s6.medium.2"]);
    expect(await row.locator("code b, code i, code code, b b, i").count()).toBe(0);
    expect(await row.textContent()).toBe("*bold* _x_ · ACTIVE — s6.medium.2");
    // A mark inside a code span neither opens nor closes bold.
    expect(await mixed.locator("b").allTextContents()).toEqual(["a b*c d", "f"]);
    expect(await mixed.locator("b > code.md-code").textContent()).toBe("b*c");
    expect(await mixed.locator("code.md-code").allTextContents()).toEqual(["b*c", "e*"]);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the user switcher tells what Dave can do: in no group, allowed what anyone may do, no approving", async () => {
    const page = await openPage(SLACK_IDS.dave);
    const title = (await page.locator("#user-switcher").getAttribute("title")) ?? "";
    expect(title).not.toMatch(/be refused as Dave/);
    expect(title).toContain("Dave is in no group");
    expect(title).toContain("a graceful stop, a lock");
    expect(title).toContain("cannot approve");
    const dave = page.locator(`#user-switcher option[value="${SLACK_IDS.dave}"]`);
    expect(await dave.textContent()).toMatch(/· in no group$/);
    expect(await dave.getAttribute("title")).toMatch(/changes the policy allows anyone.*cannot approve/);
    expect(await page.locator("#me .me-role").textContent()).toBe("in no group");
    for (const option of await page.locator("#user-switcher option").allTextContents())
      expect(option).not.toMatch(/· outsider$/);
    await page.close();
  });

  it("a permalink of the workspace opens its message in the page (channel or thread), marked; others open normally", async () => {
    const target = await postAsBot({ channel: SLACK_IDS.ops, text: "Request card for the permalink test" });
    const reply = await postAsBot({
      channel: SLACK_IDS.ops,
      thread_ts: target,
      text: "A reply in its thread",
    });
    // Enough later messages that the card is far above the bottom of #ops.
    for (let i = 0; i < 30; i++)
      await postAsBot({ channel: SLACK_IDS.ops, text: `filler ${i}\nsecond line` });
    const [card, inThread] = [
      await permalinkOf(SLACK_IDS.ops, target),
      await permalinkOf(SLACK_IDS.ops, reply),
    ];
    expect(card).toMatch(/^https:\/\/hwc-fake\.slack\.com\/archives\/C_OPS\/p\d+$/);
    expect(inThread).toContain(`thread_ts=${target}`);
    await postAsBot({
      channel: SLACK_IDS.prod,
      text: `<${card}|Open the card> · <${inThread}|Open the reply> · <https://example.com/docs|Elsewhere>`,
    });

    const page = await openPage(SLACK_IDS.alice, SLACK_IDS.prod);
    const popups: Page[] = [];
    page.on("popup", (p) => popups.push(p));
    const links = page.locator("#messages .msg", { hasText: "Open the card" }).last();
    // Any other link still opens in a new tab, as before.
    const elsewhere = links.getByRole("link", { name: "Elsewhere" });
    expect(await elsewhere.getAttribute("target")).toBe("_blank");
    expect(await elsewhere.getAttribute("href")).toBe("https://example.com/docs");

    await links.getByRole("link", { name: "Open the card" }).click();
    await page.locator(`.channel-link.active[data-channel="${SLACK_IDS.ops}"]`).waitFor();
    const marked = `#messages .msg.msg-highlight[data-ts="${target}"]`;
    await page.locator(marked).waitFor();
    expect(await isShownIn(page, "#messages", marked)).toBe(true);
    // The mark fades, as Slack's does.
    await page.locator(marked).waitFor({ state: "detached", timeout: 5_000 });

    await page.locator(`.channel-link[data-channel="${SLACK_IDS.prod}"]`).click();
    await links.getByRole("link", { name: "Open the reply" }).click();
    await page.locator(`.channel-link.active[data-channel="${SLACK_IDS.ops}"]`).waitFor();
    const markedReply = `#thread-messages .msg.msg-highlight[data-ts="${reply}"]`;
    await page.locator(markedReply).waitFor();
    expect(await isShownIn(page, "#thread-messages", markedReply)).toBe(true);

    expect(popups).toEqual([]);
    expect(page.url()).toBe(`${pg.url}/`);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("scrolled up: others' messages show a New messages button; your own message and command go to the bottom", async () => {
    for (let i = 0; i < 30; i++) await postAsUser(SLACK_IDS.bob, SLACK_IDS.random, `earlier chat ${i}\nmore`);
    const page = await openPage(SLACK_IDS.alice, SLACK_IDS.random);
    await page.locator("#messages .msg", { hasText: "earlier chat 29" }).waitFor();
    expect(await scrolledToBottom(page, "#messages")).toBe(true);
    const marker = page.locator('.new-messages[data-for="messages"]');

    // Someone else writes while Alice reads older messages: she stays where she is, and is told.
    await page.locator("#messages").evaluate((el) => {
      el.scrollTop = 0;
    });
    await postAsUser(SLACK_IDS.bob, SLACK_IDS.random, "Bob: a newer message");
    await page.locator("#messages .msg", { hasText: "Bob: a newer message" }).waitFor();
    await marker.waitFor();
    expect(await page.locator("#messages").evaluate((el) => el.scrollTop)).toBe(0);
    await marker.click();
    await marker.waitFor({ state: "hidden" });
    expect(await scrolledToBottom(page, "#messages")).toBe(true);

    // Her own message, sent while scrolled up, is shown at the bottom.
    await page.locator("#messages").evaluate((el) => {
      el.scrollTop = 0;
    });
    await type(page, "Alice: my own message");
    const mine = page.locator("#messages .msg", { hasText: "Alice: my own message" });
    await mine.waitFor();
    await expect.poll(() => scrolledToBottom(page, "#messages")).toBe(true);
    expect(await marker.isHidden()).toBe(true);

    // So is the answer to a command sent while scrolled up.
    await page.locator("#messages").evaluate((el) => {
      el.scrollTop = 0;
    });
    await type(page, "/ops help");
    await page.locator('#messages .msg[data-kind="ephemeral"]').last().waitFor();
    await expect.poll(() => scrolledToBottom(page, "#messages")).toBe(true);
    expect(await marker.isHidden()).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
