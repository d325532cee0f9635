/**
 * The only module that touches the process: reads the environment, chooses between the real bot and the
 * local playground, and wires signals. Everything else takes its configuration as parameters. With `--check`
 * (`npm run check-config`) it only loads and checks the configuration, as a start would, and exits.
 */
// Only what the first lines of `main` need is imported statically: the ack thread starts loading before the
// rest of the bot does (see `main`), and the rest is imported there.
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import type { StartupFailureContext } from "./app/explain-startup-failure.js";
import type { Logger } from "./log/create-logger.js";
import { startAckThreadWorker } from "./slack/ack-thread/start-ack-thread-worker.js";

interface Stoppable {
  stop(graceMs: number): Promise<unknown>;
}

function fail(message: string): never {
  process.stderr.write(`hwc-chatops: ${message}\n`);
  process.exit(1);
}

/** Writes one line to stderr, never throwing (the pipe may be gone). */
function tellStderr(line: string): void {
  try {
    process.stderr.write(`hwc-chatops: ${line}\n`);
  } catch {
    // Nobody is listening any more; exiting matters more than saying so.
  }
}

/** Said when SIGHUP comes: a service manager or a closed terminal sends it expecting a reload, which the bot has not. */
const SIGHUP_LINE = "SIGHUP: stopping as on SIGTERM; the bot has no reload, restart it to apply new files";

/**
 * SIGTERM / SIGINT / SIGHUP: stop taking work and let what is in flight finish for `graceMs`, then exit. The exit has a
 * hard deadline (`graceMs` + `marginMs`, `SHUTDOWN_MARGIN_MS`): whatever is still pending then (a Slack call waiting
 * out a rate limit, a cloud that stopped answering, a watcher's run) is abandoned, since its state is in the
 * store and another replica or the restart resumes it. A second signal exits at once.
 */
function onSignals(logger: Logger, target: Stoppable, graceMs: number, marginMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      tellStderr(`${signal} again while stopping: exiting now`);
      process.exit(1);
    }
    stopping = true;
    const deadlineMs = graceMs + marginMs;
    logger.info({ signal, graceMs, deadlineMs }, "stopping: no new work; running steps reach a safe point");
    const deadline = setTimeout(() => {
      tellStderr(
        `still stopping ${deadlineMs} ms after ${signal}: exiting now; unfinished work resumes from the store`,
      );
      process.exit(1);
    }, deadlineMs);
    target.stop(graceMs).then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Node's default for SIGHUP ends the process at once: no log line, no hand-over of the runs (adopted only
  // after RUN_LEASE_TTL). Stopped as on SIGTERM instead.
  process.on("SIGHUP", () => {
    if (!stopping) logger.warn({ signal: "SIGHUP" }, SIGHUP_LINE);
    stop("SIGHUP");
  });
}

/** Where the playground's JSON log goes (the console keeps the banner and pretty warnings and errors). */
const PLAYGROUND_LOG_FILE = "data/playground.log";

/**
 * Whether this start will most likely serve Slack over HTTP with the ack thread (`ACK_THREAD` not `off`, no
 * `SLACK_APP_TOKEN`, not the playground): then the thread is started before anything else loads. A guess from
 * the raw environment, checked properly later: a thread started for nothing is ended by the bot.
 */
function wantsAckThread(wantsPlayground: boolean, env: NodeJS.ProcessEnv): boolean {
  return !wantsPlayground && !env.SLACK_APP_TOKEN?.trim() && env.ACK_THREAD?.trim() !== "off";
}

/** How many nice levels the bot's own thread runs below the ack thread. */
const WORK_NICENESS = 5;

/** This process's threads (Linux: `/proc/self/task`), or none where that cannot be read. */
function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [];
  }
}

/**
 * When a core is wanted by both, the thread that acks comes first: every thread the process had before the
 * ack thread was made (this one, which does the bot's work after the ack, and V8's helper threads, which
 * collect its garbage and compile its code) is lowered by {@link WORK_NICENESS}. On Linux a nice value is per
 * thread, a thread made later inherits its maker's (libuv's pool, made by this one, is lowered too), and the
 * ack thread keeps its own. Lowering a priority needs no privilege; where it fails anyway, nothing changes.
 */
