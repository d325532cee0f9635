import { z } from "zod";
import type { EnvVarDoc } from "../config/env-var-doc.js";
import { isHttpBaseUrl } from "../config/is-http-base-url.js";

/** How the client authenticates: AK/SK request signing, or an IAM user's token. */
export type CloudAuth =
  | { kind: "aksk"; ak: string; sk: string; securityToken?: string }
  | { kind: "password"; domain: string; username: string; password: string };

/** Validated Huawei Cloud client configuration. */
export interface CloudConfig {
  region: string;
  /** Absent: looked up once via IAM (`GET /v3/projects?name={region}`). */
  projectId?: string;
  auth: CloudAuth;
  /** Base URLs without a trailing slash. */
  endpoints: { ecs: string; hss: string; iam: string };
  hssEnterpriseProjectId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export type CloudEnvVar = EnvVarDoc<"yes" | "no" | "one auth method">;

/** Every environment variable the cloud client reads, for the README. */
export const CLOUD_ENV_VARS: readonly CloudEnvVar[] = [
  {
    name: "HUAWEICLOUD_SDK_REGION",
    required: "yes",
    secret: false,
    meaning: "Region ID, e.g. `ap-southeast-1`; selects the default endpoints and the project.",
  },
  {
    name: "HUAWEICLOUD_SDK_AK",
    required: "one auth method",
    secret: true,
    meaning: "Access key ID for AK/SK request signing (with HUAWEICLOUD_SDK_SK).",
  },
  {
    name: "HUAWEICLOUD_SDK_SK",
    required: "one auth method",
    secret: true,
    meaning: "Secret access key for AK/SK request signing.",
  },
  {
    name: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    required: "no",
    secret: true,
    meaning: "Security token of temporary AK/SK credentials (sent and signed as X-Security-Token).",
  },
  {
    name: "HUAWEICLOUD_SDK_PROJECT_ID",
    required: "no",
    secret: false,
    meaning: "Project ID; when absent it is looked up once via IAM by the region's project name.",
  },
  {
    name: "HUAWEICLOUD_IAM_DOMAIN",
    required: "one auth method",
    secret: false,
    meaning: "Account (domain) name for IAM token authentication, instead of AK/SK.",
  },
  {
    name: "HUAWEICLOUD_IAM_USERNAME",
    required: "one auth method",
    secret: false,
    meaning: "IAM user name for token authentication.",
  },
  {
    name: "HUAWEICLOUD_IAM_PASSWORD",
    required: "one auth method",
    secret: true,
    meaning: "IAM user password for token authentication (token cached, renewed before expiry).",
  },
  {
    name: "HUAWEICLOUD_ECS_ENDPOINT",
    default: "https://ecs.{region}.myhuaweicloud.com",
    required: "no",
    secret: false,
    meaning: "ECS endpoint override.",
  },
  {
    name: "HUAWEICLOUD_HSS_ENDPOINT",
    default: "https://hss.{region}.myhuaweicloud.com",
    required: "no",
    secret: false,
    meaning: "HSS endpoint override.",
  },
  {
    name: "HUAWEICLOUD_IAM_ENDPOINT",
    default: "https://iam.{region}.myhuaweicloud.com",
    required: "no",
    secret: false,
    meaning: "IAM endpoint override (token and project lookup).",
  },
  {
    name: "HUAWEICLOUD_HSS_ENTERPRISE_PROJECT_ID",
    default: "all_granted_eps",
    required: "no",
    secret: false,
    meaning: "Enterprise project used in HSS queries (`all_granted_eps` = all the caller may see).",
  },
  {
    name: "HUAWEICLOUD_CONNECT_TIMEOUT_MS",
    default: "5000",
    required: "no",
    secret: false,
    meaning: "TCP/TLS connect timeout per request, in milliseconds.",
  },
  {
    name: "HUAWEICLOUD_REQUEST_TIMEOUT_MS",
    default: "30000",
    required: "no",
    secret: false,
    meaning: "Total timeout of one HTTP attempt (headers and body), in milliseconds.",
  },
];

export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  /** What is expected (never the value itself: it may be a secret). */
  expected: string;
}

export type LoadCloudConfigResult = { ok: true; config: CloudConfig } | { ok: false; issues: ConfigIssue[] };

const NO_CREDENTIALS: ConfigIssue = {
  variable: "HUAWEICLOUD_SDK_AK",
  expected:
    "credentials: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD",
};

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const endpoint = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine(
      isHttpBaseUrl,
      "an http(s) URL without user, password, query or fragment, e.g. https://ecs.ap-southeast-1.myhuaweicloud.com",
    )
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
);

const TIMEOUT_EXPECTED = "a whole number of milliseconds between 1 and 600000";
const timeout = (fallback: number) =>
  z
    .preprocess(blankToUndefined, z.string().trim().regex(/^\d+$/, TIMEOUT_EXPECTED).optional())
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((n) => n >= 1 && n <= 600_000, TIMEOUT_EXPECTED);

