/**
 * `npm run test:all`: the README's test command, on a fresh Debian machine as in CI. Installs what the tests
 * need where it can (apt-get, as root) or says exactly how to, starts a private `redis-server` on a free port
 * when `REDIS_URL` does not answer (and stops it at the end), then runs lint, typecheck and every test. The
 * exit code is non-zero when any of them failed. Slack's manifest schema is never fetched: the manifest test
 * itself names the file and where it comes from when it is missing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCHEMA = join(root, "..", "shared", "reference", "slack-app-manifest.schema.json");

const say = (line: string) => process.stdout.write(`test:all: ${line}\n`);
const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, command);
    if (dir !== "" && executable(candidate)) return candidate;
  }
  return undefined;
}

let aptUpdated = false;
/** Installs Debian packages as root; otherwise returns the command the operator should run. */
function aptInstall(packages: string[]): { ok: true } | { ok: false; hint: string } {
  const hint = `sudo apt-get install -y ${packages.join(" ")}`;
  if (!isRoot() || onPath("apt-get") === undefined) return { ok: false, hint };
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  const result = spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "inherit", env });
  return result.status === 0 ? { ok: true } : { ok: false, hint };
}

/** Whether something accepts TCP connections at the host and port of `url`. */
function reachable(url: string): Promise<boolean> {
  let host = "127.0.0.1";
  let port = 6379;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || host;
    port = Number(parsed.port || 6379);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? done(address.port) : fail(new Error("no port")),
      );
    });
  });
}

/** A redis-server of our own, on a free port, without persistence; stopped when the run ends. */
async function startPrivateRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await reachable(url)) return { url, child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not start on port ${port}`);
}

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv): boolean {
  say(`${label}: ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  const ok = result.status === 0;
  say(`${label}: ${ok ? "passed" : "FAILED"}`);
  return ok;
}

async function main(): Promise<number> {
  const problems: string[] = [];

  // Chromium for the playground's browser tests (Debian's package; playwright-core brings none).
  if (!executable(CHROMIUM)) {
    say(`Chromium is missing at ${CHROMIUM}: installing`);
    const installed = aptInstall(["chromium"]);
    if (!installed.ok || !executable(CHROMIUM))
      problems.push(
        `Chromium is needed at ${CHROMIUM} (or CHROMIUM_PATH) for the browser tests: ${installed.ok ? "apt-get install chromium did not provide it" : `run \`${installed.hint}\``}`,
      );
  }

  // redis-server: the Redis tests need one at REDIS_URL, the outage tests start their own.
  if (onPath("redis-server") === undefined) {
    say("redis-server is missing: installing");
    const installed = aptInstall(["redis-server"]);
    if (!installed.ok || onPath("redis-server") === undefined)
      problems.push(
        `redis-server is needed by the Redis tests: run \`${installed.ok ? "apt-get install redis-server" : installed.hint}\``,
      );
  }

  if (!existsSync(SCHEMA) && !process.env.SLACK_MANIFEST_SCHEMA)
    say(
      `note: ${SCHEMA} is missing; the manifest test will fail: Slack's app manifest schema (slack-app-manifest.schema.json) is read from ../shared/reference/ beside the checkout, or from SLACK_MANIFEST_SCHEMA, and never downloaded`,
    );

  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`test:all: ${p}\n`);
    return 1;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  let redis: ChildProcess | undefined;
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await reachable(redisUrl))) {
    const started = await startPrivateRedis();
    redis = started.child;
    env.REDIS_URL = started.url;
    say(`no Redis at ${redisUrl}: started a private redis-server at ${started.url} for this run`);
  }
  const stopRedis = () => {
    if (redis !== undefined && redis.exitCode === null) redis.kill("SIGTERM");
  };
  process.once("SIGINT", () => {
    stopRedis();
    process.exit(130);
  });
  process.once("SIGTERM", () => {
    stopRedis();
    process.exit(143);
  });

  try {
    const bin = (name: string) => join(root, "node_modules", ".bin", name);
    const results = [
      run("lint", bin("biome"), ["check", "."], env),
      run("typecheck", bin("tsc"), ["--noEmit", "-p", "."], env),
      // Extra arguments go to vitest (`npm run test:all -- test/store`): every test when none.
      run("tests", bin("vitest"), ["run", ...process.argv.slice(2)], env),
    ];
    const failed = results.filter((ok) => !ok).length;
    say(failed === 0 ? "everything passed" : `${failed} of ${results.length} steps failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    stopRedis();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`test:all: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
