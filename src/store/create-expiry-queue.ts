/** Keys by the time they expire, to collect expired ones without scanning every key. */
export interface ExpiryQueue {
  /** Notes that `key` expires at `expiresAt` (an older note for the same key is left; see `takeDue`). */
  push(key: string, expiresAt: number): void;
  /**
   * Removes and returns the keys of every note due at `now`. A key may be returned although it was written
   * again since with a later expiry: the caller checks the key's current expiry before removing it.
   */
  takeDue(now: number): string[];
  readonly size: number;
}

/** A binary min-heap on `expiresAt`: push and take are O(log n), so sweeping costs what it removes. */
export function createExpiryQueue(): ExpiryQueue {
  const heap: { key: string; expiresAt: number }[] = [];

  function swap(i: number, j: number): void {
    const a = heap[i];
    const b = heap[j];
    if (a === undefined || b === undefined) return;
    heap[i] = b;
    heap[j] = a;
  }
  const at = (i: number) => heap[i]?.expiresAt ?? Number.POSITIVE_INFINITY;

  return {
    push(key, expiresAt) {
      heap.push({ key, expiresAt });
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (at(parent) <= at(i)) break;
        swap(i, parent);
        i = parent;
      }
    },
    takeDue(now) {
      const due: string[] = [];
      while (heap.length > 0 && at(0) <= now) {
        const top = heap[0];
        const last = heap.pop();
        if (top === undefined || last === undefined) break;
        if (heap.length > 0) {
          heap[0] = last;
          let i = 0;
          for (;;) {
            const l = 2 * i + 1;
            const r = l + 1;
            let min = i;
            if (at(l) < at(min)) min = l;
            if (at(r) < at(min)) min = r;
            if (min === i) break;
            swap(i, min);
            i = min;
          }
        }
        due.push(top.key);
      }
      return due;
    },
    get size() {
      return heap.length;
    },
  };
}