const envSchema = z.object({
  HUAWEICLOUD_SDK_REGION: z.preprocess(
    blankToUndefined,
    z
      .string({ error: "a region ID such as ap-southeast-1 (required)" })
      .trim()
      .regex(
        /^[a-z0-9]+(-[a-z0-9]+)+$/,
        "a region ID such as ap-southeast-1 (lower-case letters, digits, dashes)",
      ),
  ),
  HUAWEICLOUD_SDK_AK: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9]+$/.test(v),
    "an access key ID (letters and digits only)",
  ),
  HUAWEICLOUD_SDK_SK: optionalText,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: optionalText,
  HUAWEICLOUD_SDK_PROJECT_ID: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9-]{1,64}$/.test(v),
    "a project ID (1-64 letters, digits or dashes)",
  ),
  HUAWEICLOUD_IAM_DOMAIN: optionalText,
  HUAWEICLOUD_IAM_USERNAME: optionalText,
  HUAWEICLOUD_IAM_PASSWORD: z.preprocess(blankToUndefined, z.string().optional()),
  HUAWEICLOUD_ECS_ENDPOINT: endpoint,
  HUAWEICLOUD_HSS_ENDPOINT: endpoint,
  HUAWEICLOUD_IAM_ENDPOINT: endpoint,
  HUAWEICLOUD_HSS_ENTERPRISE_PROJECT_ID: optionalText.refine(
    (v) => v === undefined || v.length <= 256,
    "an enterprise project ID of at most 256 characters, or all_granted_eps",
  ),
  HUAWEICLOUD_CONNECT_TIMEOUT_MS: timeout(5000),
  HUAWEICLOUD_REQUEST_TIMEOUT_MS: timeout(30000),
});

/**
 * Reads and validates the cloud configuration from the environment, once.
 * Returns every problem found at once, each naming the variable and what is expected (never its value).
 */
export function loadCloudConfig(
  env: Record<string, string | undefined> = process.env,
): LoadCloudConfigResult {
  const parsed = envSchema.safeParse(env);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? "environment"),
        expected: issue.message,
      }));
  // The choice of authentication is judged on which variables are set, so a missing credential is reported
  // together with any malformed value.
  const given = (name: string) => typeof env[name] === "string" && env[name].trim() !== "";
  const hasAkSk = given("HUAWEICLOUD_SDK_AK") || given("HUAWEICLOUD_SDK_SK");
  const iamVariables = [
    "HUAWEICLOUD_IAM_DOMAIN",
    "HUAWEICLOUD_IAM_USERNAME",
    "HUAWEICLOUD_IAM_PASSWORD",
  ] as const;
  const hasIam = iamVariables.some(given);
  if (hasAkSk) {
    if (!given("HUAWEICLOUD_SDK_AK"))
      issues.push({
        variable: "HUAWEICLOUD_SDK_AK",
        expected: "an access key ID (set together with HUAWEICLOUD_SDK_SK)",
      });
    if (!given("HUAWEICLOUD_SDK_SK"))
      issues.push({
        variable: "HUAWEICLOUD_SDK_SK",
        expected: "a secret access key (set together with HUAWEICLOUD_SDK_AK)",
      });
    if (hasIam)
      issues.push({
        variable: "HUAWEICLOUD_IAM_USERNAME",
        expected:
          "unset when HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK are set (choose one authentication method)",
      });
  } else if (hasIam) {
    for (const name of iamVariables) {
      if (!given(name))
        issues.push({
          variable: name,
          expected: "set together with the other HUAWEICLOUD_IAM_* variables for IAM token authentication",
        });
    }
    if (given("HUAWEICLOUD_SDK_SECURITY_TOKEN"))
      issues.push({
        variable: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        expected: "unset unless HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK are set",
      });
  } else {
    issues.push(NO_CREDENTIALS);
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };

  const e = parsed.data;
  let auth: CloudAuth | undefined;
  if (e.HUAWEICLOUD_SDK_AK !== undefined && e.HUAWEICLOUD_SDK_SK !== undefined) {
    auth = { kind: "aksk", ak: e.HUAWEICLOUD_SDK_AK, sk: e.HUAWEICLOUD_SDK_SK };
    if (e.HUAWEICLOUD_SDK_SECURITY_TOKEN !== undefined) auth.securityToken = e.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  } else if (e.HUAWEICLOUD_IAM_DOMAIN && e.HUAWEICLOUD_IAM_USERNAME && e.HUAWEICLOUD_IAM_PASSWORD) {
    auth = {
      kind: "password",
      domain: e.HUAWEICLOUD_IAM_DOMAIN,
      username: e.HUAWEICLOUD_IAM_USERNAME,
      password: e.HUAWEICLOUD_IAM_PASSWORD,
    };
  }
  if (auth === undefined) return { ok: false, issues: [NO_CREDENTIALS] };

  const region = e.HUAWEICLOUD_SDK_REGION;
  const config: CloudConfig = {
    region,
    auth,
    endpoints: {
      ecs: e.HUAWEICLOUD_ECS_ENDPOINT ?? `https://ecs.${region}.myhuaweicloud.com`,
      hss: e.HUAWEICLOUD_HSS_ENDPOINT ?? `https://hss.${region}.myhuaweicloud.com`,
      iam: e.HUAWEICLOUD_IAM_ENDPOINT ?? `https://iam.${region}.myhuaweicloud.com`,
    },
    hssEnterpriseProjectId: e.HUAWEICLOUD_HSS_ENTERPRISE_PROJECT_ID ?? "all_granted_eps",
    connectTimeoutMs: e.HUAWEICLOUD_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: e.HUAWEICLOUD_REQUEST_TIMEOUT_MS,
  };
  if (e.HUAWEICLOUD_SDK_PROJECT_ID !== undefined) config.projectId = e.HUAWEICLOUD_SDK_PROJECT_ID;
  return { ok: true, config };
}

/** Thrown by `loadCloudConfigOrThrow`; the message lists variables and expectations only. */
export class CloudConfigError extends Error {
  override readonly name = "CloudConfigError";
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `Invalid Huawei Cloud configuration: ${issues.map((i) => `${i.variable}: expected ${i.expected}`).join("; ")}`,
    );
  }
}

/** `loadCloudConfig` for start-up code that cannot continue without a configuration. */
export function loadCloudConfigOrThrow(env: Record<string, string | undefined> = process.env): CloudConfig {
  const result = loadCloudConfig(env);
  if (!result.ok) throw new CloudConfigError(result.issues);
  return result.config;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.variable}\0${i.expected}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
