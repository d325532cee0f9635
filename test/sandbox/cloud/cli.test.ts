import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { parseSimArgs } from "../../../src/sandbox/cloud/parse-sim-args.js";
import { call } from "./sim-client.js";

describe("simulator CLI", () => {
  it("parses flags", () => {
    expect(
      parseSimArgs(["--port", "8080", "--servers=500", "--seed", "9", "--edge-cases", "--running-ms", "10"]),
    ).toEqual({
      port: 8080,
      servers: 500,
      seed: 9,
      edgeCases: true,
      jobTiming: { runningMs: 10 },
    });
    expect(() => parseSimArgs(["--servers", "many"])).toThrow(/number/);
    expect(() => parseSimArgs(["--bogus"])).toThrow(/unknown option/);
  });

  it("prints one JSON line with endpoints and credentials, serves, and exits on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/sandbox/cloud/cli.ts", "--servers", "5", "--seed", "3"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    const info = JSON.parse(line);
    expect(Object.keys(info).sort()).toEqual([
      "ak",
      "ecsEndpoint",
      "hssEndpoint",
      "iamEndpoint",
      "projectId",
      "region",
      "sk",
    ]);
    const res = await call(
      { url: info.ecsEndpoint, ak: info.ak, sk: info.sk },
      "GET",
      `/v1/${info.projectId}/cloudservers/detail`,
    );
    expect(res.json.count).toBe(5);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
