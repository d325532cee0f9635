/**
 * `npm start` as shipped runs compiled JavaScript: `node --max-old-space-size=… dist/bundle/main.js` (the bundle of dist/), with tsx a dev dependency only. The
 * bot is started through `npm start` against the fake Slack with a loader hook that refuses to resolve tsx,
 * and must answer `/healthz`. The `prestart` step (`scripts/ensure-dist.mjs`) builds dist when it is missing.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudSimulator, startCloudSimulator } from "../../src/sandbox/cloud/index.js";
import { simulatorCloudEnv } from "../../src/sandbox/cloud/simulator-cloud-config.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { findFreePort } from "../helpers/find-free-port.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const refuseTsx = fileURLToPath(new URL("./helpers/refuse-tsx.mjs", import.meta.url));
const run = promisify(execFile);
let fake: FakeSlack;
let sim: CloudSimulator;

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator({ seed: 7 });
});
afterAll(async () => {
  await fake?.close();
  await sim?.close();
});

/** The `node dist/bundle/main.js` process under `npm start` (npm, then a shell, then node). */
function botProcess(ancestor: number): number {
  const parentOf = (pid: string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      return -1;
    }
  };
  const descends = (pid: string): boolean => {
    for (let p = Number(pid); p > 1; p = parentOf(String(p))) if (p === ancestor) return true;
    return false;
  };
  const bot = readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid) && descends(pid))
    .find((pid) => {
      try {
        // Node itself, not the shell npm runs it with (whose one argument holds the whole command).
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("dist/bundle/main.js");
      } catch {
        return false;
      }
    });
  if (bot === undefined) throw new Error(`no bot process under ${ancestor}`);
  return Number(bot);
}

/** Each thread of a process with its nice value (Linux `/proc/<pid>/task/<tid>/stat`, field 19). */
function threadNiceness(pid: number): { tid: number; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]) };
  });
}

describe("npm start runs compiled JavaScript", () => {
  it("package.json: start is node (with its heap limit) on the bundle dist/bundle/main.js, npm ci builds dist, tsx is a dev dependency", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.scripts.start).toMatch(
      /^node --max-old-space-size=\d+( --[a-z-]+(=\d+)?)* dist\/bundle\/main\.js$/,
    );
    expect(pkg.scripts.prestart).toBe("node scripts/ensure-dist.mjs");
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json && node scripts/build-bundle.mjs");
    expect(pkg.devDependencies.esbuild).toBeDefined();
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });

  it("npm start answers /healthz without tsx at run time", { timeout: 240_000 }, async () => {
    const port = await findFreePort();
    let child: ChildProcess | undefined;
    let output = "";
    try {
      child = spawn("npm", ["start", "--silent"], {
        cwd: repoRoot,
        detached: true,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_OPTIONS: `--import ${refuseTsx}`,
          SLACK_BOT_TOKEN: fake.botToken,
          SLACK_SIGNING_SECRET: fake.signingSecret,
          SLACK_API_URL: fake.apiUrl,
          PORT: String(port),
          // The simulated cloud: the bundle's cloud client (its lazily loaded HTTP library) is exercised too.
          ...simulatorCloudEnv(sim),
          STORE_URL: "memory://",
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
      const deadline = Date.now() + 200_000;
      let status = 0;
      while (status !== 200) {
        if (exited) throw new Error(`npm start exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no /healthz:\n${output}`);
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain("hwc-chatops is running");
      expect(output).not.toContain("tsx at run time");
      // The compiled ack thread (`ACK_THREAD` defaults to on) acks, and the bot's thread answers.
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({ status: "ok", ackThread: true });
      // The ack comes first: the bot's thread and the threads it had before the ack thread (V8's helpers) run
      // lowered, the ack thread (the first one at the normal priority) does not.
      const threads = threadNiceness(botProcess(child.pid ?? 0));
      const ackThread = Math.min(...threads.filter((t) => t.nice === 0).map((t) => t.tid));
      const before = threads.filter((t) => t.tid < ackThread);
      expect(before.length).toBeGreaterThanOrEqual(2);
      expect(before.every((t) => t.nice === 5)).toBe(true);
      const ack = await sendSlashCommand(
        `http://127.0.0.1:${port}/slack/events`,
        fake.signingSecret,
        fake.buildSlashCommand({ command: "/ecs", text: "help" }),
      );
      expect(ack.status).toBe(200);
      expect(ack.body).toBe("");
      const help = await fake.waitFor(() => fake.ephemerals({ user: SLACK_IDS.alice })[0], 30_000);
      expect(JSON.stringify(help.blocks)).toContain("/ecs");
      // A command that reads the cloud: the server's card, with its ID from the simulator.
      await sendSlashCommand(
        `http://127.0.0.1:${port}/slack/events`,
        fake.signingSecret,
        fake.buildSlashCommand({ command: "/ecs", text: "show web-01" }),
      );
      const webId = sim.control.servers().find((s) => s.name === "web-01")?.id;
      expect(webId).toBeDefined();
      // A slow first cloud call shows "⏳ Looking up web-01…" first; the card then replaces it in place.
      const card = await fake.waitFor(() => {
        const e = fake.ephemerals({ user: SLACK_IDS.alice })[1];
        return e && JSON.stringify(e.blocks).includes(webId ?? "(none)") ? e : undefined;
      }, 30_000);
      expect(JSON.stringify(card.blocks)).not.toContain("Looking up");
    } finally {
      if (child?.pid !== undefined) {
        const gone = once(child, "exit");
        process.kill(-child.pid, "SIGTERM");
        await gone;
      }
    }
  });
});

describe("what the bundle loads at start", () => {
  /** The bundle's files a bot's start evaluates: main.js, what it imports for a bot, and their static imports. */
  function loadedAtStart(): string[] {
    const dir = join(repoRoot, "dist/bundle");
    const textOf = (file: string) => readFileSync(join(dir, file), "utf8");
    const main = textOf("main.js");
    // main() imports these for every start; the playground's parts only for the playground.
    const dynamic = [...main.matchAll(/import\("\.\/([^"]+\.js)"\)/g)]
      .map((m) => m[1] as string)
      .filter((file) => !/playground/.test(file));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of textOf(file).matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1] as string);
    };
    for (const file of ["main.js", ...dynamic]) visit(file);
    return [...seen];
  }

  it("neither Redis's client (a SQLite or memory store needs none) nor Slack's OAuth package (the bot is given its token)", () => {
    const files = loadedAtStart();
    expect(files).toContain("main.js");
    expect(files.some((f) => f.startsWith("start-hwc-chatops-"))).toBe(true);
    const bundled = (file: string) => readFileSync(join(repoRoot, "dist/bundle", file), "utf8");
    // Bolt itself is loaded at start: the check below would see a package that is there.
    expect(files.some((f) => bundled(f).includes("node_modules/@slack/bolt/"))).toBe(true);
    for (const file of files) {
      const text = bundled(file);
      expect(text.includes("node_modules/@redis/client/"), `${file} holds Redis's client`).toBe(false);
      expect(text.includes("node_modules/@slack/oauth/"), `${file} holds @slack/oauth`).toBe(false);
      expect(text.includes("node_modules/jsonwebtoken/"), `${file} holds jsonwebtoken`).toBe(false);
    }
    // Bolt's requires of the OAuth package load it when first used (scripts/build-bundle.mjs).
    expect(
      files.some((f) =>
        bundled(f).includes('oauth_1=new Proxy({},{get:(_target,key)=>__require("@slack/oauth")[key]})'),
      ),
    ).toBe(true);
  });
});

