import { describe, expect, it } from "vitest";
import { explainCalendarConditions } from "../../src/calendars/explain-calendar-conditions.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { PolicyRequest } from "../../src/policy/types.js";

const POLICY = `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
calendars:
  year-end:
    kind: freeze
    description: Year-end freeze.
    events:
      - { start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z" }
  maintenance:
    kind: window
    description: Tuesday nights.
    events:
      - { cron: "0 22 * * 2", duration: 4h, time_zone: Europe/Berlin }
rules:
  - id: soft-power
    description: Routine.
    actions: [ecs:cloudServers:stop]
    effect: allow
  - id: freeze-denies
    description: No changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:migrate]
    match: { during: [year-end] }
    effect: { deny: "Changes are frozen until the new year." }
  - id: migrate-in-window
    description: Migrations only in the window.
    actions: [ecs:cloudServers:migrate]
    match: { during: [maintenance] }
    effect: allow
  - id: prod-outside-window
    description: Outside the window prod stops need one approval.
    actions: [ecs:cloudServers:stop]
    match: { outside: [maintenance], targets: { tags: { env: prod } } }
    effect: { require_approval: { min_approvals: 1 } }
`;

function policy() {
  const loaded = parsePolicy(POLICY);
  if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
  return loaded.policy;
}

const request = (action: string, at: number | undefined, env = "dev"): PolicyRequest => ({
  action,
  requester: { userId: "U_ALICE", groups: [] },
  channel: { id: "C_OPS" },
  targets: [{ id: "s1", name: "web-01", tags: { env } }],
  flags: {},
  ...(at !== undefined && { at }),
});

const at = (iso: string) => Date.parse(iso);

describe("calendar conditions", () => {
  it("a freeze denies while in force, then lifts", () => {
    const p = policy();
    expect(evaluatePolicy(p, request("ecs:cloudServers:stop", at("2026-12-19T12:00:00Z"))).effect).toBe(
      "allow",
    );
    const frozen = evaluatePolicy(p, request("ecs:cloudServers:stop", at("2026-12-24T12:00:00Z")));
    expect(frozen).toMatchObject({ effect: "deny", reasons: ["Changes are frozen until the new year."] });
    expect(evaluatePolicy(p, request("ecs:cloudServers:stop", at("2027-01-04T00:00:00Z"))).effect).toBe(
      "allow",
    );
  });

  it("a window allows what is otherwise denied, and `outside` adds an approval", () => {
    const p = policy();
    const tuesdayNight = at("2026-12-08T22:00:00Z");
    const wednesdayNoon = at("2026-12-09T12:00:00Z");
    expect(evaluatePolicy(p, request("ecs:cloudServers:migrate", tuesdayNight)).effect).toBe("allow");
    expect(evaluatePolicy(p, request("ecs:cloudServers:migrate", wednesdayNoon)).effect).toBe("deny");
    expect(evaluatePolicy(p, request("ecs:cloudServers:stop", wednesdayNoon, "prod")).effect).toBe(
      "needs_approval",
    );
    expect(evaluatePolicy(p, request("ecs:cloudServers:stop", tuesdayNight, "prod")).effect).toBe("allow");
  });

  it("without a time, calendar conditions fail closed: restrictions apply, grants do not", () => {
    const p = policy();
    expect(evaluatePolicy(p, request("ecs:cloudServers:stop", undefined)).effect).toBe("deny");
    expect(evaluatePolicy(p, request("ecs:cloudServers:migrate", undefined)).effect).toBe("deny");
  });

  it("explains the event in force and when it ends, or when the next one starts", () => {
    const p = policy();
    const when = at("2026-12-24T12:00:00Z");
    const decision = evaluatePolicy(p, request("ecs:cloudServers:stop", when));
    expect(explainCalendarConditions(p, decision.rules, when)).toEqual([
      {
        ruleId: "freeze-denies",
        calendar: "year-end",
        kind: "freeze",
        description: "Year-end freeze.",
        relation: "during",
        until: at("2027-01-04T00:00:00Z"),
      },
    ]);
    const wednesday = at("2026-12-09T12:00:00Z");
    const prod = evaluatePolicy(p, request("ecs:cloudServers:stop", wednesday, "prod"));
    expect(explainCalendarConditions(p, prod.rules, wednesday)).toContainEqual(
      expect.objectContaining({
        calendar: "maintenance",
        relation: "outside",
        next: at("2026-12-15T21:00:00Z"),
      }),
    );
  });
});

