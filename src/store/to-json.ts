/**
 * Serializes a store value or log record, throwing before anything is written when it is not JSON
 * (`undefined`, a function, a symbol; `JSON.stringify` itself throws on BigInt and cycles).
 */
export function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("store values must be JSON-serializable");
  return json;
}
