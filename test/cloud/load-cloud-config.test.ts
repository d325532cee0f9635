import { describe, expect, it } from "vitest";
import {
  CLOUD_ENV_VARS,
  CloudConfigError,
  loadCloudConfig,
  loadCloudConfigOrThrow,
} from "../../src/cloud/load-cloud-config.js";

const AKSK = {
  HUAWEICLOUD_SDK_REGION: "ap-southeast-1",
  HUAWEICLOUD_SDK_AK: "QTWAOYTTINDUT2QVKYUC",
  HUAWEICLOUD_SDK_SK: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
};

describe("loadCloudConfig", () => {
  it("applies defaults", () => {
    const result = loadCloudConfig(AKSK);
    expect(result).toEqual({
      ok: true,
      config: {
        region: "ap-southeast-1",
        auth: { kind: "aksk", ak: AKSK.HUAWEICLOUD_SDK_AK, sk: AKSK.HUAWEICLOUD_SDK_SK },
        endpoints: {
          ecs: "https://ecs.ap-southeast-1.myhuaweicloud.com",
          hss: "https://hss.ap-southeast-1.myhuaweicloud.com",
          iam: "https://iam.ap-southeast-1.myhuaweicloud.com",
        },
        hssEnterpriseProjectId: "all_granted_eps",
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30000,
      },
    });
  });

  it("reads overrides, the project ID and a security token", () => {
    const result = loadCloudConfig({
      ...AKSK,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: "tok",
      HUAWEICLOUD_SDK_PROJECT_ID: "0123456789abcdef0123456789abcdef",
      HUAWEICLOUD_ECS_ENDPOINT: "http://127.0.0.1:8080/",
      HUAWEICLOUD_HSS_ENDPOINT: "http://127.0.0.1:8081/prefix",
      HUAWEICLOUD_IAM_ENDPOINT: "https://iam.example.com",
      HUAWEICLOUD_HSS_ENTERPRISE_PROJECT_ID: "0",
      HUAWEICLOUD_CONNECT_TIMEOUT_MS: "1000",
      HUAWEICLOUD_REQUEST_TIMEOUT_MS: " 2000 ",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      projectId: "0123456789abcdef0123456789abcdef",
      auth: { kind: "aksk", securityToken: "tok" },
      endpoints: {
        ecs: "http://127.0.0.1:8080",
        hss: "http://127.0.0.1:8081/prefix",
        iam: "https://iam.example.com",
      },
      hssEnterpriseProjectId: "0",
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
  });

  it("accepts IAM password authentication", () => {
    const result = loadCloudConfig({
      HUAWEICLOUD_SDK_REGION: "cn-north-4",
      HUAWEICLOUD_IAM_DOMAIN: "acme",
      HUAWEICLOUD_IAM_USERNAME: "bot",
      HUAWEICLOUD_IAM_PASSWORD: "s3cret pass",
    });
    expect(result).toMatchObject({
      ok: true,
      config: { auth: { kind: "password", domain: "acme", username: "bot", password: "s3cret pass" } },
    });
  });

  it.each([
    [{ ...AKSK, HUAWEICLOUD_SDK_REGION: undefined }, "HUAWEICLOUD_SDK_REGION", /region ID/],
    [{ ...AKSK, HUAWEICLOUD_SDK_REGION: "Not A Region" }, "HUAWEICLOUD_SDK_REGION", /region ID/],
    [{ ...AKSK, HUAWEICLOUD_SDK_SK: undefined }, "HUAWEICLOUD_SDK_SK", /secret access key/],
    [{ ...AKSK, HUAWEICLOUD_SDK_AK: "" }, "HUAWEICLOUD_SDK_AK", /access key/],
    [{ ...AKSK, HUAWEICLOUD_SDK_AK: "bad key!" }, "HUAWEICLOUD_SDK_AK", /letters and digits/],
    [{ ...AKSK, HUAWEICLOUD_ECS_ENDPOINT: "ftp://x" }, "HUAWEICLOUD_ECS_ENDPOINT", /http\(s\) URL/],
    [{ ...AKSK, HUAWEICLOUD_IAM_ENDPOINT: "not a url" }, "HUAWEICLOUD_IAM_ENDPOINT", /http\(s\) URL/],
    [{ ...AKSK, HUAWEICLOUD_CONNECT_TIMEOUT_MS: "5s" }, "HUAWEICLOUD_CONNECT_TIMEOUT_MS", /milliseconds/],
    [{ ...AKSK, HUAWEICLOUD_REQUEST_TIMEOUT_MS: "0" }, "HUAWEICLOUD_REQUEST_TIMEOUT_MS", /milliseconds/],
    [{ ...AKSK, HUAWEICLOUD_SDK_PROJECT_ID: "a/b" }, "HUAWEICLOUD_SDK_PROJECT_ID", /project ID/],
    [{ HUAWEICLOUD_SDK_REGION: "cn-north-4" }, "HUAWEICLOUD_SDK_AK", /HUAWEICLOUD_IAM_DOMAIN/],
    [
      { HUAWEICLOUD_SDK_REGION: "cn-north-4", HUAWEICLOUD_IAM_DOMAIN: "d", HUAWEICLOUD_IAM_USERNAME: "u" },
      "HUAWEICLOUD_IAM_PASSWORD",
      /HUAWEICLOUD_IAM_/,
    ],
    [{ ...AKSK, HUAWEICLOUD_IAM_USERNAME: "u" }, "HUAWEICLOUD_IAM_USERNAME", /one authentication method/],
  ])("rejects bad input %#, naming the variable", (env, variable, expected) => {
    const result = loadCloudConfig(env as Record<string, string | undefined>);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.variable === variable);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue?.expected).toMatch(expected);
  });

  it("reports every problem at once: a malformed value and the missing credentials together", () => {
    const result = loadCloudConfig({
      HUAWEICLOUD_SDK_REGION: "Asia Pacific",
      HUAWEICLOUD_REQUEST_TIMEOUT_MS: "soon",
      HUAWEICLOUD_SDK_SK: "secret-without-key",
    });
    expect(result.ok ? [] : result.issues.map((i) => i.variable)).toEqual([
      "HUAWEICLOUD_SDK_REGION",
      "HUAWEICLOUD_REQUEST_TIMEOUT_MS",
      "HUAWEICLOUD_SDK_AK",
    ]);
    expect(JSON.stringify(result)).not.toContain("secret-without-key");
  });

  it("never puts a secret in the error message", () => {
    const secretSk = "VERY-SECRET-SK-VALUE";
    const env = {
      ...AKSK,
      HUAWEICLOUD_SDK_SK: secretSk,
      HUAWEICLOUD_CONNECT_TIMEOUT_MS: "soon",
      HUAWEICLOUD_IAM_PASSWORD: "pw-SECRET",
    };
    expect(() => loadCloudConfigOrThrow(env)).toThrow(CloudConfigError);
    try {
      loadCloudConfigOrThrow(env);
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain("HUAWEICLOUD_CONNECT_TIMEOUT_MS");
      expect(message).not.toContain(secretSk);
      expect(message).not.toContain("pw-SECRET");
      expect(message).not.toContain("soon");
    }
  });

  it("documents every variable it reads", () => {
    const names = CLOUD_ENV_VARS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HUAWEICLOUD_SDK_REGION",
        "HUAWEICLOUD_ECS_ENDPOINT",
        "HUAWEICLOUD_HSS_ENDPOINT",
        "HUAWEICLOUD_IAM_ENDPOINT",
        "HUAWEICLOUD_HSS_ENTERPRISE_PROJECT_ID",
        "HUAWEICLOUD_IAM_DOMAIN",
        "HUAWEICLOUD_IAM_USERNAME",
        "HUAWEICLOUD_IAM_PASSWORD",
        "HUAWEICLOUD_CONNECT_TIMEOUT_MS",
        "HUAWEICLOUD_REQUEST_TIMEOUT_MS",
      ]),
    );
    expect(CLOUD_ENV_VARS.find((v) => v.name === "HUAWEICLOUD_SDK_SK")?.secret).toBe(true);
  });
});
