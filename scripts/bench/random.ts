// A small seeded PRNG (mulberry32), so that one seed always gives the same
// data set and the same request sequence; Math.random cannot be seeded.

export type Random = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `count` distinct items (fewer when there are not that many), in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** `length` lowercase hex characters. */
  hex(length: number): string;
};

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick() from an empty list");
      return items[Math.floor(next() * items.length)]!;
    },
    sample: (items, count) => {
      const copy = [...items];
      const taken = Math.min(count, copy.length);
      // A partial Fisher–Yates shuffle: only the first `taken` places are drawn.
      for (let i = 0; i < taken; i++) {
        const j = int(i, copy.length - 1);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, taken);
    },
    hex: (length) => {
      let text = "";
      while (text.length < length) text += Math.floor(next() * 2 ** 32).toString(16).padStart(8, "0");
      return text.slice(0, length);
    },
  };
}