function yieldToAckThread(threadsBefore: readonly number[]): void {
  // Elsewhere (no per-thread list), at least this thread.
  for (const thread of threadsBefore.length > 0 ? threadsBefore : [0]) {
    try {
      setPriority(thread, WORK_NICENESS);
    } catch {
      // A platform that refuses, or a thread that has ended: the acks only compete with it for the cores.
    }
  }
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const wantsPlayground = argv.includes("--playground") || !env.SLACK_BOT_TOKEN?.trim();
  const wantsCheck = argv.includes("--check");
  const ackThread = !wantsCheck && wantsAckThread(wantsPlayground, env);
  const threadsBefore = ackThread ? threadIds() : [];
  const ackThreadWorker = ackThread ? startAckThreadWorker() : undefined;
  if (ackThreadWorker !== undefined) yieldToAckThread(threadsBefore);
  const [
    { explainStartupFailure },
    { guardProcess },
    { DEFAULT_SHUTDOWN_GRACE_MS, SHUTDOWN_MARGIN_MS, describeConfigFilePaths },
    { formatStartupProblems, loadStartupConfig },
    { startHwcChatops },
    { createLogger },
    { DEFAULT_SLACK_API_URL },
  ] = await Promise.all([
    import("./app/explain-startup-failure.js"),
    import("./app/guard-process.js"),
    import("./app/load-app-config.js"),
    import("./app/load-startup-config.js"),
    import("./app/start-hwc-chatops.js"),
    import("./log/create-logger.js"),
    import("./slack/load-slack-config.js"),
  ]);
  /**
   * A start that failed because of the environment (a token Slack refuses, Slack out of reach, a port taken,
   * the store) ends with one line naming the setting to fix; anything else is a bug and shows its stack.
   */
  const failToStart = (error: unknown, context: StartupFailureContext): never => {
    const line = explainStartupFailure(error, context);
    fail(line ?? (error instanceof Error ? (error.stack ?? error.message) : String(error)));
  };
  // Every variable and every file is checked before anything starts, and every problem is reported at once.
  const loaded = await loadStartupConfig(env, {
    playground: wantsPlayground,
    asked: argv.includes("--playground"),
  });
  if (wantsCheck) {
    // The same loader, the same messages; nothing is started or contacted. Warnings do not fail a start, so
    // they do not fail the check either.
    for (const warning of loaded.warnings) tellStderr(`warning: ${warning}`);
    if (!loaded.ok) fail(formatStartupProblems(loaded.problems));
    const paths = describeConfigFilePaths(loaded.config.app);
    const checked =
      loaded.config.mode === "bot"
        ? "with the Slack and cloud settings"
        : "as the playground would start: SLACK_BOT_TOKEN is not set, so the Slack and cloud settings are not checked";
    // Exits once the line is out (a pipe may take it asynchronously).
    process.stdout.write(
      `configuration OK: policy ${paths.policy}, flows ${paths.flows}, notifications ${paths.notifications} (${checked})\n`,
      () => process.exit(0),
    );
    return;
  }
  if (!loaded.ok) {
    for (const warning of loaded.warnings) tellStderr(`warning: ${warning}`);
    fail(formatStartupProblems(loaded.problems));
  }
  const startup = loaded.config;
  const { app } = startup;
  const graceMs = app.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;

  if (startup.mode === "playground") {
    // Loaded only here: a production start never loads the simulated cloud, the fake Slack or pino-pretty
    // (about 130 ms of module loading).
    const [{ createPlaygroundBot }, { createPlaygroundLogger }, { startPlayground }] = await Promise.all([
      import("./app/create-playground-bot.js"),
      import("./log/create-playground-logger.js"),
      import("./sandbox/playground/index.js"),
    ]);
    const logger = createPlaygroundLogger({ level: app.logLevel, file: PLAYGROUND_LOG_FILE });
    guardProcess(process, logger);
    for (const warning of loaded.warnings) logger.warn(warning);
    const playground = await startPlayground({
      port: startup.port,
      logger,
      logFile: PLAYGROUND_LOG_FILE,
      createBot: createPlaygroundBot(app),
    }).catch((error: unknown) =>
      failToStart(error, { slackApiUrl: "(the playground's fake Slack)", port: startup.port }),
    );
    onSignals(logger, { stop: () => playground.close() }, graceMs, SHUTDOWN_MARGIN_MS);
    return;
  }

  const logger = createLogger({ level: app.logLevel });
  guardProcess(process, logger);
  // Variables that look like settings but are none (`POLICY_FIEL`), ignored: one warning each.
  for (const warning of loaded.warnings) logger.warn(warning);
  const { slack, cloud, files } = startup;
  const { transport } = slack;
  const context: StartupFailureContext = {
    slackApiUrl: slack.apiUrl ?? DEFAULT_SLACK_API_URL,
    ...(transport.kind === "http" && { port: transport.port }),
    ...(transport.kind === "socket" &&
      transport.metricsPort !== undefined && { port: transport.metricsPort, portVariable: "METRICS_PORT" }),
  };
  const { faultPoint } = app;
  const running = await startHwcChatops({
    slack,
    cloud,
    app,
    files,
    logger,
    ...(ackThreadWorker !== undefined && { ackThreadWorker }),
    // Test hook (HWC_FAULT_POINT), inert unless set: die here as `kill -9` would, nothing flushed or released.
    ...(faultPoint !== undefined && {
      onFaultPoint: (point) => {
        process.stderr.write(`hwc-chatops: fault point ${point} reached (HWC_FAULT_POINT): exiting\n`);
        process.exit(137);
      },
    }),
  }).catch((error: unknown) => failToStart(error, context));
  onSignals(logger, running, graceMs, SHUTDOWN_MARGIN_MS);
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
