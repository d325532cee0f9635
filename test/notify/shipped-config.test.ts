import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/notify/fleet-event.js";
import { loadNotificationsConfig } from "../../src/notify/load-notifications-config.js";
import { DIGEST_KINDS, WATCHER_KINDS } from "../../src/notify/notifications-file-schema.js";

const FILE = "flows/notifications.yml";

describe("the shipped flows/notifications.yml", () => {
  it("is valid", async () => {
    const result = await loadNotificationsConfig(FILE);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.config.watchers.map((w) => w.kind).sort()).toEqual([...WATCHER_KINDS].sort());
    expect(result.config.digests.map((d) => d.kind).sort()).toEqual([...DIGEST_KINDS].sort());
  });

  it("is documented: every key, kind and event in the header, every setting and entry commented", async () => {
    const lines = (await readFile(FILE, "utf8")).split("\n");
    const headerEnd = lines.findIndex((l) => !l.startsWith("#") && l.trim() !== "");
    const header = lines.slice(0, headerEnd).join("\n");
    for (const name of [...WATCHER_KINDS, ...DIGEST_KINDS, ...EVENT_TYPES]) expect(header).toContain(name);

    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      const key = /^(\s*)(?:- )?([a-z_]+):/.exec(line);
      if (key === null) return;
      if (!new RegExp(`\\b${key[2]}\\b`).test(header)) {
        undocumented.push(`${i + 1}: \`${key[2]}\` is not in the format reference`);
      }
      // Entries of the lists and every setting in `defaults` / `delivery` carry a comment right above.
      const isEntry = line.trimStart().startsWith("- id:");
      const parent = lines
        .slice(0, i)
        .reverse()
        .find((l) => /^\S/.test(l) && !l.startsWith("#"));
      const isSetting = key[1] === "  " && (parent === "defaults:" || parent === "delivery:");
      if ((isEntry || isSetting) && !lines[i - 1]?.trimStart().startsWith("#")) {
        undocumented.push(`${i + 1}: \`${line.trim()}\` has no comment above it`);
      }
    });
    expect(undocumented).toEqual([]);
  });
});
