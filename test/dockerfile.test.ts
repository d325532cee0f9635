/**
 * The Dockerfile builds the bot with exactly the README's commands ("Running in production"), on node:20-slim,
 * as a non-root user with the SQLite data in a volume. Read as text: no Docker daemon is needed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_URL } from "../src/store/create-store.js";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const readme = read("README.md");
const production = readme.slice(
  readme.indexOf("## Running in production"),
  readme.indexOf("## Architecture"),
);

interface Instruction {
  op: string;
  args: string;
}

/** Instructions in order, with `\\` continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return lines.map((line) => {
    const [op = "", ...rest] = line.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(" ") };
  });
}

/** The commands of the README's first `sh` block under "Build and run", without their comments. */
/** `npm start`: the one place the bot's command line (with its heap limit) is written down first. */
function start(): string {
  return (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts.start;
}

function readmeBuildCommands(): string[] {
  const build = production.slice(production.indexOf("### Build and run"));
  const block = /```sh\n([\s\S]*?)```/.exec(build)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l !== "");
}

const dockerfile = parseDockerfile(read("Dockerfile"));
const stages = (() => {
  const out: Instruction[][] = [];
  for (const i of dockerfile) {
    if (i.op === "FROM") out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
})();
const build = stages[0] ?? [];
const runtime = stages.at(-1) ?? [];

describe("Dockerfile", () => {
  it("has a build stage and a runtime stage, both on node:20-slim", () => {
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage[0]?.args.split(" ")[0]).toBe("node:20-slim");
  });

  it("builds with the README's commands, in order", () => {
    const commands = readmeBuildCommands();
    expect(commands).toEqual(["npm ci", "npm prune --omit=dev", start()]);
    const npmRuns = build.filter((i) => i.op === "RUN" && i.args.startsWith("npm ")).map((i) => i.args);
    expect(npmRuns).toEqual(commands.filter((c) => c.startsWith("npm ")));
  });

  it("runs the compiled bot as the README, the systemd unit and `npm start` do, without TypeScript tooling", () => {
    const cmd = runtime.find((i) => i.op === "CMD");
    const argv = JSON.parse(cmd?.args ?? "[]") as string[];
    expect(argv.join(" ")).toBe(readmeBuildCommands().at(-1));
    expect(production).toContain(`ExecStart=/usr/bin/${argv.join(" ")}`);
    expect(dockerfile.map((i) => i.args).join("\n")).not.toMatch(/\btsx\b/);
  });

  it("runs as a non-root user, with the SQLite store's folder as a volume the user owns", () => {
    const users = runtime.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const workdir = runtime.filter((i) => i.op === "WORKDIR").at(-1)?.args;
    // The default store is relative to the working directory: sqlite://./data/… is /app/data/….
    const dataDir = `${workdir}/${DEFAULT_STORE_URL.replace("sqlite://./", "").split("/")[0]}`;
    expect(runtime.find((i) => i.op === "VOLUME")?.args).toContain(dataDir);
    expect(
      runtime.some(
        (i) => i.op === "RUN" && i.args.includes(`chown ${users.at(-1)}`) && i.args.includes(dataDir),
      ),
    ).toBe(true);
    expect(production).toContain(`:${dataDir}`);
  });

  it("copies what the compiled bot reads at run time: dist, production node_modules, the shipped flows", () => {
    const copies = runtime.filter((i) => i.op === "COPY").map((i) => i.args);
    for (const path of ["/app/dist", "/app/node_modules", "/app/flows", "/app/package.json"])
      expect(copies.some((c) => c.includes(`--from=build ${path} `))).toBe(true);
  });

  it("keeps local state and dependencies out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of ["node_modules", "dist", "data", ".git", ".env"]) expect(ignored).toContain(entry);
  });
});
