/**
 * The only module that touches the process: reads the environment, chooses between the real bot and the
 * local playground, and wires signals. Everything else takes its configuration as parameters.
 */
import { createPlaygroundBot } from "./app/create-playground-bot.js";
import { guardProcess } from "./app/guard-process.js";
import { DEFAULT_SHUTDOWN_GRACE_MS, loadAppConfig, SHUTDOWN_MARGIN_MS } from "./app/load-app-config.js";
import { ConfigFileError, startHwcChatops } from "./app/start-hwc-chatops.js";
import { CloudConfigError, loadCloudConfigOrThrow } from "./cloud/load-cloud-config.js";
import { createLogger, type Logger } from "./log/create-logger.js";
import { startPlayground } from "./sandbox/playground/index.js";
import { loadSlackConfigOrThrow, SlackConfigError } from "./slack/load-slack-config.js";
import { StoreInUseError } from "./store/store-in-use-error.js";

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

/**
 * SIGTERM / SIGINT: stop taking work and let what is in flight finish for `graceMs`, then exit. The exit has a
 * hard deadline (`graceMs` + {@link SHUTDOWN_MARGIN_MS}): whatever is still pending then (a Slack call waiting
 * out a rate limit, a cloud that stopped answering, a watcher's run) is abandoned, since its state is in the
 * store and another replica or the restart resumes it. A second signal exits at once.
 */
function onSignals(logger: Logger, target: Stoppable, graceMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      tellStderr(`${signal} again while stopping: exiting now`);
      process.exit(1);
    }
    stopping = true;
    const deadlineMs = graceMs + SHUTDOWN_MARGIN_MS;
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
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const appConfig = loadAppConfig(env);
  if (!appConfig.ok) fail(`invalid configuration:\n  ${appConfig.issues.join("\n  ")}`);
  const logger = createLogger({ level: appConfig.config.logLevel });
  guardProcess(process, logger);
  const graceMs = appConfig.config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;

  const wantsPlayground = argv.includes("--playground") || !env.SLACK_BOT_TOKEN?.trim();
  if (wantsPlayground) {
    const port = env.PORT?.trim() ? Number(env.PORT) : 3000;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) fail("PORT: expected a port number (0-65535)");
    const playground = await startPlayground({
      port,
      logger,
      createBot: createPlaygroundBot(appConfig.config),
    });
    onSignals(logger, { stop: () => playground.close() }, graceMs);
    return;
  }

  let slack: ReturnType<typeof loadSlackConfigOrThrow>;
  let cloud: ReturnType<typeof loadCloudConfigOrThrow>;
  try {
    slack = loadSlackConfigOrThrow(env);
    cloud = loadCloudConfigOrThrow(env);
  } catch (error) {
    if (error instanceof SlackConfigError || error instanceof CloudConfigError) fail(error.message);
    throw error;
  }
  const { faultPoint } = appConfig.config;
  const running = await startHwcChatops({
    slack,
    cloud,
    app: appConfig.config,
    logger,
    // Test hook (HWC_FAULT_POINT), inert unless set: die here as `kill -9` would, nothing flushed or released.
    ...(faultPoint !== undefined && {
      onFaultPoint: (point) => {
        process.stderr.write(`hwc-chatops: fault point ${point} reached (HWC_FAULT_POINT): exiting\n`);
        process.exit(137);
      },
    }),
  });
  onSignals(logger, running, graceMs);
}

main(process.argv.slice(2), process.env).catch((error: unknown) => {
  if (error instanceof ConfigFileError || error instanceof StoreInUseError) fail(error.message);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
