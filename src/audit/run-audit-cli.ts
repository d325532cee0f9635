import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { pino } from "pino";
import { loadAppConfig } from "../app/load-app-config.js";
import { formatDuration, parseDuration } from "../config/parse-duration.js";
import { SLACK_USER_ID_RE } from "../intents/intent-constants.js";
import { describeAuditVerification } from "../operations/build-audit-verify-view.js";
import { formatTime } from "../operations/describe-request.js";
import { serverNameKey } from "../operations/request-details.js";
import { type Clock, type Store, systemClock } from "../store/store.js";
import { createAuditLog } from "./create-audit-log.js";
import {
  type AuditExportFilter,
  auditCsvHeader,
  auditCsvRow,
  auditJsonLine,
  matchesExportFilter,
} from "./export-audit-entries.js";
import { openAuditStore } from "./open-audit-store.js";
import { parseTimeArgument } from "./parse-time-argument.js";
import { type PruneExport, type PruneOperator, pruneActorId, pruneAuditLog } from "./prune-audit-log.js";
import { AUDIT_EXPORT_ACTION, recordAuditRead } from "./record-audit-read.js";
import type { ChainDigest } from "./verify-audit-chain.js";

export interface AuditCliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clock?: Clock;
  /**
   * Tests pass a store; otherwise `STORE_URL` is opened like the bot does, except that a store that does not
   * exist is refused instead of created (see `openAuditStore`).
   */
  store?: Store;
  /**
   * Who runs a prune or an export, as recorded in it; default: `os.userInfo()` and `os.hostname()` (not
   * verified).
   */
  operator?: PruneOperator;
}

export const AUDIT_CLI_USAGE = `Usage:
  npm run audit -- verify [--digest <seq>:<hash>]
      Walks the audit chain and reports the first broken or missing link (exit 1 when there is one).
      --digest: check against a digest posted in the digest channel (default: the copy of the last one the
      bot posted that the store keeps, which is in the same store as the entries: prefer the channel's).
  npm run audit -- export [--since <time>] [--until <time>] [--user <U…>] [--server <name or ID>]
                          [--request <apr_…>] [--format jsonl|csv]
      Writes the entries in order to standard output: every filter given must match (--since: at or after,
      --until: before; --user: who acted or asked; --server: a server's ID, or a name the entries recorded
      or a request gave it, so a deleted server's history is found too; --request: one request).
      jsonl (default): one JSON object per line with its hashes (what prune checks). csv: one row per entry,
      columns time,seq,type,actor,request,servers,outcome,detail (detail as JSON; a cell starting with
      = + - @ is prefixed with ' so a spreadsheet shows it as text).
      The export itself is recorded in the audit log (an audit.read entry: your OS user and host, as this
      machine reports them, the filters and how many entries were written).
  npm run audit -- prune --before <time> (--export <file> | --no-export)
      Removes the entries older than <time> (export them first); the prune is recorded in the chain, with
      your OS user and host (as this machine reports them: not verified).
      --export: the export file (jsonl, unfiltered); nothing is removed unless it holds every entry to remove
      with the same hash, and its SHA-256 is recorded. --no-export: remove without one (the record says so).
      <time> must be at least the minimum retention ago: AUDIT_MIN_RETENTION (a duration, default 90d).
  <time>: an ISO date or time (2025-01-31, 2025-01-31T12:00:00Z, 2025-01-31T12:00:00+01:00) or an age (90d,
  12h). A date alone is midnight UTC; a time without Z or an offset is read in this host's time zone (TZ).
  The store is STORE_URL, as for the bot (an SQLite file can only be opened while the bot is stopped); it must
  exist already: the audit command never creates one, nor upgrades one written by an older version (start the
  bot once: it upgrades the file).`;

type Parsed =
  | { command: "verify"; digest?: ChainDigest }
  | { command: "export"; filter: ExportOptions; format: "jsonl" | "csv" }
  | { command: "prune"; before: number; exportFile?: string }
  | { command: "help" };

/** Options that take no value. */
const FLAGS: ReadonlySet<string> = new Set(["--no-export"]);
const REQUEST_ID_RE = /^apr_[A-Za-z0-9_-]{22,64}$/;
/** The minimum retention when AUDIT_MIN_RETENTION is not set. */
export const DEFAULT_MIN_RETENTION = "90d";

