import type { FakeSlackFault } from "./fake-slack-types.js";

/** Matches every method in {@link FaultPlan.add}. */
export const ANY_METHOD = "*";

/**
 * Injected faults, consumed in order: the next N calls of a method (or of any method, `*`)
 * are answered with the fault instead of the method's own answer. Method-specific faults win.
 */
export class FaultPlan {
  private readonly queues = new Map<string, Array<{ fault: FakeSlackFault; remaining: number }>>();

  add(method: string, fault: FakeSlackFault, count = 1): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be >= 1, got ${count}`);
    const queue = this.queues.get(method) ?? [];
    queue.push({ fault, remaining: count });
    this.queues.set(method, queue);
  }

  /** Takes the fault for this call, if any. */
  take(method: string): FakeSlackFault | undefined {
    return this.takeFrom(method) ?? this.takeFrom(ANY_METHOD);
  }

  clear(method?: string): void {
    if (method === undefined) this.queues.clear();
    else this.queues.delete(method);
  }

  pending(method: string): number {
    return (this.queues.get(method) ?? []).reduce((sum, entry) => sum + entry.remaining, 0);
  }

  private takeFrom(key: string): FakeSlackFault | undefined {
    const queue = this.queues.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    if (queue.length === 0) this.queues.delete(key);
    return head.fault;
  }
}
