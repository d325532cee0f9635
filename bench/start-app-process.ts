/** The apps the ack benchmark measures (the bot, the bare Bolt app) as child processes of their own. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { findFreePort } from "../test/helpers/find-free-port.js";
import { sleep } from "./read-process-stats.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));

/** The bot's command line as `npm start` has it (`node <flags> dist/main.js`), without `node`. */
export const botArgs = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: { start: string } }
).scripts.start
  .split(" ")
  .slice(1);

export interface Child {
  child: ChildProcess;
  port: number;
  output(): string;
}

/** Starts `node <args>` in the repository with `env` and a free PORT, and waits for its first 200 of `/healthz`. */
export async function startChild(
  args: string[],
  env: Record<string, string>,
): Promise<Child & { readyMs: number }> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 120_000) throw new Error(`no /healthz after 120 s:\n${output}`);
    await sleep(10);
  }
  return { child, port, output: () => output, readyMs: performance.now() - started };
}

export async function stopChild(c: Child): Promise<void> {
  // A child ended by a signal has a null exitCode and its signalCode set: stopped either way.
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const gone = once(c.child, "exit");
  c.child.kill("SIGTERM");
  await gone;
}
