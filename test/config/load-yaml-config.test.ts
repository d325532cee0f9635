import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  formatConfigErrors,
  loadYamlConfig,
  parseYamlConfig,
  valueIssue,
} from "../../src/config/load-yaml-config.js";
import { durationSchema } from "../../src/config/parse-duration.js";

/** A small flow-like schema: the loader is generic, so it is tested with a schema of its own. */
const schema = z.strictObject({
  name: z.string().min(1),
  timeout: durationSchema.optional(),
  steps: z.array(z.strictObject({ run: z.string(), retries: z.int().min(0).optional() })),
  labels: z.record(z.string(), z.string()).optional(),
});

const fixture = (name: string) => `test/config/fixtures/${name}`;

async function errorsOf(name: string): Promise<string> {
  const result = await loadYamlConfig(fixture(name), schema);
  expect(result.ok).toBe(false);
  return result.ok ? "" : formatConfigErrors(result.errors);
}

describe("loadYamlConfig", () => {
  it("returns the parsed value, durations in ms, and can locate paths", async () => {
    const result = await loadYamlConfig(fixture("valid.yml"), schema);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({
      name: "nightly",
      timeout: 45 * 60_000,
      steps: [{ run: "echo one", retries: 2 }, { run: "echo two" }],
      labels: { team: "ops" },
    });
    expect(result.locate(["steps", 1, "run"])).toEqual({ line: 7, column: 10 });
    expect(result.locate(["steps", 1])).toEqual({ line: 7, column: 5 });
    // A path that does not exist resolves to its nearest existing ancestor.
    expect(result.locate(["steps", 1, "retries"])).toEqual({ line: 7, column: 5 });
  });

  it.each([
    [
      "unknown-key.yml",
      "test/config/fixtures/unknown-key.yml:4:5: unknown key `retires` (did you mean `retries`?)",
    ],
    [
      "wrong-type.yml",
      [
        "test/config/fixtures/wrong-type.yml:4:14: `retries: many` should be a number, not a string",
        'test/config/fixtures/wrong-type.yml:5:17: `tier: 1` should be a string, not a whole number; quote it: "1"',
      ].join("\n"),
    ],
    [
      "bad-duration.yml",
      "test/config/fixtures/bad-duration.yml:2:10: `timeout: 30x` is not a duration; use e.g. 30m, 2h, 1d",
    ],
    [
      "duplicate-key.yml",
      "test/config/fixtures/duplicate-key.yml:3:1: duplicate key `name` (first defined at line 1); keep only one",
    ],
    [
      "missing-key.yml",
      "test/config/fixtures/missing-key.yml:1:1: missing required key `name`\n" +
        "test/config/fixtures/missing-key.yml:2:5: missing required key `run` in `steps[0]`",
    ],
    [
      "not-a-mapping.yml",
      "test/config/fixtures/not-a-mapping.yml:1:1: the document should be a mapping (key: value), not a list",
    ],
    [
      "multi-doc.yml",
      "test/config/fixtures/multi-doc.yml:3:1: YAML: only one document is allowed; remove the `---` separator",
    ],
  ])("refuses %s with file:line and a specific message", async (name, expected) => {
    expect(await errorsOf(name)).toBe(expected);
  });

  it("reports YAML syntax errors at their line", async () => {
    expect(await errorsOf("syntax-error.yml")).toBe(
      "test/config/fixtures/syntax-error.yml:4:1: YAML syntax error: Sequence item without - indicator",
    );
    expect(await errorsOf("tab-indent.yml")).toMatch(
      /^test\/config\/fixtures\/tab-indent\.yml:3:1: YAML syntax error: Tabs/,
    );
  });

  describe("hostile input", () => {
    it("refuses a billion-laughs alias bomb instead of expanding it", async () => {
      expect(await errorsOf("billion-laughs.yml")).toBe(
        "test/config/fixtures/billion-laughs.yml:3:8: aliases expand to too much data (a YAML bomb?); expand them by hand or use fewer",
      );
    });

    it("refuses deep flow and block nesting without overflowing the stack, and keeps working afterwards", async () => {
      // `a:` is level 1, so the 64th `[` (column 67) is the 65th level.
      expect(await errorsOf("deep-nesting.yml")).toBe(
        "test/config/fixtures/deep-nesting.yml:1:67: nesting deeper than 64 levels; flatten the file",
      );
      expect(await errorsOf("deep-block-nesting.yml")).toMatch(
        /deep-block-nesting\.yml:1:\d+: nesting deeper than 64/,
      );
      expect((await loadYamlConfig(fixture("valid.yml"), schema)).ok).toBe(true);
    });

    it("refuses cyclic and dangling aliases", async () => {
      expect(await errorsOf("alias-cycle.yml")).toBe(
        "test/config/fixtures/alias-cycle.yml:4:11: alias `*loop` refers to a node that contains it (a cycle)",
      );
      expect(await errorsOf("unresolved-alias.yml")).toBe(
        "test/config/fixtures/unresolved-alias.yml:2:8: alias `*nowhere` refers to no anchor `&nowhere` above it",
      );
    });

    it("refuses a YAML merge key once, saying so, while a plain alias (and a quoted `<<` key) loads", async () => {
      expect(await errorsOf("merge-key.yml")).toBe(
        "test/config/fixtures/merge-key.yml:5:5: YAML merge keys (`<<: *anchor`) are not supported; write the keys out, or reuse a whole value with a plain alias (`match: *prod`, with `&prod` on the first one)",
      );
      const plain = await loadYamlConfig(fixture("plain-alias.yml"), schema);
      if (!plain.ok) expect.fail(formatConfigErrors(plain.errors));
      expect(plain.value.steps).toEqual([
        { run: "echo one", retries: 2 },
        { run: "echo one", retries: 2 },
      ]);
      expect(plain.value.labels).toEqual({ "<<": "quoted" });
    });

    it("treats __proto__ as an ordinary unknown key, without touching prototypes", async () => {
      expect(await errorsOf("proto-key.yml")).toBe(
        "test/config/fixtures/proto-key.yml:3:1: unknown key `__proto__`; expected one of `name`, `timeout`, `steps`, `labels`",
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("refuses a byte that is not UTF-8 at its line, instead of reading it as U+FFFD that would never match", async () => {
      expect(await errorsOf("latin1.yml")).toBe(
        "test/config/fixtures/latin1.yml:4:20: is not UTF-8 text here; save the file as UTF-8",
      );
    });

    it("says a number YAML reads as infinity is too large, not of the wrong type", () => {
      const result = parseYamlConfig("big.yml", "name: x\nsteps:\n  - run: a\n    retries: 1e400\n", schema);
      expect(result.ok ? "" : formatConfigErrors(result.errors)).toBe(
        "big.yml:4:14: `retries: 1e400` is too large a number",
      );
    });

    it("does not execute or accept language-specific tags", async () => {
      expect(await errorsOf("custom-tag.yml")).toContain(
        "test/config/fixtures/custom-tag.yml:1:7: YAML: Unresolved tag: tag:yaml.org,2002:js/function",
      );
    });

    it("handles tens of thousands of aliases without quadratic work", () => {
      const text = `name: &n x\nsteps: []\nlabels:\n${Array.from({ length: 50_000 }, (_, i) => `  k${i}: *n`).join("\n")}\n`;
      const result = parseYamlConfig("aliases.yml", text, schema, { maxBytes: 10_000_000 });
      expect(result.ok ? "" : formatConfigErrors(result.errors)).toBe(
        "aliases.yml:4:7: aliases expand to too much data (a YAML bomb?); expand them by hand or use fewer",
      );
    });

    it("stops listing problems after 50", () => {
      const text = `name: x\nsteps: []\n${"name: y\n".repeat(200)}`;
      const result = parseYamlConfig("dups.yml", text, schema);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(51);
      expect(result.errors[50]?.message).toMatch(/more problems not shown; fix these first$/);
    });

    it("refuses oversized files before parsing them", async () => {
      const text = `name: x\nsteps: []\n# ${"x".repeat(2_000)}\n`;
      const result = await loadYamlConfig("big.yml", schema, { text, maxBytes: 1_000 });
      expect(result.ok ? "" : formatConfigErrors(result.errors)).toBe(
        `big.yml:1:1: file is ${text.length} bytes; config files are limited to 1000 bytes`,
      );
    });
  });

  it("treats an empty document as an empty mapping", async () => {
    const result = await loadYamlConfig(
      fixture("empty.yml"),
      z.strictObject({ items: z.array(z.string()).default([]) }),
    );
    expect(result).toMatchObject({ ok: true, value: { items: [] } });
  });

  it("reports a missing file as an error, not a throw", async () => {
    const result = await loadYamlConfig(fixture("no-such-file.yml"), schema);
    expect(result).toEqual({
      ok: false,
      errors: [
        { file: fixture("no-such-file.yml"), line: 1, column: 1, path: "", message: "file not found" },
      ],
    });
  });

  it("fills in path, line and column on each error", () => {
    const result = parseYamlConfig("inline.yml", "name: x\nsteps:\n  - run: a\n    retries: -1\n", schema);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: "inline.yml",
          line: 4,
          column: 14,
          path: "steps[0].retries",
          message: "`retries: -1` must be at least 0",
        },
      ],
    });
  });

  it("suggests the valid values of an enum and keeps author-written messages verbatim", () => {
    const custom = z.strictObject({
      mode: z.enum(["fast", "safe"]),
      port: z.int().refine((p) => p !== 22, { message: "port 22 is reserved for SSH" }),
      host: z.string().superRefine((h, ctx) => {
        if (h.includes(" ")) ctx.addIssue(valueIssue(h, "must not contain spaces"));
      }),
    });
    const result = parseYamlConfig("c.yml", "mode: saef\nport: 22\nhost: my host\n", custom);
    expect(result.ok ? "" : formatConfigErrors(result.errors)).toBe(
      [
        "c.yml:1:7: `mode: saef` is not one of `fast`, `safe` (did you mean `safe`?)",
        "c.yml:2:7: port 22 is reserved for SSH",
        "c.yml:3:7: `host: my host` must not contain spaces",
      ].join("\n"),
    );
  });

  it("reports the branch of a union that the author was writing", () => {
    const union = z.strictObject({
      effect: z.union([z.literal("allow"), z.strictObject({ deny: z.string() })]),
    });
    const result = parseYamlConfig("u.yml", "effect:\n  deny: 3\n", union);
    expect(result.ok ? "" : formatConfigErrors(result.errors)).toBe(
      'u.yml:2:9: `deny: 3` should be a string, not a whole number; quote it: "3"',
    );
    const neither = parseYamlConfig("u.yml", "effect: 3\n", union);
    expect(neither.ok ? "" : formatConfigErrors(neither.errors)).toBe(
      "u.yml:1:9: `effect: 3` should be `allow` or a mapping (key: value)",
    );
  });
});
