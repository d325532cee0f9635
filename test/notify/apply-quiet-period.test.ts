import { describe, expect, it } from "vitest";
import { applyQuietPeriod, EMPTY_QUIET_STATE, type QuietState } from "../../src/notify/apply-quiet-period.js";
import { type FleetEvent, fleetEvent } from "../../src/notify/fleet-event.js";

const QUIET = 10 * 60_000;
const subject = { kind: "host" as const, id: "h1", name: "web-01", tags: {} };

function agent(state: "offline" | "online"): FleetEvent {
  return fleetEvent(
    state === "offline" ? "hss.agent_offline" : "hss.agent_online",
    "hss.agent:h1",
    state,
    subject,
    { kind: "hss_state", previous: state === "offline" ? "online" : "offline", current: state },
  );
}

/** Feeds a sequence of (time, events, current state) runs through the quiet period. */
function simulate(runs: { at: number; events: FleetEvent[]; current: string }[]) {
  let state: QuietState = EMPTY_QUIET_STATE;
  return runs.map((r) => {
    const out = applyQuietPeriod({
      events: r.events,
      state,
      now: r.at,
      quietPeriodMs: QUIET,
      stateOf: () => r.current,
    });
    state = out.state;
    return out;
  });
}

describe("applyQuietPeriod", () => {
  it("announces a family at most once per quiet period and drops flaps that end where they started", () => {
    const runs = simulate([
      { at: 0, events: [agent("offline")], current: "offline" },
      { at: 60_000, events: [agent("online")], current: "online" },
      { at: 120_000, events: [agent("offline")], current: "offline" },
      { at: 180_000, events: [agent("online")], current: "online" },
      { at: 240_000, events: [agent("offline")], current: "offline" },
      { at: QUIET + 1, events: [], current: "offline" },
    ]);
    expect(runs.map((r) => r.announce.length)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(runs.map((r) => r.held)).toEqual([0, 1, 1, 1, 1, 0]);
    // Nothing is left behind once the period is over.
    expect(runs.at(-1)?.state).toEqual({ announced: {}, pending: {} });
  });

  it("announces the settled state once when a flap ends elsewhere than last announced", () => {
    const runs = simulate([
      { at: 0, events: [agent("offline")], current: "offline" },
      { at: 60_000, events: [agent("online")], current: "online" },
      { at: 120_000, events: [agent("offline")], current: "offline" },
      { at: 180_000, events: [agent("online")], current: "online" },
      { at: QUIET, events: [], current: "online" },
      { at: QUIET + 60_000, events: [], current: "online" },
    ]);
    expect(runs.map((r) => r.announce.length)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(runs[4]?.announce[0]).toMatchObject({ type: "hss.agent_online", delayed: true, heldBack: 2 });
  });

  it("treats families independently and a zero quiet period as no damping", () => {
    const other = { ...agent("offline"), family: "hss.agent:h2" };
    const [first] = simulate([{ at: 0, events: [agent("offline"), other], current: "offline" }]);
    expect(first?.announce).toHaveLength(2);
    let state = EMPTY_QUIET_STATE;
    for (const event of [agent("offline"), agent("online"), agent("offline")]) {
      const out = applyQuietPeriod({
        events: [event],
        state,
        now: 5,
        quietPeriodMs: 0,
        stateOf: () => undefined,
      });
      expect(out.announce).toHaveLength(1);
      state = out.state;
    }
  });

  it("lets transitions explained by the bot update what the channel knows", () => {
    let state = applyQuietPeriod({
      events: [agent("online")],
      state: EMPTY_QUIET_STATE,
      now: 0,
      quietPeriodMs: QUIET,
      stateOf: () => "online",
    }).state;
    state = applyQuietPeriod({
      events: [],
      explained: [agent("offline")],
      state,
      now: 1,
      quietPeriodMs: QUIET,
      stateOf: () => "offline",
    }).state;
    const held = applyQuietPeriod({
      events: [agent("online")],
      state,
      now: 2,
      quietPeriodMs: QUIET,
      stateOf: () => "online",
    });
    expect(held.announce).toHaveLength(0);
    const settled = applyQuietPeriod({
      events: [],
      state: held.state,
      now: QUIET,
      quietPeriodMs: QUIET,
      stateOf: () => "online",
    });
    expect(settled.announce).toHaveLength(1);
  });
});
