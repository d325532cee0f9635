/** The calendars the scheduled-change and wave tests share, at minutes from a clock's now. */
const MINUTE = 60_000;

/**
 * A `calendars:` block (to put where a policy's own begins) with the freeze `test-freeze` and the window
 * `maint`, each from and to the given minutes after `now` (ms).
 */
export function testCalendarsYaml(now: number, freeze: [number, number], window: [number, number]): string {
  const iso = (minutes: number) => new Date(now + minutes * MINUTE).toISOString();
  return `calendars:
  test-freeze:
    kind: freeze
    description: A test freeze.
    events:
      - { start: "${iso(freeze[0])}", end: "${iso(freeze[1])}" }
  maint:
    kind: window
    description: A test maintenance window.
    events:
      - { start: "${iso(window[0])}", end: "${iso(window[1])}" }
`;
}

/** A rule that denies stops and reboots during `test-freeze`, to append to a policy's rules. */
export const FREEZE_DENIES_POWER = `  - id: freeze-denies-power
    description: No power changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { during: [test-freeze] }
    effect: { deny: "Changes are frozen." }
`;
