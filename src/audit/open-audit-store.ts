import { statSync } from "node:fs";
import { resolve } from "node:path";
import { createStore, DEFAULT_STORE_URL } from "../store/create-store.js";
import { parseStoreUrl } from "../store/parse-store-url.js";
import type { Clock, Store } from "../store/store.js";
import { AUDIT_STREAM } from "./create-audit-log.js";
import { sqliteSchemaProblem } from "./sqlite-schema-problem.js";

export interface OpenAuditStoreOptions {
  clock: Clock;
  /** `STORE_URL` was not set and `url` is the bot's default: the message then says so. */
  defaulted: boolean;
}

/** The store to read, or why there is none: a message for the operator, naming what to fix. */
export type OpenAuditStoreResult = { ok: true; store: Store } | { ok: false; error: string };

/**
 * Opens the store named by `STORE_URL` for the audit CLI, which reads what the bot wrote and so must never
 * make a store up. The bot's start creates its SQLite file (and folder) on first run; here a file that does
 * not exist is refused, before anything is opened, so that a mistyped path is reported instead of being
 * created and verified as an empty, intact log. A `memory://` store exists only inside the process that opens
 * it, so it can hold no log of the bot's either. Redis URLs are opened as the bot opens them, and a namespace
 * holding no audit log (no entry and no chain head: a mistyped `?namespace=`, or none given where the bot
 * has one) is refused likewise, instead of being verified as an empty, intact log. An SQLite file written by
 * an older version is refused too, unchanged (`sqliteSchemaProblem`): opening it as a store would upgrade it.
 * Throws what `createStore` throws (a file in use, not a database, a schema newer than this build).
 */
export async function openAuditStore(
  url: string,
  options: OpenAuditStoreOptions,
): Promise<OpenAuditStoreResult> {
  const parsed = parseStoreUrl(url);
  if (parsed.ok && parsed.target.backend === "memory")
    return {
      ok: false,
      error:
        "STORE_URL is memory://, a store that lives only inside the process that opens it: there is no audit log here to read. Set STORE_URL to the bot's store (its SQLite file or Redis URL).",
    };
  if (parsed.ok && parsed.target.backend === "sqlite") {
    const file = resolve(parsed.target.file);
    const problem = sqliteFileProblem(file, options.defaulted) ?? sqliteSchemaProblem(file);
    if (problem !== undefined) return { ok: false, error: problem };
  }
  const store = await createStore(url, { clock: options.clock });
  if (parsed.ok && parsed.target.backend === "redis") {
    const problem = await redisNamespaceProblem(store, parsed.target.url, parsed.target.namespace);
    if (problem !== undefined) {
      await store.close();
      return { ok: false, error: problem };
    }
  }
  return { ok: true, store };
}

async function redisNamespaceProblem(
  store: Store,
  url: string,
  named: string | undefined,
): Promise<string | undefined> {
  const state = await store.logState(AUDIT_STREAM);
  if (state.head.seq > 0 || state.prunedThrough.seq > 0) return undefined;
  const where = new URL(url);
  where.username = "";
  where.password = "";
  const which =
    named === undefined
      ? `STORE_URL names no namespace, so the bot's default (${store.namespace}) was read; if the bot runs with ?namespace=…, add it`
      : "check the namespace in STORE_URL (?namespace=…)";
  return `no audit log in namespace ${store.namespace} at ${where.href}: ${which}.`;
}

function sqliteFileProblem(file: string, defaulted: boolean): string | undefined {
  const fix = defaulted
    ? `STORE_URL is not set, so the bot's default (${DEFAULT_STORE_URL}) was looked for in the current directory. Set STORE_URL to the bot's store file.`
    : "check STORE_URL (the bot's store file).";
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // ENOTDIR: a folder on the way is a file, so there is nothing at this path either.
    if (code === "ENOENT" || code === "ENOTDIR") return `no audit store at ${file}: ${fix}`;
    // Anything else (no permission on a folder on the way): not opened either, as that could create folders.
    return `cannot look for the audit store at ${file} (${(error as Error).message})`;
  }
  return isFile ? undefined : `no audit store at ${file}, which is not a file: ${fix}`;
}
