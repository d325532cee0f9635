/**
 * The servers of `/ops audit` entries: which ones (name and ID), what was approved and sent for them, and how
 * each one ended. Read from what entries record (`serverIds`, `serverNames`, a call's `detail.params`, a step's
 * `detail.problems`, a run's `detail.finalStates`); entries written before names were recorded show IDs, named
 * from the page's other entries where one of them names the server.
 */
import type { AuditRecord } from "../audit/audit-entry.js";
import { code, type ListField, md, type Span } from "../render/message-model.js";
import { renderMrkdwn } from "../render/render-mrkdwn.js";
import { serverSpans } from "../views/format-values.js";
import { phaseOf } from "./fold-run-steps.js";

/** A field's value is cut past this many rendered characters (the list renderer's value limit): kept within. */
const FIELD_BUDGET = 200;
/** Room kept for ` and 999 more`. */
const MORE_ROOM = 16;

/** Server IDs to the names entries recorded for them. */
export type ServerNames = ReadonlyMap<string, string>;

/** The names the page's entries recorded (a newer entry's name first: entries come newest first). */
export function serverNamesOf(entries: readonly AuditRecord[]): ServerNames {
  const names = new Map<string, string>();
  for (const e of entries)
    for (const [id, name] of Object.entries(e.serverNames ?? {})) if (!names.has(id)) names.set(id, name);
  return names;
}

/** A field's value, and whether it left items out (` and N more`: the page then points at the export). */
interface Fitted {
  value: Span[];
  cut: boolean;
}

/**
 * Items joined by `, `, as many as fit a field whole, then ` and N more` (the rest are in the export, which
 * the page's footer names).
 */
function fitted(items: readonly Span[][], separator = ", "): Fitted {
  const out: Span[] = [];
  let shown = 0;
  for (const item of items) {
    const next = shown === 0 ? item : [...md`${separator}`, ...item];
    const room = shown + 1 < items.length ? FIELD_BUDGET - MORE_ROOM : FIELD_BUDGET;
    if (renderMrkdwn([...out, ...next]).length > room) break;
    out.push(...next);
    shown += 1;
  }
  const more = items.length - shown;
  if (more === 0) return { value: out, cut: false };
  return { value: [...out, ...md`${shown > 0 ? " and " : ""}${String(more)} more`], cut: true };
}

/** Entries whose line names their servers: what was asked, refused, or sent (a run's other steps repeat them). */
function namesItsServers(e: AuditRecord): boolean {
  if (e.type === "policy.decided") return e.requestId === undefined;
  if (e.type === "execution.step") return phaseOf(e) === "intent";
  return (
    e.type === "request.created" ||
    e.type === "request.refused" ||
    e.type === "break_glass.used" ||
    e.type === "schedule.run" ||
    e.type === "console_log.read"
  );
}

/** Parameters (`{ type: "HARD" }`) as `type=HARD`, each a code span; undefined when there are none. */
function parametersSpans(value: unknown): Fitted | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const pairs = Object.entries(value as Record<string, unknown>);
  if (pairs.length === 0) return undefined;
  return fitted(
    pairs.map(([k, v]) => [code(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)]),
    " ",
  );
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** One server's problem in a step (`detail.problems[]`): `web-01` (`d704b694…`) failed: CODE reason. */
function problemSpans(problem: unknown, names: ServerNames): Span[] | undefined {
  if (problem === null || typeof problem !== "object") return undefined;
  const p = problem as Record<string, unknown>;
  const id = text(p.serverId);
  if (id === undefined) return undefined;
  const result = p.result === "unknown" ? "not known" : (text(p.result) ?? "failed");
  const why = [text(p.code), text(p.reason)].filter((s) => s !== undefined).join(" ");
  return [...serverSpans(id, names.get(id)), ...md` ${result}${why === "" ? "" : `: ${why}`}`];
}

/** One server's state at the end of a run (`detail.finalStates[]`): `web-01` (`d704b694…`) SHUTOFF. */
function finalStateSpans(state: unknown, names: ServerNames): Span[] | undefined {
  if (state === null || typeof state !== "object") return undefined;
  const s = state as Record<string, unknown>;
  const id = text(s.serverId);
  if (id === undefined) return undefined;
  const status = s.status === "NOT_FOUND" ? "deleted" : (text(s.status) ?? "not known");
  return [...serverSpans(id, names.get(id)), ...md` ${status}`];
}

function listOf<T>(value: unknown, each: (item: unknown) => T | undefined): T[] {
  if (!Array.isArray(value)) return [];
  return value.map(each).filter((item): item is T => item !== undefined);
}

/**
 * The fields an entry (and the entries folded into its line) adds about servers: `Servers` (on what was asked,
 * refused or sent), `Parameters` (asked for on a request's creation) or `Parameters sent` (a call's), per-server
 * `Problems` of a step and `Final states` of a run. On a server's page (`subjectIds`: every server its name
 * stood for), `Server`: which of them the entry is about, by name and ID, so servers that had the same name
 * are told apart. `names`: what the page's entries recorded ({@link serverNamesOf}).
 */
export function auditServerFields(
  line: readonly AuditRecord[],
  names: ServerNames,
  subjectIds?: readonly string[],
): { fields: ListField[]; cut: boolean } {
  const fields: ListField[] = [];
  let cut = false;
  const add = (label: string, value: Fitted) => {
    fields.push({ label, value: value.value });
    cut ||= value.cut;
  };
  const [e] = line;
  if (e === undefined) return { fields, cut };
  const nameOf = (id: string) => e.serverNames?.[id] ?? names.get(id);
  const named = (ids: readonly string[]) => fitted(ids.map((id) => serverSpans(id, nameOf(id))));
  if (subjectIds !== undefined) {
    const ids = e.serverIds.filter((id) => subjectIds.includes(id));
    if (ids.length > 0) add("Server", named(ids));
  } else if (namesItsServers(e) && e.serverIds.length > 0) {
    add(e.serverIds.length === 1 ? "Server" : "Servers", named(e.serverIds));
  }
  for (const entry of line) {
    const d = entry.detail;
    const asked = entry.type === "request.created" ? parametersSpans(d?.parameters) : undefined;
    if (asked !== undefined) add("Parameters", asked);
    const sent = phaseOf(entry) === "intent" ? parametersSpans(d?.params) : undefined;
    if (sent !== undefined) add("Parameters sent", sent);
    const problems = listOf(d?.problems, (p) => problemSpans(p, names));
    if (problems.length > 0) add("Problems", fitted(problems, "; "));
    const finals =
      phaseOf(entry) === "run_finished" ? listOf(d?.finalStates, (s) => finalStateSpans(s, names)) : [];
    if (finals.length > 0) add("Final states", fitted(finals));
  }
  return { fields, cut };
}
