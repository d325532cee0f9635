import { describe, expect, it } from "vitest";
import { createShownCards } from "../../src/operations/create-shown-cards.js";
import { type Message, md, section } from "../../src/render/message-model.js";

const card = (words: string): Message => ({ text: md`${words}`, blocks: [section({ text: md`${words}` })] });
const ref = (ts: string) => ({ channel: "C1", ts });

describe("createShownCards", () => {
  it("knows a card shows what was last put on it, and nothing else", () => {
    const shown = createShownCards({ now: () => 0 });
    expect(shown.shows(ref("1.1"), card("Running"))).toBe(false);
    shown.remember(ref("1.1"), card("Running"));
    expect(shown.shows(ref("1.1"), card("Running"))).toBe(true);
    expect(shown.shows(ref("1.1"), card("Done"))).toBe(false);
    // Another message, or the same ts in another channel, is not known.
    expect(shown.shows(ref("1.2"), card("Running"))).toBe(false);
    expect(shown.shows({ channel: "C2", ts: "1.1" }, card("Running"))).toBe(false);
    shown.remember(ref("1.1"), card("Done"));
    expect(shown.shows(ref("1.1"), card("Running"))).toBe(false);
    expect(shown.shows(ref("1.1"), card("Done"))).toBe(true);
    shown.forget(ref("1.1"));
    expect(shown.shows(ref("1.1"), card("Done"))).toBe(false);
  });

  it("trusts what a card shows only briefly: another replica may have edited it since", () => {
    let now = 1_000;
    const shown = createShownCards({ now: () => now, freshMs: 30_000 });
    shown.remember(ref("1.1"), card("Running"));
    now += 30_000;
    expect(shown.shows(ref("1.1"), card("Running"))).toBe(true);
    now += 1;
    expect(shown.shows(ref("1.1"), card("Running"))).toBe(false);
  });

  it("remembers the most recently drawn cards only, up to its limit", () => {
    const shown = createShownCards({ now: () => 0, limit: 2 });
    shown.remember(ref("1.1"), card("a"));
    shown.remember(ref("1.2"), card("b"));
    // Drawn again: now the most recent.
    shown.remember(ref("1.1"), card("a"));
    shown.remember(ref("1.3"), card("c"));
    expect(shown.shows(ref("1.2"), card("b"))).toBe(false);
    expect(shown.shows(ref("1.1"), card("a"))).toBe(true);
    expect(shown.shows(ref("1.3"), card("c"))).toBe(true);
  });
});
