import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { Composer, type CST, type Document, Lexer, LineCounter, Parser, YAMLParseError } from "yaml";
import type * as z from "zod";
import {
  describeConfigIssues,
  findNode,
  generatedMessage,
  type SourceView,
} from "./describe-config-issues.js";
import { type ConfigError, type ConfigPath, formatConfigPath } from "./format-config-errors.js";
import { MAX_ERRORS, MERGE_KEY, type StructureScan, scanStructure } from "./scan-structure.js";

export {
  type ConfigError,
  type ConfigPath,
  formatConfigErrors,
  formatConfigPath,
} from "./format-config-errors.js";
export { valueIssue } from "./value-issue.js";

/** A 1-based place in the source file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Outcome of loading a config: the schema's output, or every problem found, each pointing at file:line:column. */
export type YamlConfigResult<T> =
  | {
      ok: true;
      value: T;
      /** SHA-256 (hex) of the text read (UTF-8): which version of the file this is, for the audit log. */
      sha256: string;
      /** Where `path` is in the file (the nearest existing node), for messages about the loaded value. */
      locate: (path: ConfigPath) => SourcePosition;
    }
  | { ok: false; errors: ConfigError[] };

export interface YamlConfigOptions {
  /** Parse this text instead of reading `filePath` (which is then used only in messages). */
  text?: string;
  /** Refuse larger files. Default 1 MiB: config files are hand-written. */
  maxBytes?: number;
  /** Limit on alias expansion (yaml's `maxAliasCount`), against "billion laughs" files. Default 100. */
  maxAliasCount?: number;
  /** Limit on collection nesting. Default 64. Deeper files are refused before yaml's recursive composer runs. */
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;
const DEFAULT_MAX_DEPTH = 64;

/**
 * Reads a YAML config file and validates it with a zod schema (use strict objects so unknown keys are
 * reported). Every problem (YAML syntax, duplicate keys, unknown keys, wrong types, failed refinements) comes
 * back as a {@link ConfigError} at the line and column to fix; nothing is thrown for a bad or missing file.
 * An empty document validates as `{}`.
 */
export async function loadYamlConfig<S extends z.ZodType>(
  filePath: string,
  schema: S,
  options: YamlConfigOptions = {},
): Promise<YamlConfigResult<z.output<S>>> {
  let text = options.text;
  if (text === undefined) {
    const read = await readConfigText(filePath, options.maxBytes ?? DEFAULT_MAX_BYTES);
    if (!read.ok) return read;
    text = read.text;
  }
  return parseYamlConfig(filePath, text, schema, options);
}

/** {@link loadYamlConfig} without the file system: `file` is used only to label errors. */
export function parseYamlConfig<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  options: Omit<YamlConfigOptions, "text"> = {},
): YamlConfigResult<z.output<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) return fail([fileError(file, tooLargeMessage(bytes, maxBytes))]);

  const lines = new LineCounter();
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const at = (offset: number, path: ConfigPath, message: string): ConfigError => ({
    file,
    ...pos(offset),
    path: formatConfigPath(path),
    message,
  });

  // yaml composes documents recursively; a few thousand nested brackets overflow the stack, which has been
  // seen to leave V8's regexp compiler unusable afterwards. The CST parser is iterative, so measure there first.
  const cst = parseCst(text, lines, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (!cst.ok) {
    return fail([
      at(
        cst.tooDeepAt,
        [],
        `nesting deeper than ${options.maxDepth ?? DEFAULT_MAX_DEPTH} levels; flatten the file`,
      ),
    ]);
  }

  const doc = composeDocument(cst.tokens, text.length);
  const syntax = doc.errors.map((e) => at(e.pos[0], [], yamlErrorMessage(e.code, e.message)));
  // Warnings are unresolved tags and the like: in a hand-written config they are mistakes, not extensions.
  const warnings = doc.warnings.map((e) => at(e.pos[0], [], `YAML: ${e.message}`));
  if (syntax.length > 0) return fail([...syntax, ...warnings]);

  const structure: StructureScan = {
    errors: [],
    firstAlias: undefined,
    cyclic: false,
    aliasTargets: new Map(),
    anchors: new Map(),
    open: new Set(),
  };
  scanStructure(doc.contents, [], structure, at);
  const view: SourceView = { doc, text, resolveAlias: (alias) => structure.aliasTargets.get(alias) };
  const early = [...warnings, ...structure.errors];
  if (structure.cyclic) return fail(early);

  let data: unknown;
  try {
    data =
      doc.contents === null
        ? {}
        : doc.toJS({ maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const message = /alias count/i.test(error.message)
      ? "aliases expand to too much data (a YAML bomb?); expand them by hand or use fewer"
      : `YAML: ${error.message}`;
    return fail([...early, at(structure.firstAlias ?? 0, [], message)]);
  }

  // Without zod's compiled fast path: a config file is parsed once, and compiling a parser for each of its
  // object schemas costs more than it saves (about 10 ms of every start).
  const parsed = schema.safeParse(data, { reportInput: true, error: generatedMessage, jitless: true });
  const located = (path: ConfigPath): SourcePosition => pos(findNode(view, path).offset);
  if (parsed.success && early.length === 0)
    return {
      ok: true,
      value: parsed.data,
      locate: located,
      sha256: createHash("sha256").update(text, "utf8").digest("hex"),
    };
  const problems = describeConfigIssues(parsed.success ? [] : parsed.error.issues, view).filter(
    (p) => !(structure.mergeKeys === true && p.kind === "unknown" && p.path.at(-1) === MERGE_KEY),
  );
  return fail([...early, ...problems.map((p) => at(p.offset, p.path, p.message))]);
}

function fail(errors: ConfigError[]): { ok: false; errors: ConfigError[] } {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.line}:${e.column}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  if (unique.length <= MAX_ERRORS) return { ok: false, errors: unique };
  const last = unique[MAX_ERRORS - 1];
  const more: ConfigError = {
    ...(last ?? fileError("", "")),
    path: "",
    message: `${unique.length - MAX_ERRORS} more problems not shown; fix these first`,
  };
  return { ok: false, errors: [...unique.slice(0, MAX_ERRORS), more] };
}

function fileError(file: string, message: string): ConfigError {
  return { file, line: 1, column: 1, path: "", message };
}

function tooLargeMessage(bytes: number, maxBytes: number): string {
  return `file is ${bytes} bytes; config files are limited to ${maxBytes} bytes`;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The file's text, or where its first byte that is not UTF-8 is: read leniently, such a byte would become
 * U+FFFD and a name or tag value holding it would silently never match (a Latin-1 `é` saved by an old editor).
 */
function decodeUtf8(
  file: string,
  bytes: Buffer,
): { ok: true; text: string } | { ok: false; errors: ConfigError[] } {
  try {
    return { ok: true, text: STRICT_UTF8.decode(bytes) };
  } catch {
    const text = bytes.toString("utf8");
    const at = text.indexOf("\uFFFD");
    const before = text.slice(0, Math.max(0, at));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    const message = "is not UTF-8 text here; save the file as UTF-8";
    return { ok: false, errors: [{ file, line, column, path: "", message }] };
  }
}

async function readConfigText(
  file: string,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; errors: ConfigError[] }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { ok: false, errors: [fileError(file, "is not a regular file")] };
    if (info.size > maxBytes)
      return { ok: false, errors: [fileError(file, tooLargeMessage(info.size, maxBytes))] };
    return decodeUtf8(file, await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const what = code === "ENOENT" ? await notFoundMessage(file) : `cannot read the file (${code})`;
    return { ok: false, errors: [fileError(file, what)] };
  }
}

/** "file not found", naming the file beside it with the other YAML extension if there is one (`stop.yaml`). */
async function notFoundMessage(file: string): Promise<string> {
  const other = /\.yml$/.test(file)
    ? file.replace(/\.yml$/, ".yaml")
    : /\.yaml$/.test(file)
      ? file.replace(/\.yaml$/, ".yml")
      : undefined;
  if (other === undefined) return "file not found";
  const found = await stat(other).then(
    (info) => info.isFile(),
    () => false,
  );
  return found
    ? `file not found; ${basename(other)} is there: rename it to ${basename(file)}`
    : "file not found";
}

function yamlErrorMessage(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "YAML: only one document is allowed; remove the `---` separator";
  return `YAML syntax error: ${message.replace(/\s+/g, " ").trim()}`;
}

/** What yaml's `parseDocument` does after parsing, on tokens already parsed: one document, errors kept. */
function composeDocument(tokens: readonly CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc === undefined) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          "MULTIPLE_DOCS",
          "Source contains multiple documents; please use YAML.parseAllDocuments()",
        ),
      );
      break;
    }
  }
  // compose(…, forceDoc = true) always ends with a document.
  return doc as Document.Parsed;
}

