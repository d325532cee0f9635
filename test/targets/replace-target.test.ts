import { describe, expect, it } from "vitest";
import { parseIntent } from "../../src/intents/index.js";
import { replaceTarget, targetsOf } from "../../src/targets/replace-target.js";

const ID = "3f1c0000-9a2b-4c7d-8e1f-0b2a3c4d5e6f";

function intent(command: string, text: string) {
  const parsed = parseIntent(command, text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.intent;
}

describe("replaceTarget / targetsOf", () => {
  it("replaces a server reference", () => {
    const show = intent("/ecs", "show dup-01");
    expect(replaceTarget(show, { kind: "name", name: "dup-01" }, ID)).toEqual({
      type: "ecs.show",
      server: { kind: "id", id: ID },
    });
  });

  it("replaces one target of a list and keeps the others and the flags", () => {
    const stop = intent("/ecs", "stop web-01 dup-01 --hard");
    expect(replaceTarget(stop, { kind: "name", name: "dup-01" }, ID)).toEqual({
      type: "ecs.stop",
      hard: true,
      targets: [
        { kind: "name", name: "web-01" },
        { kind: "id", id: ID },
      ],
    });
  });

  it("drops a duplicate the replacement creates", () => {
    const start = intent("/ecs", `start ${ID} dup-01`);
    const replaced = replaceTarget(start, { kind: "name", name: "dup-01" }, ID);
    expect(replaced).toMatchObject({ targets: [{ kind: "id", id: ID }] });
  });

  it("is undefined when the intent has no such target", () => {
    expect(
      replaceTarget(intent("/ecs", "show web-01"), { kind: "name", name: "dup-01" }, ID),
    ).toBeUndefined();
    expect(replaceTarget(intent("/ecs", "list"), { kind: "name", name: "dup-01" }, ID)).toBeUndefined();
  });

  it("lists the targets of an intent", () => {
    expect(targetsOf(intent("/hss", "ports web-01 danger"))).toEqual([{ kind: "name", name: "web-01" }]);
    expect(targetsOf(intent("/ecs", "reboot a b tag:env=prod"))).toHaveLength(3);
    expect(targetsOf(intent("/ecs", "list"))).toEqual([]);
  });
});
