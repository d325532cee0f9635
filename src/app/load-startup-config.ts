import { type CloudConfig, loadCloudConfig } from "../cloud/load-cloud-config.js";
import { loadSlackConfig, type SlackConfig } from "../slack/load-slack-config.js";
import { describeConfigFileErrors } from "./describe-config-file-errors.js";
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

/** Credentials that say the bot is meant to start for real: with any of them, no playground unless asked. */
const REAL_CREDENTIALS = [
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "HUAWEICLOUD_SDK_AK",
  "HUAWEICLOUD_SDK_SK",
  "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  "HUAWEICLOUD_IAM_USERNAME",
  "HUAWEICLOUD_IAM_PASSWORD",
] as const;

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
  /** `playground`: no `SLACK_BOT_TOKEN`, or `--playground`; `asked`: `--playground` was given. */
  options: { playground: boolean; asked?: boolean },
): Promise<LoadStartupConfigResult> {
  const app = loadAppConfig(env);
  const warnings = findUnknownSettings(env).map(describeUnknownSetting);
  const problems: string[] = app.ok ? [] : [...app.issues];
  const given = (name: string) => (env[name]?.trim() ?? "") !== "";
  // A production environment missing its bot token (a misspelt SLACK_TOKEN) would start the playground and
  // pass the check: a bot that silently serves nobody. Without `--playground`, the other credentials say so.
  const realOnes = REAL_CREDENTIALS.filter(given);
  if (options.playground && options.asked !== true && realOnes.length > 0)
    problems.push(
      `SLACK_BOT_TOKEN: not set, but ${realOnes.join(", ")} ${realOnes.length === 1 ? "is" : "are"}: set it to start the bot (the playground starts only without Slack and cloud credentials, or with --playground)`,
    );
  if (!options.playground && given("SLACK_APP_TOKEN") && given("PORT") && !given("METRICS_PORT"))
    warnings.push(
      "PORT: not used in Socket Mode (SLACK_APP_TOKEN is set), so nothing listens on it; set METRICS_PORT to serve /healthz, /readyz and /metrics",
    );
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
  const paths = app.ok ? app.config : configFilePaths(env);
  try {
    files = await loadConfigFiles(paths);
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    problems.push(...describeConfigFileErrors(error.errors, paths));
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
