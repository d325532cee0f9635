import { readFile, stat } from "node:fs/promises";
import {
  type Alias,
  Composer,
  type CST,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  YAMLParseError,
} from "yaml";
import type * as z from "zod";
import { type ConfigError, type ConfigPath, formatConfigPath } from "./format-config-errors.js";
import { suggestClosest } from "./suggest-closest.js";
import { PREDICATE_PARAM } from "./value-issue.js";

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
/** Beyond this many problems, more only bury the first ones. */
const MAX_ERRORS = 50;
/** Prefix of the placeholder message our zod error map gives to issues that carry no author-written message. */
const GENERATED = "\u0000config-loader:";

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

  const parsed = schema.safeParse(data, { reportInput: true, error: generatedMessage });
  const located = (path: ConfigPath): SourcePosition => pos(findNode(view, path).offset);
  if (parsed.success && early.length === 0) return { ok: true, value: parsed.data, locate: located };
  const issues = parsed.success ? [] : parsed.error.issues;
  const problems = issues.flatMap((issue) => describeIssue(issue, [], view));
  return fail([
    ...early,
    ...withoutConsequencesOfUnknownKeys(problems).map((p) => at(p.offset, p.path, p.message)),
  ]);
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

async function readConfigText(
  file: string,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; errors: ConfigError[] }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { ok: false, errors: [fileError(file, "is not a regular file")] };
    if (info.size > maxBytes)
      return { ok: false, errors: [fileError(file, tooLargeMessage(info.size, maxBytes))] };
    return { ok: true, text: await readFile(file, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const what = code === "ENOENT" ? "file not found" : `cannot read the file (${code})`;
    return { ok: false, errors: [fileError(file, what)] };
  }
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

interface StructureScan {
  errors: ConfigError[];
  firstAlias: number | undefined;
  cyclic: boolean;
  /** What each alias stands for: the last node before it carrying its anchor. */
  aliasTargets: Map<Alias, unknown>;
  /** Anchors defined so far, in document order. */
  anchors: Map<string, unknown>;
  /** Collections being scanned (ancestors of the current node), to spot aliases that point at an ancestor. */
  open: Set<unknown>;
}

/**
 * Finds duplicate keys (reported at the second occurrence) and aliases that cannot be expanded, in one pass in
 * document order. yaml's own `Alias.resolve` searches the whole document per alias, which is quadratic in a file
 * of many aliases; here each alias is looked up in the anchors seen so far.
 */
function scanStructure(
  node: unknown,
  path: ConfigPath,
  scan: StructureScan,
  at: (offset: number, path: ConfigPath, message: string) => ConfigError,
): void {
  if (scan.errors.length >= MAX_ERRORS) return;
  if (isAlias(node)) {
    const offset = node.range?.[0] ?? 0;
    scan.firstAlias ??= offset;
    const target = scan.anchors.get(node.source);
    if (target === undefined) {
      scan.cyclic = true;
      scan.errors.push(
        at(offset, path, `alias \`*${node.source}\` refers to no anchor \`&${node.source}\` above it`),
      );
    } else if (scan.open.has(target)) {
      scan.cyclic = true;
      scan.errors.push(
        at(offset, path, `alias \`*${node.source}\` refers to a node that contains it (a cycle)`),
      );
    } else {
      scan.aliasTargets.set(node, target);
    }
    return;
  }
  if (isScalar(node) || isCollection(node)) {
    if (node.anchor) scan.anchors.set(node.anchor, node);
  }
  if (isMap(node)) {
    scan.open.add(node);
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      scanStructure(pair.key, path, scan, at);
      if (key !== undefined && isScalar(pair.key)) {
        const offset = pair.key.range?.[0] ?? 0;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, offset);
        else {
          const line = at(first, [], "").line;
          scan.errors.push(
            at(
              offset,
              [...path, key],
              `duplicate key \`${key}\` (first defined at line ${line}); keep only one`,
            ),
          );
        }
      }
      scanStructure(pair.value, [...path, key ?? "?"], scan, at);
    }
    scan.open.delete(node);
  } else if (isSeq(node)) {
    scan.open.add(node);
    node.items.forEach((item, index) => {
      scanStructure(item, [...path, index], scan, at);
    });
    scan.open.delete(node);
  }
}

/** The parsed document with what is needed to point into it. */
interface SourceView {
  doc: Document;
  text: string;
  resolveAlias: (alias: Alias) => unknown;
}

interface FoundNode {
  /** Offset of the deepest node found along the path. */
  offset: number;
  /** Whether the whole path exists in the document. */
  complete: boolean;
  /** The scalar (or alias) at the path, as written, when the path is complete and ends at one. */
  source: string | undefined;
}

