/**
 * The declarative files' problems as start-up and `--check` print them: a folder that does not exist is said
 * once (the settings pointing there, where it was looked for, what to do), not once per file in it; a single
 * missing file, and every other problem, keeps its `file:line:column` line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { describeConfigFileErrors } from "../../src/app/describe-config-file-errors.js";
import type { ConfigError } from "../../src/config/format-config-errors.js";

const cwd = mkdtempSync(join(tmpdir(), "hwc-config-errors-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const notFound = (file: string): ConfigError => ({
  file,
  line: 1,
  column: 1,
  path: "",
  message: "file not found",
});

it("a missing absolute folder of flows: one line naming FLOWS_DIR; the policy elsewhere keeps its line", () => {
  const flows = "/nonexistent/hwc-flows";
  const errors = [
    notFound("/nonexistent/policy.yml"),
    notFound(`${flows}/start.yml`),
    notFound(`${flows}/stop.yml`),
    { file: join(cwd, "notifications.yml"), line: 4, column: 3, path: "routes", message: "bad route" },
  ];
  const paths = {
    policyFile: "/nonexistent/policy.yml",
    flowsDir: flows,
    notificationsFile: join(cwd, "n.yml"),
  };
  expect(describeConfigFileErrors(errors, paths, cwd)).toEqual([
    "/nonexistent/policy.yml:1:1: file not found",
    `FLOWS_DIR: the folder ${flows} does not exist, so none of its 2 files was found (start.yml, stop.yml); set FLOWS_DIR to where the files are`,
    `${join(cwd, "notifications.yml")}:4:3: bad route`,
  ]);
});

it("files missing from a folder that exists keep their own lines", () => {
  const errors = [notFound(join(cwd, "start.yml")), notFound(join(cwd, "stop.yml"))];
  const paths = { policyFile: "policy.yml", flowsDir: cwd, notificationsFile: "notifications.yml" };
  expect(describeConfigFileErrors(errors, paths, cwd)).toEqual([
    `${join(cwd, "start.yml")}:1:1: file not found`,
    `${join(cwd, "stop.yml")}:1:1: file not found`,
  ]);
});
