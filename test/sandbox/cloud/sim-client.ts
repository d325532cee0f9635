import { request } from "undici";
import { formatSdkDate, signRequest } from "../../../src/cloud/sign-request.js";

export interface SimTarget {
  url: string;
  ak: string;
  sk: string;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean>;
  /** Sent as JSON unless already a string. */
  body?: unknown;
  /** Sign with these credentials instead of the simulator's. */
  ak?: string;
  sk?: string;
  /** X-Sdk-Date to sign with (default now). */
  date?: Date;
  /** Use IAM token auth instead of signing. */
  token?: string;
  /** No auth headers at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
  /** Corrupt the signature after signing. */
  tamper?: boolean;
}

/** A JSON object from a response (loosely typed: tests assert on wire shapes). */
// biome-ignore lint/suspicious/noExplicitAny: wire JSON is asserted field by field in tests.
export type Row = Record<string, any>;

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON shapes; `unknown` would need a cast at every use.
  json: any;
}

/** One request to the simulator, signed with the project's own signer (decoded path + query). */
export async function call(
  sim: SimTarget,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const query = Object.fromEntries(Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)]));
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const host = new URL(sim.url).host;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Host: host,
    ...(options.headers ?? {}),
  };
  if (options.token) headers["X-Auth-Token"] = options.token;
  else if (!options.unsigned) {
    headers["X-Sdk-Date"] = formatSdkDate(options.date ?? new Date());
    let authorization = signRequest(
      { method, path, query, headers, ...(body !== undefined ? { body } : {}) },
      { ak: options.ak ?? sim.ak, sk: options.sk ?? sim.sk },
    );
    if (options.tamper)
      authorization = authorization.replace(
        /Signature=(.)/,
        (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`,
      );
    headers.Authorization = authorization;
  }
  const encodedPath = path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
  const qs = new URLSearchParams(query).toString();
  const res = await request(`${sim.url}${encodedPath}${qs ? `?${qs}` : ""}`, {
    method: method as "GET",
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** Admin API call (unsigned JSON). */
export async function admin(
  sim: { url: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<CallResult> {
  const res = await request(`${sim.url}/__sim${path}`, {
    method: method as "GET",
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