/** Follows `path` through maps, sequences and aliases; the last duplicate key wins, as in `toJS`. */
function findNode(view: SourceView, path: ConfigPath, withSource = false): FoundNode {
  const { resolveAlias } = view;
  let node: unknown = view.doc.contents;
  let offset = rangeStart(node) ?? 0;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = resolveAlias(node);
    let next: unknown;
    let nextOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      next = pair.value;
      // An empty value (`key:`) has no useful range of its own; point at the key.
      nextOffset =
        isScalar(pair.value) && pair.value.value === null ? rangeStart(pair.key) : rangeStart(pair.value);
      nextOffset ??= rangeStart(pair.key);
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
      if (next === undefined) break;
      nextOffset = rangeStart(next);
    } else {
      break;
    }
    node = next;
    offset = nextOffset ?? offset;
    depth++;
  }
  const complete = depth === path.length;
  let source: string | undefined;
  if (complete && withSource && (isScalar(node) || isAlias(node)) && node.range) {
    source = view.text.slice(node.range[0], node.range[1]);
  }
  return { offset, complete, source };
}

function rangeStart(node: unknown): number | undefined {
  if (isScalar(node) || isAlias(node) || isCollection(node)) return node.range?.[0];
  return undefined;
}

/**
 * A misspelt key (`aprovers`) also makes the right one missing and can fail checks on the mapping holding it;
 * those follow from the typo and vanish with it, so only the "unknown key … did you mean" message is kept.
 */
function withoutConsequencesOfUnknownKeys(problems: Problem[]): Problem[] {
  const typoMaps = new Set(
    problems.filter((p) => p.kind === "unknown").map((p) => formatConfigPath(p.path.slice(0, -1))),
  );
  if (typoMaps.size === 0) return problems;
  return problems.filter((p) => {
    if (p.kind === "unknown") return true;
    if (p.kind === "missing") return !typoMaps.has(formatConfigPath(p.path.slice(0, -1)));
    return !typoMaps.has(formatConfigPath(p.path));
  });
}

/** Our zod error map: it only runs when the schema author wrote no message, and marks the issue as ours to phrase. */
function generatedMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === "unrecognized_keys") {
    const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
      ?.def?.shape;
    return GENERATED + JSON.stringify({ allowed: shape ? Object.keys(shape) : [] });
  }
  return `${GENERATED}{}`;
}

interface Problem {
  offset: number;
  path: ConfigPath;
  message: string;
  /** `unknown`: a key the schema does not have; `missing`: a required key that is absent. */
  kind?: "unknown" | "missing";
}

/** Turns one zod issue into messages that quote the file, located by the issue's path. */
function describeIssue(issue: z.core.$ZodIssue, prefix: ConfigPath, view: SourceView): Problem[] {
  const path = [...prefix, ...(issue.path as (string | number)[])];
  const input = (issue as { input?: unknown }).input;
  const found = findNode(view, path, true);
  const problem = (message: string, where: FoundNode = found): Problem => ({
    offset: where.offset,
    path,
    message,
  });

  if (!issue.message.startsWith(GENERATED)) return [problem(issue.message)];

  switch (issue.code) {
    case "unrecognized_keys": {
      const { allowed } = JSON.parse(issue.message.slice(GENERATED.length)) as { allowed?: string[] };
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const hint = allowedKeysHint(key, allowed ?? []);
        return {
          offset: findKeyOffset(view, keyPath) ?? found.offset,
          path: keyPath,
          message: `unknown key \`${key}\`${hint}`,
          kind: "unknown" as const,
        };
      });
    }
    case "invalid_type": {
      if (input === undefined && !found.complete) {
        const parentPath = path.slice(0, -1);
        const where = findNode(view, parentPath);
        const key = String(path.at(-1));
        const within = parentPath.length > 0 ? ` in \`${formatConfigPath(parentPath)}\`` : "";
        return [{ ...problem(`missing required key \`${key}\`${within}`, where), kind: "missing" }];
      }
      const expected = describeExpected(issue.expected);
      return [
        problem(
          `${subject(path, found, input)} should be ${expected}, not ${describeValue(input)}${typeHint(issue.expected, input)}`,
        ),
      ];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => `\`${String(v)}\``);
      const guess =
        typeof input === "string"
          ? suggestClosest(
              input,
              issue.values.filter((v) => typeof v === "string"),
            )
          : undefined;
      const hint = guess !== undefined ? ` (did you mean \`${guess}\`?)` : "";
      const expected = values.length === 1 ? `should be ${values[0]}` : `is not one of ${values.join(", ")}`;
      return [problem(`${subject(path, found, input)} ${expected}${hint}`)];
    }
    case "too_small":
    case "too_big":
      return [problem(`${subject(path, found, input)} ${describeBound(issue)}`)];
    case "invalid_format": {
      const pattern = "pattern" in issue && issue.pattern ? `; it must match ${issue.pattern}` : "";
      return [problem(`${subject(path, found, input)} is not a valid ${issue.format}${pattern}`)];
    }
    case "not_multiple_of":
      return [problem(`${subject(path, found, input)} must be a multiple of ${String(issue.divisor)}`)];
    case "invalid_union":
      return describeUnion(issue, path, view, found, input);
    case "custom": {
      const predicate = issue.params?.[PREDICATE_PARAM];
      if (typeof predicate === "string") return [problem(`${subject(path, found, input)} ${predicate}`)];
      return [problem(`${subject(path, found, input)} is not valid`)];
    }
    default:
      return [problem(`${subject(path, found, input)} is not valid (${issue.code})`)];
  }
}

function describeUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: ConfigPath,
  view: SourceView,
  found: FoundNode,
  input: unknown,
): Problem[] {
  // A branch that got past the union's own type check is the one the author was writing: report its problems.
  const ownLevel = (i: z.core.$ZodIssue) =>
    i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value");
  const plausible = issue.errors.filter((branch) => branch.length > 0 && !branch.some(ownLevel));
  const best = plausible.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) return best.flatMap((sub) => describeIssue(sub, path, view));
  const options = issue.errors.flatMap((branch) =>
    branch
      .filter(ownLevel)
      .map((i) =>
        i.code === "invalid_value"
          ? i.values.map((v) => `\`${String(v)}\``).join(" or ")
          : describeExpected(i.code === "invalid_type" ? i.expected : ""),
      ),
  );
  const unique = [...new Set(options)];
  return [
    {
      offset: found.offset,
      path,
      message: `${subject(path, found, input)} should be ${unique.join(" or ")}`,
    },
  ];
}

function findKeyOffset(view: SourceView, keyPath: ConfigPath): number | undefined {
  const { resolveAlias } = view;
  let node: unknown = view.doc.contents;
  for (const [index, segment] of keyPath.entries()) {
    if (isAlias(node)) node = resolveAlias(node);
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return undefined;
      if (index === keyPath.length - 1) return rangeStart(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return undefined;
}

function allowedKeysHint(key: string, allowed: readonly string[]): string {
  const guess = suggestClosest(key, allowed);
  if (guess !== undefined) return ` (did you mean \`${guess}\`?)`;
  if (allowed.length === 0) return "";
  const shown = allowed.slice(0, 15).map((k) => `\`${k}\``);
  return `; expected one of ${shown.join(", ")}${allowed.length > 15 ? ", …" : ""}`;
}

/** How the offending value reads in a message: "`expires_in: 30x`", "`web-*` in `names`", "`rules[2]`". */
function subject(path: ConfigPath, found: FoundNode, input: unknown): string {
  const last = path.at(-1);
  const written = found.source !== undefined ? oneLine(found.source) : inline(input);
  if (last === undefined) return "the document";
  if (typeof last === "string") {
    if (written === undefined) return `\`${last}\``;
    return written === "" ? `\`${last}\` (empty)` : `\`${last}: ${written}\``;
  }
  const list = path.findLast((segment) => typeof segment === "string");
  if (written === undefined || written === "") return `\`${formatConfigPath(path)}\``;
  return list === undefined ? `\`${written}\`` : `\`${written}\` in \`${list}\``;
}

function oneLine(source: string): string {
  const flat = source.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

function inline(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return oneLine(String(value));
  return undefined;
}

function describeExpected(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "a list",
    object: "a mapping (key: value)",
    record: "a mapping (key: value)",
    null: "empty",
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  if (typeof value === "boolean") return "true/false";
  return `a ${typeof value}`;
}

function typeHint(expected: string, input: unknown): string {
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
    return `; quote it: "${String(input)}"`;
  }
  if (expected === "array" && (typeof input === "string" || typeof input === "number")) {
    return `; write a list: [${String(input)}]`;
  }
  return "";
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "string":
      if (small && bound === 1) return "must not be empty";
      return `must be ${small ? "at least" : "at most"} ${bound} characters long`;
    case "array":
    case "set":
      if (small && bound === 1) return "must list at least one item";
      return `must list ${small ? "at least" : "at most"} ${bound} items`;
    default:
      if (inclusive) return `must be ${small ? "at least" : "at most"} ${bound}`;
      return `must be ${small ? "greater" : "less"} than ${bound}`;
  }
}
