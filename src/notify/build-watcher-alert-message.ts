import { formatDuration } from "../config/parse-duration.js";
import { bold, code, context, type Message, md, section } from "../render/message-model.js";
import { WATCHER_TITLES } from "./build-change-message.js";
import type { WatcherKind } from "./load-notifications-config.js";

export interface WatcherAlertInput {
  watcherId: string;
  kind: WatcherKind;
  intervalMs: number;
}

/** "Watcher X is failing": posted once, after `failureThreshold` consecutive failed runs. */
export function buildWatcherFailingMessage(
  watcher: WatcherAlertInput,
  failures: number,
  error: string,
): Message {
  const what = WATCHER_TITLES[watcher.kind];
  return {
    text: md`:warning: Watcher ${watcher.watcherId} is failing (${failures} runs in a row)`,
    blocks: [
      section({
        text: md`:warning: Watcher ${bold(watcher.watcherId)} (${what}) is failing: ${failures} runs in a row could not read the cloud. Changes are not being announced until it recovers.`,
      }),
      section({ text: md`Last error: ${code(error)}` }),
      context(
        md`Retried every ${formatDuration(watcher.intervalMs)}; one message follows when it recovers. \`/ops watch list\` shows its state.`,
      ),
    ],
  };
}

/** "Watcher X recovered": posted once, after the failing message, on the first successful run. */
export function buildWatcherRecoveredMessage(watcher: WatcherAlertInput, failedForMs: number): Message {
  return {
    text: md`:white_check_mark: Watcher ${watcher.watcherId} recovered`,
    blocks: [
      section({
        text: md`:white_check_mark: Watcher ${bold(watcher.watcherId)} (${WATCHER_TITLES[watcher.kind]}) recovered after ${formatDuration(failedForMs)}. Changes since its last successful run are announced as usual.`,
      }),
    ],
  };
}
