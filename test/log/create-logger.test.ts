import { spawn } from "node:child_process";
import { once } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/create-logger.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

describe("createLogger", () => {
  it("writes one JSON object per line with the app name", () => {
    const { lines, logger } = capture();
    logger.info({ serverId: "s-1" }, "stopped");
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ app: "hwc-chatops", serverId: "s-1", msg: "stopped", level: 30 });
  });

  it("a key bound again in a child (a part's component under its owner's) appears once, the child's value", () => {
    const { lines, logger } = capture();
    const operations = logger.child({ component: "operations", replica: "r1" }, { level: "warn" });
    const adoption = operations.child({ component: "adoption", token: "xoxb-1234567890-secret" });
    adoption.warn({ run: "run_1" }, "no unfinished work is adopted");
    adoption.info("below the parent's level");
    adoption.child({ run: "run_2" }).warn("deeper");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      // Counted in the text: JSON.parse would hide a key written twice.
      expect(line.match(/"component":/g)).toHaveLength(1);
      expect(line.match(/"app":/g)).toHaveLength(1);
      expect(line).not.toContain("xoxb-1234567890-secret");
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({
      app: "hwc-chatops",
      component: "adoption",
      replica: "r1",
      run: "run_1",
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ component: "adoption", run: "run_2", msg: "deeper" });
  });

  it("redacts credentials, tokens and signatures wherever a caller logs them", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        sk: "SECRET-SK",
        config: { ak: "AK-ID", sk: "SECRET-SK-2", password: "hunter2", signingSecret: "sig-secret" },
        slack: { botToken: "xoxb-secret", appToken: "xapp-secret" },
        headers: { authorization: "SDK-HMAC-SHA256 Access=AK, Signature=abc", "x-auth-token": "iam-token" },
        request: { headers: { Authorization: "Bearer xoxb-secret" } },
      },
      "startup",
    );
    const text = lines.join("");
    for (const secret of [
      "SECRET-SK",
      "SECRET-SK-2",
      "hunter2",
      "sig-secret",
      "xoxb-secret",
      "xapp-secret",
      "Signature=abc",
      "iam-token",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
  });

  it("redacts deeper than any path list, in errors and in a child logger's bindings", () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error("token refused"), {
      request: { headers: { "X-Auth-Token": "iam-2" } },
    });
    logger
      .child({ component: "cloud", auth: { token: "child-token" } })
      .warn({ err, deep: { a: { b: { password: "deep-pass" } } } }, "refused");
    const text = lines.join("");
    for (const secret of ["iam-2", "child-token", "deep-pass"]) expect(text).not.toContain(secret);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      component: "cloud",
      msg: "refused",
      err: {
        type: "Error",
        message: "token refused",
        request: { headers: { "X-Auth-Token": "[redacted]" } },
      },
    });
    expect(entry.err.stack).toContain("token refused");
    expect(entry.deep.a.b.password).toBe("[redacted]");
  });

  it("leaves out fields that cannot be checked for secrets, and does not throw", () => {
    const { lines, logger } = capture();
    const hostile = new Proxy(
      { token: "proxy-secret" },
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    expect(() => logger.info({ hostile }, "odd object")).not.toThrow();
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      msg: "odd object",
      logFieldsOmitted: "they could not be checked for secrets",
    });
    expect(lines.join("")).not.toContain("proxy-secret");
  });
});

describe("createLogger on stdout", () => {
  it("lets the process exit after its log pipe was closed (a buffered logger retried the dead pipe forever)", async () => {
    // The child logs through createLogger, the parent closes the pipe, then the child logs a burst and exits.
    const script = `
      import { createLogger } from "./src/log/create-logger.ts";
      const logger = createLogger();
      logger.info("ready");
      process.stdin.once("data", () => {
        for (let i = 0; i < 2000; i++) logger.info({ i, pad: "x".repeat(200) }, "after the pipe closed");
        process.exit(0);
      });
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      stdio: ["pipe", "pipe", "inherit"],
    });
    const exited = once(child, "exit");
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    child.stdin.write("go\n");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 30_000);
});
