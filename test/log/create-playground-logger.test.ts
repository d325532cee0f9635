import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createPlaygroundLogger } from "../../src/log/create-playground-logger.js";

const dir = mkdtempSync(join(tmpdir(), "hwc-playground-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createPlaygroundLogger", () => {
  it("writes every line as JSON to the file; only warnings and errors reach the console, pretty-printed", () => {
    const file = join(dir, "nested", "playground.log");
    let console = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        console += String(chunk);
        done();
      },
    });
    const logger = createPlaygroundLogger({ file, console: sink, colorize: false });
    logger.info({ botToken: "xoxb-secret-token" }, "listening for Slack requests");
    logger.warn({ channel: "C_OPS" }, "could not answer a mention");
    logger.error(new Error("boom"), "the cloud simulator failed");

    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual([
      "listening for Slack requests",
      "could not answer a mention",
      "the cloud simulator failed",
    ]);
    expect(lines[0]).toMatchObject({ app: "hwc-chatops", level: 30, botToken: "[redacted]" });
    expect(console).not.toContain("listening for Slack requests");
    expect(console).toMatch(/WARN.*could not answer a mention/);
    expect(console).toMatch(/channel: "C_OPS"/);
    expect(console).toMatch(/ERROR.*the cloud simulator failed/);
    expect(console).not.toMatch(/^\{/m);
  });

  it("`npm run playground`: the console shows the banner, not the structured log", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--playground"], {
      env: { PATH: process.env.PATH, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += String(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += String(chunk);
    });
    const exited = once(child, "exit");
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${out}`)), 60_000);
        const check = () => {
          if (/Stop with Ctrl\+C\.\n─+\n/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on("data", check);
        void exited.then(() => reject(new Error(`exited before its banner:\n${out}`)));
      });
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    expect(out).toContain("hwc-chatops LOCAL PLAYGROUND");
    expect(out).toContain("Log: data/playground.log (JSON)");
    // Nothing but the banner: no JSON log lines on the console.
    expect(out).not.toMatch(/^\{"level"/m);
    expect(readFileSync("data/playground.log", "utf8")).toMatch(/"msg":"hwc-chatops is running"/);
  }, 90_000);
});
