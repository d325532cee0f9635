/**
 * A misspelled setting (`POLICY_FIEL`) is ignored, so the default applies: start-up warns about each variable
 * that looks like a setting of ours but is none, with a did-you-mean, and leaves the environment's other
 * variables (CI, Kubernetes service links, the shell, npm) alone. The real entry point, started against the
 * fake Slack and the simulated cloud, logs one warn line per such variable and names the files it read in its
 * "hwc-chatops is running" line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUnknownSettings, KNOWN_SETTINGS } from "../../src/app/find-unknown-settings.js";
import { loadStartupConfig } from "../../src/app/load-startup-config.js";
import { type CloudSimulator, startCloudSimulator } from "../../src/sandbox/cloud/index.js";
import { simulatorCloudEnv } from "../../src/sandbox/cloud/simulator-cloud-config.js";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { findFreePort } from "../helpers/find-free-port.js";

const set = (...names: string[]) => Object.fromEntries(names.map((name) => [name, "x"]));

describe("variables that look like settings but are none", () => {
  it("finds misspelled and unknown settings of ours, each with the setting it probably means", () => {
    expect(
      findUnknownSettings(
        set(
          "POLICY_FIEL",
          "POLCY_FILE",
          "FLOW_DIR",
          "NOTIFICATION_FILE",
          "STORE_URI",
          "LOG_LEVL",
          "ACK_THREADS",
          "SHUTDOWN_GRACE_PERIOD",
          "SLACK_TOKEN",
          "HWC_FAULTPOINT",
          "policy_file",
        ),
      ),
    ).toEqual([
      { variable: "ACK_THREADS", suggestion: "ACK_THREAD" },
      { variable: "FLOW_DIR", suggestion: "FLOWS_DIR" },
      { variable: "HWC_FAULTPOINT", suggestion: "HWC_FAULT_POINT" },
      { variable: "LOG_LEVL", suggestion: "LOG_LEVEL" },
      { variable: "NOTIFICATION_FILE", suggestion: "NOTIFICATIONS_FILE" },
      { variable: "POLCY_FILE", suggestion: "POLICY_FILE" },
      { variable: "POLICY_FIEL", suggestion: "POLICY_FILE" },
      { variable: "SHUTDOWN_GRACE_PERIOD", suggestion: "SHUTDOWN_GRACE" },
      { variable: "SLACK_TOKEN" },
      { variable: "STORE_URI", suggestion: "STORE_URL" },
      { variable: "policy_file", suggestion: "POLICY_FILE" },
    ]);
  });

  it("leaves every setting alone, and the variables of the shell, npm, CI and Kubernetes", () => {
    const benign = set(
      ...KNOWN_SETTINGS,
      ...["PATH", "HOME", "PWD", "USER", "HOSTNAME", "TERM", "LANG", "TZ", "NODE_ENV", "NODE_OPTIONS"],
      ...["npm_config_cache", "npm_lifecycle_event", "npm_package_name", "INIT_CWD", "REDIS_URL"],
      ...["CI", "GITHUB_RUN_ID", "JOB_NAME", "JOB_URL", "RUN_ID", "BUILD_NUMBER", "WORKSPACE", "USER_ID"],
      ...["KUBERNETES_SERVICE_HOST", "KUBERNETES_PORT_443_TCP_ADDR", "HWC_CHATOPS_PORT"],
      ...["HWC_CHATOPS_SERVICE_HOST", "HWC_CHATOPS_SERVICE_PORT", "HWC_CHATOPS_PORT_3000_TCP_PROTO"],
      ...["SLACK_PROXY_SERVICE_HOST", "SLACK_PROXY_PORT_8080_TCP"],
    );
    expect(findUnknownSettings(benign)).toEqual([]);
  });

  it("the start-up loader returns them as warnings, whether the configuration is good or not", async () => {
    const good = await loadStartupConfig(
      { STORE_URL: "memory://", POLICY_FIEL: "/my/policy.yml" },
      { playground: true },
    );
    expect(good.ok).toBe(true);
    expect(good.warnings).toEqual([
      "POLICY_FIEL is not a setting of hwc-chatops and is ignored (did you mean POLICY_FILE?); the settings are listed in the README's configuration section",
    ]);
    const bad = await loadStartupConfig({ LOG_LEVEL: "loud", STORE_URI: "memory://" }, { playground: true });
    expect(bad.ok).toBe(false);
    expect(bad.warnings).toEqual([
      expect.stringMatching(/^STORE_URI is not a setting .*did you mean STORE_URL\?/),
    ]);
  });
});

describe("the bot at start (child process, fake Slack, simulated cloud)", () => {
  let fake: FakeSlack;
  let sim: CloudSimulator;
  beforeAll(async () => {
    fake = await startFakeSlack();
    sim = await startCloudSimulator({ seed: 3 });
  });
  afterAll(async () => {
    await fake?.close();
    await sim?.close();
  });

  it("logs one warn line per unknown setting, and the files' paths in its running line", {
    timeout: 90_000,
  }, async () => {
    let child: ChildProcess | undefined;
    let output = "";
    try {
      child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          SLACK_BOT_TOKEN: fake.botToken,
          SLACK_SIGNING_SECRET: fake.signingSecret,
          SLACK_API_URL: fake.apiUrl,
          PORT: String(await findFreePort()),
          ACK_THREAD: "off",
          ...simulatorCloudEnv(sim),
          STORE_URL: "memory://",
          POLICY_FIEL: "/my/own/policy.yml",
          FLOWS_DIRECTORY: "/my/own/flows",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (c: Buffer) => {
        output += c.toString();
      });
      child.stderr?.on("data", (c: Buffer) => {
        output += c.toString();
      });
      let exited = false;
      void once(child, "exit").then(() => {
        exited = true;
      });
      const deadline = Date.now() + 80_000;
      while (!output.includes('"msg":"hwc-chatops is running"')) {
        if (exited) throw new Error(`the bot exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`not running:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const lines = output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: number; msg: string; [key: string]: unknown });
      const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings).toEqual([
        "FLOWS_DIRECTORY is not a setting of hwc-chatops and is ignored; the settings are listed in the README's configuration section",
        "POLICY_FIEL is not a setting of hwc-chatops and is ignored (did you mean POLICY_FILE?); the settings are listed in the README's configuration section",
      ]);
      const running = lines.find((l) => l.msg === "hwc-chatops is running");
      // The shipped files were read (the misspelled setting did nothing): the line says which.
      expect(running?.paths).toEqual({
        policy: resolve("flows/policy.yml"),
        flows: resolve("flows"),
        notifications: resolve("flows/notifications.yml"),
      });
      expect(running?.files).toEqual({
        policy: expect.stringMatching(/^[0-9a-f]{12}$/),
        flows: expect.stringMatching(/^[0-9a-f]{12}$/),
        notifications: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
    } finally {
      if (child?.exitCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    }
  });
});
