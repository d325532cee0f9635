import { CLOUD_ENV_VARS } from "../cloud/load-cloud-config.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { SLACK_ENV_VARS } from "../slack/load-slack-config.js";
import { APP_ENV_VARS } from "./load-app-config.js";

/** Every environment variable the bot reads: the loaders' tables (the README's configuration table). */
export const KNOWN_SETTINGS: readonly string[] = [...SLACK_ENV_VARS, ...CLOUD_ENV_VARS, ...APP_ENV_VARS].map(
  (v) => v.name,
);

/**
 * First words of our settings that other software uses for its own variables too (`JOB_NAME` in CI, `RUN_ID`,
 * `LOG_FORMAT`, `USER_ID`…): a variable starting with one is only ours when it is a near miss of a setting.
 */
const SHARED_FIRST_WORDS: ReadonlySet<string> = new Set([
  "LOG",
  "RUN",
  "REQUEST",
  "WORK",
  "USER",
  "JOB",
  "METRICS",
]);

/**
 * The variables Kubernetes sets for every service of the namespace (`<SERVICE>_PORT`, `<SERVICE>_SERVICE_HOST`,
 * `<SERVICE>_PORT_3000_TCP_ADDR`…): a service named `hwc-chatops` or `slack-proxy` must not raise warnings.
 */
const SERVICE_LINK =
  /_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/;

/** A variable that looks like a setting of ours but is none: probably misspelled, so ignored. */
export interface UnknownSetting {
  variable: string;
  /** The setting it most likely means, if one is close enough. */
  suggestion?: string;
}

/**
 * Environment variables that look like settings of ours but are not one, which the bot would otherwise ignore
 * in silence (`POLICY_FIEL` falls back to the shipped policy). A variable looks like ours when its first word
 * is the first word of one of our settings (`POLICY_`, `FLOWS_`, `NOTIFICATIONS_`, `STORE_`, `SLACK_`,
 * `HUAWEICLOUD_`, `HWC_`, `SHUTDOWN_`…: taken from the settings tables, so a new setting adds its own), except
 * Kubernetes service links; for first words other software shares ({@link SHARED_FIRST_WORDS}), only when it is
 * a near miss of a setting. Any other near miss (`POLCY_FILE`) counts too. Each comes with the did-you-mean of
 * `suggestClosest`. Sorted by name; values are never looked at (they may be secrets).
 */
export function findUnknownSettings(env: Record<string, string | undefined>): UnknownSetting[] {
  const known = new Set(KNOWN_SETTINGS);
  const firstWords = new Set(KNOWN_SETTINGS.filter((name) => name.includes("_")).map(firstWord));
  const found: UnknownSetting[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (known.has(variable) || env[variable] === undefined) continue;
    const suggestion = suggestClosest(variable, KNOWN_SETTINGS);
    const word = firstWord(variable);
    const ours =
      suggestion !== undefined ||
      (variable.includes("_") &&
        firstWords.has(word) &&
        !SHARED_FIRST_WORDS.has(word) &&
        !SERVICE_LINK.test(variable));
    if (ours) found.push({ variable, ...(suggestion !== undefined && { suggestion }) });
  }
  return found;
}

/** The start-up warning about one unknown setting. */
export function describeUnknownSetting(unknown: UnknownSetting): string {
  const hint = unknown.suggestion !== undefined ? ` (did you mean ${unknown.suggestion}?)` : "";
  return `${unknown.variable} is not a setting of hwc-chatops and is ignored${hint}; the settings are listed in the README's configuration section`;
}

function firstWord(name: string): string {
  return name.split("_")[0] ?? name;
}
