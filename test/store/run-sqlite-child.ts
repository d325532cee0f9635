import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("./fixtures/sqlite-child.ts", import.meta.url));

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnChild(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", fixture, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the SQLite child fixture in a separate node process to completion. */
export async function runSqliteChild(...args: string[]): Promise<ChildResult> {
  const child = spawnChild(args);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/** Starts a child that writes `key` and keeps the file open; resolves once it holds the lock. */
export async function startSqliteHolder(file: string, key: string, json: string): Promise<ChildProcess> {
  const child = spawnChild([file, "hold", key, json]);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready\n")) resolve();
    });
    child.once("close", (code) => reject(new Error(`holder exited with ${code} before ready: ${stderr}`)));
  });
  return child;
}

/** SIGKILLs a child (no cleanup runs, as with `kill -9`) and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = once(child, "close");
  child.kill("SIGKILL");
  await closed;
}
