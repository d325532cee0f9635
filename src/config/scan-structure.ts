import { type Alias, isAlias, isCollection, isMap, isScalar, isSeq } from "yaml";
import type { ConfigError, ConfigPath } from "./format-config-errors.js";

/** Beyond this many problems, more only bury the first ones. */
export const MAX_ERRORS = 50;

/** What {@link scanStructure} has found so far; filled in as it walks the document. */
export interface StructureScan {
  errors: ConfigError[];
  firstAlias: number | undefined;
  cyclic: boolean;
  /** What each alias stands for: the last node before it carrying its anchor. */
  aliasTargets: Map<Alias, unknown>;
  /** Anchors defined so far, in document order. */
  anchors: Map<string, unknown>;
  /** Collections being scanned (ancestors of the current node), to spot aliases that point at an ancestor. */
  open: Set<unknown>;
  /** Whether a merge key (`<<`) was refused: the schema's "unknown key `<<`" then says nothing more. */
  mergeKeys?: boolean;
}

export const MERGE_KEY = "<<";

/**
 * YAML merge keys are refused rather than merged: a merged key has no line of its own (a problem in it, or a
 * rule's approvers, would point at the anchor far away), a key written beside `<<` silently overrides the
 * merged one, and YAML 1.2 dropped them. Plain anchors and aliases reuse a whole value and keep both.
 */
const MERGE_KEY_MESSAGE =
  "YAML merge keys (`<<: *anchor`) are not supported; write the keys out, or reuse a whole value with a plain alias (`match: *prod`, with `&prod` on the first one)";

/**
 * Finds duplicate keys (reported at the second occurrence) and aliases that cannot be expanded, in one pass in
 * document order. yaml's own `Alias.resolve` searches the whole document per alias, which is quadratic in a file
 * of many aliases; here each alias is looked up in the anchors seen so far.
 */
export function scanStructure(
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
      if (isScalar(pair.key) && pair.key.type === "PLAIN" && key === MERGE_KEY) {
        scan.mergeKeys = true;
        scan.errors.push(at(pair.key.range?.[0] ?? 0, [...path, key], MERGE_KEY_MESSAGE));
      }
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
