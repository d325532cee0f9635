/**
 * What start-up says about the release and the store file, as production composes it (`startHwcChatops`,
 * against the fake Slack and the simulated cloud): the "hwc-chatops is running" line carries the version of
 * package.json; an older SQLite store file (schema 2) is upgraded and said so at info (file, from, to, ms: the
 * upgrade is one-way); a file a newer release upgraded (a schema above this build's) is refused with one line
 * naming STORE_URL, the file and both ways out, and the entry point prints that line without a stack.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { explainStartupFailure } from "../../src/app/explain-startup-failure.js";
import { type RunningBot, type StartOptions, startHwcChatops } from "../../src/app/start-hwc-chatops.js";
import { createLogger } from "../../src/log/create-logger.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  simulatorCloudEnv,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { StoreSchemaTooNewError } from "../../src/store/store-schema-too-new-error.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hwc-store-upgrade-"));
const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
let fake: FakeSlack;
let sim: CloudSimulator;

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator();
});
afterAll(async () => {
  await fake?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store file as the bot's schema `version` left it: version 2's tables, one key, the version row. */
function storeFile(name: string, schemaVersion: number): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec(`
    CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    INSERT INTO store_meta VALUES ('schema_version', ${schemaVersion}), ('revision', 7);
    CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL,
      expires_at REAL, PRIMARY KEY (ns, key)) STRICT, WITHOUT ROWID;
    INSERT INTO kv VALUES ('hwc', 'kept', '{"n":1}', 5, NULL);
    CREATE TABLE logs (ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
      prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (ns, stream, seq)) STRICT, WITHOUT ROWID;
  `);
  db.close();
  return file;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "info",
    destination: new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line));
        callback();
      },
    }),
  });
  return { lines, logger };
}

function startOptions(storeUrl: string, logger: StartOptions["logger"]): StartOptions {
  return {
    slack: {
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
    },
    cloud: { ...simulatorCloudConfig(sim), connectTimeoutMs: 2_000, requestTimeoutMs: 10_000 },
    app: {
      storeUrl,
      policyFile: "flows/policy.yml",
      flowsDir: "flows",
      notificationsFile: "flows/notifications.yml",
      logLevel: "info",
    },
    logger,
    host: "127.0.0.1",
  };
}

it("an older store file is upgraded and said so at info; the running line names the version", async () => {
  const file = storeFile("older.sqlite", 2);
  const { lines, logger } = capture();
  let bot: RunningBot | undefined;
  try {
    bot = await startHwcChatops(startOptions(`sqlite://${file}`, logger));
    expect(await bot.store.get("kept")).toEqual({ value: { n: 1 }, version: 5 });
  } finally {
    await bot?.stop(1_000);
  }
  const upgraded = lines.filter((l) => String(l.msg).startsWith("store file "));
  expect(upgraded).toEqual([
    expect.objectContaining({
      level: 30,
      msg: `store file ${resolve(file)} upgraded from schema 2 to 3 (older versions of hwc-chatops cannot open it)`,
      file: resolve(file),
      from: 2,
      to: 3,
      ms: expect.any(Number),
    }),
  ]);
  const running = lines.find((l) => l.msg === "hwc-chatops is running");
  expect(version).toMatch(/^\d+\.\d+\.\d+/);
  expect(running?.version).toBe(version);

  // Current now: the next start says nothing about the file.
  const again = capture();
  const second = await startHwcChatops(startOptions(`sqlite://${file}`, again.logger));
  await second.stop(1_000);
  expect(again.lines.filter((l) => String(l.msg).startsWith("store file "))).toEqual([]);
});

it("a store file from a newer release is refused with one line naming STORE_URL, the file and what to do", async () => {
  const file = storeFile("newer.sqlite", 4);
  const { logger } = capture();
  const refusal = await startHwcChatops(startOptions(`sqlite://${file}`, logger)).catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(StoreSchemaTooNewError);
  expect(explainStartupFailure(refusal, { slackApiUrl: fake.apiUrl })).toBe(
    `STORE_URL: the store file ${file} has schema version 4, written by a newer hwc-chatops; this version knows up to 3: run the newer version again, or restore the copy of the file taken before the upgrade (the upgrade is one-way)`,
  );
  // The file is left as it was.
  const db = new Database(file, { readonly: true });
  expect(db.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get()).toEqual({
    value: 4,
  });
  db.close();
});

it("the entry point ends such a start with that one line, no stack trace", { timeout: 60_000 }, async () => {
  const file = storeFile("newer-cli.sqlite", 4);
  const result = await run(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      PORT: "0",
      ACK_THREAD: "off",
      ...simulatorCloudEnv(sim),
      STORE_URL: `sqlite://${file}`,
    },
    timeout: 50_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(result.code).toBe(1);
  expect(result.stderr.split("\n").filter((l) => l.startsWith("hwc-chatops:"))).toEqual([
    expect.stringMatching(
      /^hwc-chatops: STORE_URL: the store file .*newer-cli\.sqlite has schema version 4, .*: run the newer version again, or restore the copy of the file taken before the upgrade/,
    ),
  ]);
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/\n\s+at \S/);
});
