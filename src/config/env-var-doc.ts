/**
 * How a module documents an environment variable it reads. Each config loader exports a table of these;
 * the README's configuration table is checked against all of them (`test/readme.test.ts`).
 */
export interface EnvVarDoc<Required extends string = string> {
  name: string;
  /** Default value, or undefined when the variable has none. */
  default?: string;
  /** "yes", "no", or the condition under which it is needed (e.g. "HTTP mode"). */
  required: Required;
  /** A secret is never echoed in messages or logs. */
  secret: boolean;
  meaning: string;
}
