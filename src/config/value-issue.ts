/** The params key by which a custom zod issue asks the YAML loader to prefix the offending `key: value`. */
export const PREDICATE_PARAM = "predicate";

/**
 * A custom zod issue about a value, for `ctx.addIssue(valueIssue(value, "is not a duration; use e.g. 30m"))`.
 * The YAML loader renders it as "`expires_in: 30x` is not a duration; use e.g. 30m", quoting the key and the
 * value exactly as written in the file. Custom issues with a plain `message` are shown verbatim instead.
 */
export function valueIssue(input: unknown, predicate: string) {
  return { code: "custom" as const, input, params: { [PREDICATE_PARAM]: predicate } };
}
