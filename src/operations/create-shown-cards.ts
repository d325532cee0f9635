import { createHash } from "node:crypto";
import type { MessageRef } from "../app/ports.js";
import type { Message } from "../render/message-model.js";

/**
 * What this replica last put on each request card (posted or edited), so that an edit that would show the card
 * exactly as it is costs no chat.update: an allowed request that runs at once is first posted as the card its
 * run's start draws. Only a saving: a card this replica does not remember (another replica drew it, a restart,
 * forgotten to stay bounded, drawn too long ago) is simply edited.
 */
export interface ShownCards {
  /** The card `message` is now on `ref` (it was posted or edited so). */
  remember(ref: MessageRef, message: Message): void;
  /** Whether `ref` is known to show exactly `message`. */
  shows(ref: MessageRef, message: Message): boolean;
  /** What `ref` shows is no longer known (an edit failed, or was made elsewhere). */
  forget(ref: MessageRef): void;
}

export interface ShownCardsOptions {
  /** Epoch ms. */
  now: () => number;
  /** How many cards are remembered at most, the most recently drawn. Default 4096. */
  limit?: number;
  /** How long what a card shows is trusted after this replica drew it. Default 30 s. */
  freshMs?: number;
}

/**
 * A few thousand cards outlast any burst many times over: the edit this saves is the run's start, moments after
 * the first post.
 */
const DEFAULT_LIMIT = 4096;

/**
 * Another replica may edit a card this one remembers; were its request then to come back to the state this
 * one drew (a scheduled start moved and moved back, a group's mention lost and found), this replica would
 * skip an edit that was needed. Trusted only briefly, such a round trip has no time to happen, and the saving
 * (a run starting moments after its first post) is kept.
 */
const DEFAULT_FRESH_MS = 30_000;

export function createShownCards(options: ShownCardsOptions): ShownCards {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const freshMs = options.freshMs ?? DEFAULT_FRESH_MS;
  // A digest, not the card: a few thousand cards of a few KB each would be megabytes held for nothing.
  const shown = new Map<string, { digest: string; at: number }>();
  const keyOf = (ref: MessageRef) => `${ref.channel}\u0000${ref.ts}`;
  const digestOf = (message: Message) =>
    createHash("sha256").update(JSON.stringify(message)).digest("base64");
  return {
    remember(ref, message) {
      const key = keyOf(ref);
      // Re-inserted: the Map's order is then the order in which cards were last drawn, oldest first.
      shown.delete(key);
      shown.set(key, { digest: digestOf(message), at: options.now() });
      while (shown.size > limit) {
        const oldest = shown.keys().next();
        if (oldest.done === true) break;
        shown.delete(oldest.value);
      }
    },
    shows(ref, message) {
      const known = shown.get(keyOf(ref));
      if (known === undefined) return false;
      const age = options.now() - known.at;
      return age >= 0 && age <= freshMs && known.digest === digestOf(message);
    },
    forget(ref) {
      shown.delete(keyOf(ref));
    },
  };
}
