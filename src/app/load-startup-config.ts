import { type CloudConfig, loadCloudConfig } from "../cloud/load-cloud-config.js";
import { formatConfigErrors } from "../config/format-config-errors.js";
import { loadSlackConfig, type SlackConfig } from "../slack/load-slack-config.js";
import { describeUnknownSetting, findUnknownSettings } from "./find-unknown-settings.js";
import { type AppConfig, configFilePaths, loadAppConfig } from "./load-app-config.js";
import { ConfigFileError, type LoadedFiles, loadConfigFiles } from "./start-hwc-chatops.js";

/** Everything the process needs to start, validated. */
export type StartupConfig =
  /** No Slack credentials (or `--playground`): the local playground on `port`. */
  | { mode: "playground"; app: AppConfig; port: number; files: LoadedFiles }
  | { mode: "bot"; app: AppConfig; slack: SlackConfig; cloud: CloudConfig; files: LoadedFiles };

export type LoadStartupConfigResult = (
  | { ok: true; config: StartupConfig }
  /** One line per problem: `VARIABLE: …` for the environment, `file:line:column: …` for the files. */
  | { ok: false; problems: string[] }
) & {
  /**
   * What does not stop the start but is probably a mistake, one line each: variables that look like settings
   * but are none (`POLICY_FIEL`), so are ignored. Start-up logs each at level warn; `--check` prints them.
   */
  warnings: string[];
};

const PORT_EXPECTED = "PORT: expected a port number between 0 and 65535";

/** The playground's page port (`PORT`, default 3000). */
function playgroundPort(env: Record<string, string | undefined>): number | undefined {
  const raw = env.PORT?.trim();
  if (!raw) return 3000;
  return /^\d{1,5}$/.test(raw) && Number(raw) <= 65_535 ? Number(raw) : undefined;
}

/**
 * Reads every setting and every declarative file and reports every problem at once (all variables, all files),
 * so one start shows everything to fix instead of one problem per attempt. The playground needs no Slack or
 * cloud credentials; the real bot needs both. Never echoes a value (they may be secrets).
 */
export async function loadStartupConfig(
  env: Record<string, string | undefined>,
  options: { playground: boolean },
): Promise<LoadStartupConfigResult> {
  const app = loadAppConfig(env);
  const warnings = findUnknownSettings(env).map(describeUnknownSetting);
  const problems: string[] = app.ok ? [] : [...app.issues];
  let slack: SlackConfig | undefined;
  let cloud: CloudConfig | undefined;
  const port = options.playground ? playgroundPort(env) : undefined;
  if (options.playground) {
    if (port === undefined) problems.push(PORT_EXPECTED);
  } else {
    const slackResult = loadSlackConfig(env);
    const cloudResult = loadCloudConfig(env);
    if (slackResult.ok) slack = slackResult.config;
    else problems.push(...slackResult.issues.map((i) => `${i.variable}: expected ${i.expected}`));
    if (cloudResult.ok) cloud = cloudResult.config;
    else problems.push(...cloudResult.issues.map((i) => `${i.variable}: expected ${i.expected}`));
  }

  let files: LoadedFiles | undefined;
  try {
    files = await loadConfigFiles(app.ok ? app.config : configFilePaths(env));
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    problems.push(...formatConfigErrors([...error.errors]).split("\n"));
  }

  if (problems.length > 0 || !app.ok || files === undefined) return { ok: false, problems, warnings };
  if (options.playground && port !== undefined)
    return { ok: true, config: { mode: "playground", app: app.config, port, files }, warnings };
  if (slack === undefined || cloud === undefined) return { ok: false, problems, warnings };
  return { ok: true, config: { mode: "bot", app: app.config, slack, cloud, files }, warnings };
}

/** The start-up report of {@link loadStartupConfig}'s problems. */
export function formatStartupProblems(problems: readonly string[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return `the configuration has ${count}; the bot does not start:\n${problems.map((p) => `  ${p}`).join("\n")}`;
}
