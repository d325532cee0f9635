import { describe, expect, it } from "vitest";
import { loadAppConfig } from "../../src/app/load-app-config.js";

describe("loadAppConfig", () => {
  it("defaults to the embedded SQLite store and the shipped flows", () => {
    expect(loadAppConfig({})).toEqual({
      ok: true,
      config: {
        storeUrl: "sqlite://./data/hwc-chatops.sqlite",
        policyFile: "flows/policy.yml",
        flowsDir: "flows",
        notificationsFile: "flows/notifications.yml",
        logLevel: "info",
        retention: {
          finishedRequestsMs: 90 * 86_400_000,
          runsMs: 90 * 86_400_000,
          deliveryDedupeMs: 3_600_000,
          savedQueriesMs: 86_400_000,
        },
        work: { concurrency: 128, queueSize: 200 },
        ackThread: true,
        userGroupsMaxAgeMs: 60_000,
        jobPollsPerSecond: 20,
      },
    });
  });

  it("reads the retention periods, refusing ones too short to be safe", () => {
    const result = loadAppConfig({
      REQUEST_RETENTION: "30d",
      RUN_RETENTION: "1d12h",
      DELIVERY_DEDUPE_TTL: "2h",
      SAVED_QUERY_TTL: "15m",
    });
    expect(result.ok && result.config.retention).toEqual({
      finishedRequestsMs: 30 * 86_400_000,
      runsMs: 36 * 3_600_000,
      deliveryDedupeMs: 7_200_000,
      savedQueriesMs: 900_000,
    });
    const bad = loadAppConfig({ DELIVERY_DEDUPE_TTL: "1m", RUN_RETENTION: "forever" });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.issues).toEqual([
      "RUN_RETENTION: `forever` is not a duration; use e.g. 30m, 2h, 1d",
      "DELIVERY_DEDUPE_TTL: must be at least 5m",
    ]);
  });

  it("treats blank values as unset", () => {
    const result = loadAppConfig({ STORE_URL: "  ", LOG_LEVEL: "" });
    expect(result.ok && result.config.storeUrl).toBe("sqlite://./data/hwc-chatops.sqlite");
  });

  it("names the variable of a bad value", () => {
    const result = loadAppConfig({ LOG_LEVEL: "loud" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]).toMatch(/^LOG_LEVEL: /);
  });

  it("reads SHUTDOWN_GRACE as a duration of at most 10m", () => {
    const ok = loadAppConfig({ SHUTDOWN_GRACE: "30s" });
    expect(ok.ok && ok.config.shutdownGraceMs).toBe(30_000);
    const zero = loadAppConfig({ SHUTDOWN_GRACE: "0s" });
    expect(zero.ok && zero.config.shutdownGraceMs).toBe(0);
    expect(loadAppConfig({ SHUTDOWN_GRACE: "1h" })).toEqual({
      ok: false,
      issues: ["SHUTDOWN_GRACE: must be at most 10m"],
    });
    const bad = loadAppConfig({ SHUTDOWN_GRACE: "soon" });
    expect(!bad.ok && bad.issues[0]).toMatch(/^SHUTDOWN_GRACE: `soon` is not a duration/);
  });

  it("reads RUN_LEASE_TTL from 1s to 1h: a longer one would overflow the adoption timer to 1 ms", () => {
    const ok = loadAppConfig({ RUN_LEASE_TTL: "1h" });
    expect(ok.ok && ok.config.runLeaseTtlMs).toBe(3_600_000);
    expect(loadAppConfig({ RUN_LEASE_TTL: "100d" })).toEqual({
      ok: false,
      issues: ["RUN_LEASE_TTL: must be at most 1h"],
    });
  });

  it("refuses a Redis URL the client would refuse only at start, with the other settings", () => {
    const result = loadAppConfig({ STORE_URL: "redis://127.0.0.1:6379/abc", WORK_CONCURRENCY: "0" });
    expect(result.ok ? [] : result.issues).toEqual([
      'WORK_CONCURRENCY: must be a whole number from 1 to 1000, got "0"',
      "STORE_URL redis:// takes a database number as its path, e.g. redis://127.0.0.1:6379/0",
    ]);
  });

  it("refuses an unknown store scheme without echoing a password", () => {
    const result = loadAppConfig({ STORE_URL: "postgres://admin:hunter2@db:5432/x" });
    expect(result.ok).toBe(false);
    const text = result.ok ? "" : result.issues.join("\n");
    expect(text).toMatch(/STORE_URL/);
    expect(text).not.toMatch(/hunter2/);
  });

  it("reads the work queue's bounds, refusing what is not a whole number in range", () => {
    const ok = loadAppConfig({ WORK_CONCURRENCY: "4", WORK_QUEUE_SIZE: "0" });
    expect(ok.ok && ok.config.work).toEqual({ concurrency: 4, queueSize: 0 });
    const bad = loadAppConfig({ WORK_CONCURRENCY: "0", WORK_QUEUE_SIZE: "lots" });
    expect(bad.ok ? [] : bad.issues).toEqual([
      'WORK_CONCURRENCY: must be a whole number from 1 to 1000, got "0"',
      'WORK_QUEUE_SIZE: must be a whole number from 0 to 100000, got "lots"',
    ]);
  });

  it("acks in a thread of its own unless ACK_THREAD is off; anything else is refused", () => {
    const off = loadAppConfig({ ACK_THREAD: "off" });
    expect(off.ok && off.config.ackThread).toBe(false);
    const on = loadAppConfig({ ACK_THREAD: "on" });
    expect(on.ok && on.config.ackThread).toBe(true);
    const bad = loadAppConfig({ ACK_THREAD: "yes" });
    expect(bad.ok ? [] : bad.issues).toEqual(['ACK_THREAD: must be "on" or "off"']);
  });

  it("reads how old the user groups of a decision may be: 0s to 10m", () => {
    const read = (value: string) => {
      const result = loadAppConfig({ USER_GROUPS_MAX_AGE: value });
      return result.ok ? result.config.userGroupsMaxAgeMs : result.issues;
    };
    expect(read("0s")).toBe(0);
    expect(read("30s")).toBe(30_000);
    expect(read("10m")).toBe(600_000);
    expect(read("11m")).toEqual(["USER_GROUPS_MAX_AGE: must be at most 10m"]);
    expect(read("soon")).toEqual(["USER_GROUPS_MAX_AGE: `soon` is not a duration; use e.g. 30m, 2h, 1d"]);
  });

  it("reads the replica's budget of job polls a second: a whole number from 1 to 1000", () => {
    const read = (value: string) => {
      const result = loadAppConfig({ JOB_POLLS_PER_SECOND: value });
      return result.ok ? result.config.jobPollsPerSecond : result.issues;
    };
    expect(read("1")).toBe(1);
    expect(read("250")).toBe(250);
    expect(read("1000")).toBe(1000);
    expect(read("0")).toEqual(['JOB_POLLS_PER_SECOND: must be a whole number from 1 to 1000, got "0"']);
    expect(read("2.5")).toEqual(['JOB_POLLS_PER_SECOND: must be a whole number from 1 to 1000, got "2.5"']);
    expect(read("fast")).toEqual(['JOB_POLLS_PER_SECOND: must be a whole number from 1 to 1000, got "fast"']);
  });
});
