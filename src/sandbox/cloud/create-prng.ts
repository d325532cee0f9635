/**
 * A small seeded PRNG (mulberry32) and helpers. World generation never uses `Math.random`: the same
 * seed always yields the same fleet, byte for byte.
 */
export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One element chosen by weight (`[value, weight]` pairs, weights > 0). */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** `length` lower-case hex digits. */
  hex(length: number): string;
  /** A version-4-shaped UUID. */
  uuid(): string;
}

/** 32-bit FNV-1a over a string, for deriving sub-seeds from labels. */
export function hashString(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a seed with labels/numbers into an independent sub-seed (stable across runs). */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const part of parts) {
    const v = typeof part === "number" ? part >>> 0 : hashString(part);
    h = Math.imul(h ^ v, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex8(u: number): string {
  return BYTE_HEX[u >>> 24]! + BYTE_HEX[(u >>> 16) & 255]! + BYTE_HEX[(u >>> 8) & 255]! + BYTE_HEX[u & 255]!;
}

/** mulberry32; a class (not closures) so creating one per machine stays cheap for large fleets. */
class Mulberry32 implements Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  private u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() needs a non-empty array");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new RangeError("weighted() needs entries");
    return last[0];
  }

  hex(length: number): string {
    let out = "";
    while (out.length < length) out += hex8(this.u32());
    return out.length === length ? out : out.slice(0, length);
  }

  uuid(): string {
    const a = hex8(this.u32());
    const b = hex8(this.u32());
    // Version nibble 4, variant nibble 8..b.
    const c = hex8((this.u32() & 0x3fffffff) | 0x80000000);
    const d = hex8(this.u32());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${c.slice(0, 4)}-${c.slice(4, 8)}${d}`;
  }
}

export function createPrng(seed: number): Prng {
  return new Mulberry32(seed);
}
