import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Variables of the test runner's own environment that must not leak into a bot process. */
const OWN_VARIABLES =
  /^(SLACK_|HUAWEICLOUD_|STORE_URL$|PORT$|POLICY_FILE$|FLOWS_DIR$|NOTIFICATIONS_FILE$|LOG_LEVEL$|RUN_LEASE_TTL$|SHUTDOWN_GRACE$|HWC_FAULT_POINT$)/;

/** A real `node src/main.ts` process of the bot. */
export interface BotProcess {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>/slack/events`. */
  readonly eventsUrl: string;
  readonly child: ChildProcess;
  /** stdout + stderr so far (pino JSON lines and the process' own messages). */
  output(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until `GET /healthz` answers 200 (throws if the process exits first or after `timeoutMs`). */
  ready(timeoutMs?: number): Promise<void>;
  /** `kill -9`: nothing runs in the process any more, nothing is released. */
  killHard(): Promise<void>;
  /** SIGTERM, as an orchestrator stops a replica; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Spawns `node --import tsx src/main.ts` with exactly `env` (plus PATH/HOME of the runner). */
export function spawnBotProcess(name: string, port: number, env: Record<string, string>): BotProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OWN_VARIABLES.test(k)));
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: repoRoot,
    env: { ...base, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  return {
    name,
    port,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    child,
    output: () => output,
    exited,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (gone) throw new Error(`${name} exited before it was ready:\n${output}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`);
          if (response.status === 200) return;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`${name} was not ready after ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async killHard() {
      if (gone) return;
      child.kill("SIGKILL");
      await exited;
    },
    async terminate() {
      if (gone) return (await exited).code;
      child.kill("SIGTERM");
      return (await exited).code;
    },
  };
}