/**
 * yaml's CST of `text` (its lines counted into `lines`), unless a collection is nested deeper than `maxDepth`:
 * then the offset of the first one. Drives the CST parser token by token and watches its stack, so a megabyte
 * of `[` is refused after 65 of them; the final walk over the finished CST (iterative on purpose) catches what
 * the stack did not show. The tokens are then composed as they are: the text is parsed once.
 */
function parseCst(
  text: string,
  lines: LineCounter,
  maxDepth: number,
): { ok: true; tokens: CST.Token[] } | { ok: false; tooDeepAt: number } {
  const parser = new Parser(lines.addNewLine);
  const tokens: CST.Token[] = [];
  lines.addNewLine(0);
  const deepOpen = (): number | undefined => {
    if (parser.stack.length <= maxDepth) return undefined;
    const open = parser.stack.filter(
      (t) => t.type === "block-map" || t.type === "block-seq" || t.type === "flow-collection",
    );
    return open.length > maxDepth ? open[maxDepth]?.offset : undefined;
  };
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    const offset = deepOpen();
    if (offset !== undefined) return { ok: false, tooDeepAt: offset };
  }
  for (const token of parser.end()) tokens.push(token);
  const stack: { token: CST.Token; depth: number }[] = [];
  for (const token of tokens) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === "document") {
      if (token.value) stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type !== "block-map" && token.type !== "block-seq" && token.type !== "flow-collection")
      continue;
    if (depth + 1 > maxDepth) return { ok: false, tooDeepAt: token.offset };
    for (const item of token.items) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return { ok: true, tokens };
}
