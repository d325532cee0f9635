import { usageFor, verbsOf } from "./help.js";
import type { Command, IntentError } from "./intent-schema.js";
import { type Ctx, failure } from "./parse-arguments.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";

/** Synonyms that earn a "did you mean" (never executed as such). */
const VERB_ALIASES: Readonly<Record<Command, Readonly<Record<string, string>>>> = {
  ecs: {
    restart: "reboot",
    shutdown: "stop",
    poweroff: "stop",
    halt: "stop",
    off: "stop",
    on: "start",
    boot: "start",
    poweron: "start",
    rm: "delete",
    remove: "delete",
    destroy: "delete",
    terminate: "delete",
    ls: "list",
    get: "show",
    describe: "show",
    info: "show",
    status: "show",
    flavours: "flavors",
    flavor: "flavors",
    types: "flavors",
    jobs: "job",
    scale: "resize",
  },
  hss: { host: "hosts", list: "hosts", ls: "hosts", port: "ports", vuln: "scan", scans: "scan" },
  ops: {
    approval: "approvals",
    calendars: "calendar",
    freeze: "calendar",
    windows: "calendar",
    approve: "approvals",
    pending: "approvals",
    job: "jobs",
    log: "audit",
    logs: "audit",
    history: "audit",
    watches: "watch",
    explain: "policy",
    schedules: "schedule",
    cron: "schedule",
    recurring: "schedule",
  },
};

/** An unknown verb of `ctx.command`, with the nearest verb (or synonym's verb) as a suggestion. */
export function unknownVerb(ctx: Ctx, verb: string, isMention = false): { ok: false; error: IntentError } {
  const verbs = verbsOf(ctx.command);
  const suggestion = isMention ? undefined : suggest(verb, verbs, VERB_ALIASES[ctx.command]);
  const shown = isMention ? "(a Slack mention)" : quoteUserText(verb);
  return failure(
    "unknown_verb",
    `Unknown \`/${ctx.command}\` verb ${shown}. ` +
      (suggestion ? `Did you mean \`${suggestion}\`?` : `Verbs: ${verbs.map((v) => `\`${v}\``).join(", ")}.`),
    { usage: usageFor(ctx.command), ...(suggestion ? { suggestion } : {}) },
  );
}