describe("the bundle in Socket Mode", () => {
  // The bundle loads Bolt's Socket Mode receiver only when it is used (scripts/build-bundle.mjs): started with
  // an app token, the receiver must still load, connect and answer.
  it("connects to Slack's socket and answers /ecs help", { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, ["dist/bundle/main.js"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_APP_TOKEN: fake.appToken,
        SLACK_API_URL: fake.apiUrl,
        ...simulatorCloudEnv(sim),
        STORE_URL: "memory://",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (c: Buffer) => {
      output += c.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    try {
      await fake.waitForSocketConnections(1, 100_000).catch((error: unknown) => {
        throw new Error(`no Socket Mode connection (${String(error)}):\n${output}`);
      });
      const before = fake.ephemerals({ user: SLACK_IDS.bob }).length;
      const ack = await fake.deliverSocket(
        "slash_commands",
        fake.buildSlashCommand({ command: "/ecs", text: "help", user: SLACK_IDS.bob }),
      );
      expect(ack).toEqual({});
      const help = await fake.waitFor(() => fake.ephemerals({ user: SLACK_IDS.bob })[before], 30_000);
      expect(JSON.stringify(help.blocks)).toContain("/ecs");
    } finally {
      const gone = once(child, "exit");
      child.kill("SIGTERM");
      await gone;
    }
  });
});

describe("scripts/ensure-dist.mjs (prestart)", () => {
  const script = join(repoRoot, "scripts/ensure-dist.mjs");
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hwc-ensure-dist-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/main.ts"), "");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("dist missing and no TypeScript to build it: a clear line, exit 1", async () => {
    const result = await run(process.execPath, [script], { cwd: dir }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "dist/bundle/main.js is missing and TypeScript is not installed: run `npm ci`",
    );
  });

  it("dist newer than every file under src: nothing to do", async () => {
    mkdirSync(join(dir, "dist/bundle"), { recursive: true });
    writeFileSync(join(dir, "dist/bundle/main.js"), "");
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "src/main.ts"), past, past);
    const { stderr } = await run(process.execPath, [script], { cwd: dir });
    expect(stderr).toBe("");
  });
});