describe("malformed calendars stop the load with file and line", () => {
  const errors = (yaml: string) => {
    const loaded = parsePolicy(yaml, "flows/policy.yml");
    expect(loaded.ok).toBe(false);
    return loaded.ok ? "" : formatConfigErrors(loaded.errors);
  };
  const withCalendar = (event: string, ref = "maint") => `version: 1
calendars:
  maint:
    kind: window
    description: Nights.
    events:
      - ${event}
rules:
  - id: r
    description: R.
    actions: [ecs:cloudServers:migrate]
    match: { during: [${ref}] }
    effect: allow
`;

  it("a bad cron", () => {
    const text = errors(withCalendar(`{ cron: "0 25 * * *", duration: 1h, time_zone: UTC }`));
    expect(text).toContain("flows/policy.yml:7");
    expect(text).toContain("is not a cron expression");
  });

  it("a cron no date matches, which croner's search would overflow on at every decision", () => {
    for (const cron of ["0 0 30 2 *", "0 0 31 2,4,6,9,11 *"]) {
      const text = errors(withCalendar(`{ cron: "${cron}", duration: 1h, time_zone: UTC }`));
      expect(text).toContain("flows/policy.yml:7");
      expect(text).toContain(`\`${cron}\` is not a cron expression (it never matches a date)`);
    }
  });

  it("a day that does not exist, not rolled over to the next month", () => {
    const text = errors(withCalendar(`{ start: "2026-02-30T00:00:00Z", end: "2026-03-04T00:00:00Z" }`));
    expect(text).toContain("flows/policy.yml:7");
    expect(text).toContain("`2026-02-30T00:00:00Z` is not a date of the calendar (that day does not exist)");
  });

  it("a calendar name out of its alphabet, and a typo in an event's key, in the file's words", () => {
    const named = errors(
      withCalendar(`{ cron: "0 22 * * *", duration: 1h, time_zone: UTC }`).replace("maint:", "Year-End:"),
    );
    expect(named).toContain(
      "flows/policy.yml:3:3: key `Year-End` is not a calendar name; use lower-case letters, digits, `-` and `_`",
    );
    const typo = errors(withCalendar(`{ cron: "0 22 * * *", duration: 1h, timezone: UTC }`));
    expect(typo).toBe("flows/policy.yml:7:45: unknown key `timezone` (did you mean `time_zone`?)");
  });

  it("an unknown time zone", () => {
    const text = errors(withCalendar(`{ cron: "0 22 * * *", duration: 1h, time_zone: Europe/Berlinn }`));
    expect(text).toContain("flows/policy.yml:7");
    expect(text).toContain("`Europe/Berlinn` is not an IANA time zone");
  });

  it("a date-time without an offset, and an end before the start", () => {
    expect(errors(withCalendar(`{ start: "2026-12-20T00:00", end: "2026-12-21T00:00Z" }`))).toContain(
      "is not a date-time with an offset",
    );
    expect(errors(withCalendar(`{ start: "2026-12-20T00:00Z", end: "2026-12-19T00:00Z" }`))).toContain(
      "`end` must be after `start`",
    );
  });

  it("a rule naming an unknown calendar, with a suggestion", () => {
    const text = errors(withCalendar(`{ cron: "0 22 * * *", duration: 1h, time_zone: UTC }`, "mainte"));
    expect(text).toContain("flows/policy.yml:12");
    expect(text).toContain("calendar `mainte` is not defined under `calendars:` (did you mean `maint`?)");
  });
});

describe("the shipped policy's calendars", () => {
  it("defines a window and a freeze, and its commented calendar rules are valid once uncommented", async () => {
    const { readFile } = await import("node:fs/promises");
    const text = await readFile("flows/policy.yml", "utf8");
    const start = text.indexOf("  # - id: year-end-freeze");
    expect(start).toBeGreaterThan(0);
    const uncommented = `${text.slice(0, start)}${text
      .slice(start)
      .split("\n")
      // Uncommenting as an editor would: drop "# " after the indentation of each commented line.
      .map((line) => line.replace(/^( *)# (?=- id:| )/, "$1"))
      .filter((line) => !/^\s*#/.test(line))
      .join("\n")}`;
    const loaded = parsePolicy(uncommented, "flows/policy.yml");
    if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
    const p = loaded.policy;
    expect(p.calendars?.map((c) => [c.name, c.kind])).toEqual([
      ["maintenance", "window"],
      ["year-end", "freeze"],
    ]);
    const prodStop = (when: string) =>
      evaluatePolicy(p, { ...request("ecs:cloudServers:stop", at(when), "prod") });
    expect(prodStop("2026-12-24T12:00:00Z")).toMatchObject({ effect: "deny" });
    expect(prodStop("2027-01-05T12:00:00Z").effect).toBe("needs_approval");
  });
});
