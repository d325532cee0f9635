/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit, no whitespace, `undefined` object members
 * omitted (as `JSON.stringify` does). Equal data gives equal text in every process and Node version, which
 * is what a hash over it needs. Throws on values JSON cannot represent faithfully (non-finite numbers,
 * `undefined` in arrays, bigint, functions, symbols, class instances such as Date).
 */
export function toCanonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalize non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item) => {
        if (item === undefined) throw new TypeError("cannot canonicalize undefined inside an array");
        return toCanonicalJson(item);
      })
      .join(",")}]`;
  }
  if (typeof value === "object" && isPlainObject(value)) {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${toCanonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
