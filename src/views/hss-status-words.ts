/**
 * Operator words for HSS's wire values of a host's agent and protection status, one home for every view
 * that shows them (the `/hss hosts` list and its counts, `/ecs show`, the preflight's HSS field). A value
 * not listed here (one HSS adds later) is returned as sent: callers render it as untrusted text.
 */

// `online`, `offline` and `installing` read well as sent.
const AGENT_WORDS: Readonly<Record<string, string>> = {
  not_installed: "not installed",
  install_failed: "install failed",
  installed: "installed (connection not reported)",
};

const PROTECT_WORDS: Readonly<Record<string, string>> = {
  opened: "on",
  closed: "off",
  protection_exception: "error",
};

/** `not installed` for `not_installed`; an unknown status as sent. */
export function agentStatusWords(status: string): string {
  return AGENT_WORDS[status] ?? status;
}

/** `on` for `opened`, `off` for `closed`, `error` for `protection_exception`; an unknown status as sent. */
export function protectStatusWords(status: string): string {
  return PROTECT_WORDS[status] ?? status;
}