/** How long entries are kept at least (AUDIT_MIN_RETENTION, default 90 days), or what is wrong with it. */
function minRetention(
  env: Record<string, string | undefined>,
): { ok: true; ms: number } | { ok: false; error: string } {
  const text = env.AUDIT_MIN_RETENTION?.trim() || DEFAULT_MIN_RETENTION;
  const parsed = parseDuration(text);
  return parsed.ok
    ? { ok: true, ms: parsed.ms }
    : { ok: false, error: `AUDIT_MIN_RETENTION: ${parsed.error} (a duration, e.g. 90d; default 90d)` };
}

/** The export's filters as typed: `server` is resolved against the store once it is open. */
type ExportOptions = Omit<AuditExportFilter, "server"> & { server?: string };

function parseArgs(
  argv: readonly string[],
  now: number,
  env: Record<string, string | undefined>,
): { ok: true; value: Parsed } | { ok: false; error: string } {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help")
    return { ok: true, value: { command: "help" } };
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i] ?? "";
    if (!name.startsWith("--")) return { ok: false, error: `unexpected argument \`${name}\`` };
    if (options.has(name)) return { ok: false, error: `${name} is given twice` };
    // The one option without a value: saying so is the point.
    if (FLAGS.has(name)) {
      options.set(name, "");
      i -= 1;
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined || value.startsWith("--")) return { ok: false, error: `${name} needs a value` };
    options.set(name, value);
  }
  const allow = (...names: string[]) => {
    const unknown = [...options.keys()].find((n) => !names.includes(n));
    return unknown === undefined ? undefined : `\`${command}\` takes no option ${unknown}`;
  };
  const time = (name: string) => {
    const text = options.get(name);
    return text === undefined ? undefined : parseTimeArgument(text, now);
  };
  switch (command) {
    case "verify": {
      const problem = allow("--digest");
      if (problem) return { ok: false, error: problem };
      const text = options.get("--digest");
      if (text === undefined) return { ok: true, value: { command } };
      const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text);
      if (match === null || Number(match[1]) === 0)
        return {
          ok: false,
          error: "--digest must be <seq>:<hash> as posted, e.g. 1234:3f5a…(64 hex digits)",
        };
      return { ok: true, value: { command, digest: { seq: Number(match[1]), hash: match[2] ?? "" } } };
    }
    case "export": {
      const problem = allow("--since", "--until", "--user", "--server", "--request", "--format");
      if (problem) return { ok: false, error: problem };
      const format = options.get("--format") ?? "jsonl";
      if (format !== "jsonl" && format !== "csv")
        return { ok: false, error: `--format ${format} is not supported; use jsonl (the default) or csv` };
      const filter: ExportOptions = {};
      for (const name of ["--since", "--until"] as const) {
        const at = time(name);
        if (at?.ok === false) return { ok: false, error: `${name}: ${at.error}` };
        if (at !== undefined) filter[name === "--since" ? "since" : "until"] = at.at;
      }
      if (filter.since !== undefined && filter.until !== undefined && filter.until <= filter.since)
        return { ok: false, error: "--until must be later than --since: no entry could match" };
      const user = options.get("--user");
      if (user !== undefined) {
        const id = user.replace(/^<?@/, "").replace(/>$/, "");
        if (!SLACK_USER_ID_RE.test(id))
          return { ok: false, error: `--user ${user} is not a Slack user ID; use the ID, e.g. U012ABCDEF` };
        filter.userId = id;
      }
      const request = options.get("--request");
      if (request !== undefined) {
        if (!REQUEST_ID_RE.test(request))
          return { ok: false, error: `--request ${request} is not a request ID; use the apr_… ID` };
        filter.requestId = request;
      }
      const server = options.get("--server");
      if (server !== undefined) {
        if (server.trim() === "") return { ok: false, error: "--server needs a server name or ID" };
        filter.server = server;
      }
      return { ok: true, value: { command, filter, format } };
    }
    case "prune": {
      const problem = allow("--before", "--export", "--no-export");
      if (problem) return { ok: false, error: problem };
      const before = time("--before");
      if (before === undefined) return { ok: false, error: "prune needs --before <time>" };
      if (!before.ok) return { ok: false, error: `--before: ${before.error}` };
      if (before.at > now)
        return { ok: false, error: "--before is in the future; nothing newer than now can be pruned" };
      const retention = minRetention(env);
      if (!retention.ok) return retention;
      if (before.at > now - retention.ms)
        return {
          ok: false,
          error: `--before ${options.get("--before")} is within the minimum retention (${formatDuration(retention.ms)}, AUDIT_MIN_RETENTION): entries from the last ${formatDuration(retention.ms)} are kept; the latest --before allowed now is ${formatTime(now - retention.ms)}`,
        };
      const exportFile = options.get("--export");
      if (exportFile !== undefined && options.has("--no-export"))
        return { ok: false, error: "give --export <file> or --no-export, not both" };
      if (exportFile === undefined && !options.has("--no-export"))
        return {
          ok: false,
          error:
            "prune removes entries for good: give --export <file> (the export holding them: `npm run audit -- export > <file>` first), or --no-export to remove them without one",
        };
      return {
        ok: true,
        value: { command, before: before.at, ...(exportFile !== undefined && { exportFile }) },
      };
    }
    default:
      return { ok: false, error: `unknown command \`${command}\`; use verify, export or prune` };
  }
}

/**
 * `npm run audit -- verify|export|prune`: the audit chain of the store named by `STORE_URL`, outside the bot.
 * Returns the exit code: 0 done (verify: intact), 1 tampered or failed (or no store at STORE_URL), 2 bad usage.
 * Nothing is changed on a bad input or a broken chain, and nothing is created where there is no store.
 */
export async function runAuditCli(argv: readonly string[], io: AuditCliIo): Promise<number> {
  const clock = io.clock ?? systemClock;
  const parsed = parseArgs(argv, clock.now(), io.env);
  if (!parsed.ok) {
    io.stderr(`audit: ${parsed.error}\n\n${AUDIT_CLI_USAGE}\n`);
    return 2;
  }
  if (parsed.value.command === "help") {
    io.stdout(`${AUDIT_CLI_USAGE}\n`);
    return 0;
  }
  let store = io.store;
  if (store === undefined) {
    const config = loadAppConfig(io.env);
    if (!config.ok) {
      io.stderr(`audit: invalid configuration:\n  ${config.issues.join("\n  ")}\n`);
      return 2;
    }
    try {
      const opened = await openAuditStore(config.config.storeUrl, {
        clock,
        defaulted: (io.env.STORE_URL ?? "").trim() === "",
      });
      if (!opened.ok) {
        io.stderr(`audit: ${opened.error}\n`);
        return 1;
      }
      store = opened.store;
    } catch (error) {
      io.stderr(`audit: cannot open the store: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const audit = createAuditLog({ store, clock, logger: pino({ level: "silent" }) });
  try {
    return await runCommand(parsed.value, audit, io);
  } catch (error) {
    io.stderr(`audit: ${(error as Error).message}\n`);
    return 1;
  } finally {
    if (io.store === undefined) await store.close();
  }
}

async function runCommand(
  command: Exclude<Parsed, { command: "help" }>,
  audit: ReturnType<typeof createAuditLog>,
  io: AuditCliIo,
): Promise<number> {
  switch (command.command) {
    case "verify": {
      const result = await audit.verify(command.digest !== undefined ? { digest: command.digest } : {});
      const text = describeAuditVerification(result);
      (text.ok ? io.stdout : io.stderr)(
        `${[text.headline, ...text.details.map((d) => `  ${d}`)].join("\n")}\n`,
      );
      return text.ok ? 0 : 1;
    }
    case "export": {
      const { server, ...rest } = command.filter;
      const filter: AuditExportFilter = {
        ...rest,
        // The IDs a name had in requests (as `/ops audit <name>` finds them): a deleted server's too.
        ...(server !== undefined && {
          server: { text: server, ids: new Set(await audit.store.members(serverNameKey(server))) },
        }),
      };
      let count = 0;
      if (command.format === "csv") io.stdout(auditCsvHeader());
      for await (const entry of audit.entries(filter.since !== undefined ? { since: filter.since } : {})) {
        if (!matchesExportFilter(entry.record, filter)) continue;
        io.stdout(command.format === "csv" ? auditCsvRow(entry) : auditJsonLine(entry));
        count += 1;
      }
      io.stderr(`audit: exported ${count} entries\n`);
      // Recorded like a read in Slack, so an auditor sees who exported what. Whoever runs this can write the
      // store anyway, so the entry is a trail, not a gate: an export is never withheld for it (a read-only
      // copy of the store exports as well), and a failure to record is said, not fatal.
      const recorded = await recordAuditRead(
        (entry) => audit.record(entry),
        {
          actorId: pruneActorId(io.operator ?? osOperator()),
          action: AUDIT_EXPORT_ACTION,
          via: "export",
          filters: {
            ...(rest.since !== undefined && { since: rest.since }),
            ...(rest.until !== undefined && { until: rest.until }),
            ...(rest.userId !== undefined && { user: rest.userId }),
            ...(rest.requestId !== undefined && { request: rest.requestId }),
            ...(filter.server !== undefined && {
              server: filter.server.text,
              serverIds: [...filter.server.ids],
            }),
            format: command.format,
          },
          entries: count,
        },
        // No bot log here: the line below says it to whoever ran the export.
        undefined,
      );
      if (!recorded) io.stderr("audit: this export could not be recorded in the audit log\n");
      return 0;
    }
    case "prune": {
      let exported: PruneExport | undefined;
      if (command.exportFile !== undefined) {
        const read = readExport(command.exportFile);
        if (!read.ok) {
          io.stderr(`Not pruned: ${read.error}\n`);
          return 1;
        }
        exported = read.value;
      }
      const outcome = await pruneAuditLog(audit, command.before, io.operator ?? osOperator(), exported);
      if (outcome.ok) {
        io.stdout(
          `Pruned ${outcome.removed} entries (up to entry ${outcome.throughSeq}, ${formatTime(outcome.throughAt)}); the prune is entry ${outcome.seq}.\n`,
        );
        return 0;
      }
      if (outcome.reason === "not_exported") {
        io.stderr(
          `Not pruned: ${command.exportFile} does not hold entry ${outcome.seq} with the hash it has in the store, and entries up to ${outcome.throughSeq} would be removed. Export again (\`npm run audit -- export > <file>\`) and give that file.\n`,
        );
        return 1;
      }
      if (outcome.reason === "nothing_to_prune") {
        io.stdout(`Nothing to prune: no entry before ${formatTime(command.before)} is left.\n`);
        return 0;
      }
      const text = describeAuditVerification({ ok: false, checked: 0, problem: outcome.problem });
      io.stderr(
        `Not pruned: the chain does not verify, and pruning would destroy the evidence.\n  ${text.details.join("\n  ")}\n`,
      );
      return 1;
    }
  }
}

/** The OS user and host running the CLI, as the machine reports them (nothing authenticates them). */
function osOperator(): PruneOperator {
  let osUser = "unknown";
  try {
    osUser = userInfo().username;
  } catch {
    // No entry for the process's user ID (a container's arbitrary UID): recorded as unknown.
  }
  return { osUser, host: hostname() };
}

/** An export file (`npm run audit -- export`): its SHA-256 and each entry's hash by number, or why not. */
function readExport(file: string): { ok: true; value: PruneExport } | { ok: false; error: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return { ok: false, error: `cannot read the export ${file} (${(error as Error).message})` };
  }
  const hashes = new Map<number, string>();
  const lines = bytes.toString("utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let entry: { seq?: unknown; hash?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return { ok: false, error: `${file} is not an audit export: line ${i + 1} is not JSON` };
    }
    if (typeof entry?.seq !== "number" || typeof entry.hash !== "string")
      return { ok: false, error: `${file} is not an audit export: line ${i + 1} has no seq and hash` };
    hashes.set(entry.seq, entry.hash);
  }
  return { ok: true, value: { sha256: createHash("sha256").update(bytes).digest("hex"), hashes } };
}
