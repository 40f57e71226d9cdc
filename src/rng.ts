// Seeded pseudo-random numbers (xoshiro128**), passed explicitly everywhere randomness is needed.
// `new Rng(seed)` gives the same stream on every platform; `fork(...)` derives an independent
// stream for a sub-purpose (e.g. per example index) without disturbing this one.

/** 32-bit mix (murmur3 finaliser): spreads seeds so nearby seeds give unrelated streams. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash a list of integers into one 32-bit seed (order matters). */
export function hashInts(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = mix32((h ^ (x >>> 0)) + 0x7f4a7c15);
    h = mix32(h ^ Math.floor(x / 0x100000000));
  }
  return h;
}

/** FNV-1a over a string: stable hash used for held-out splits by canonical form. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Four state words, plus the cached second normal when there is one. */
export type RngState = [number, number, number, number] | [number, number, number, number, number];

export class Rng {
  private s: Uint32Array;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Rng: seed must be a safe integer, got ${seed}`);
    this.s = new Uint32Array(4);
    let x = hashInts(seed);
    for (let i = 0; i < 4; i++) {
      x = mix32(x + 0x9e3779b9 * (i + 1));
      this.s[i] = x || 1;
    }
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.s.set(state.slice(0, 4).map((v) => v >>> 0));
    r.spareNormal = state.length > 4 ? state[4]! : null;
    return r;
  }

  state(): RngState {
    const s: RngState = [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
    return this.spareNormal === null ? s : [...s, this.spareNormal];
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    // Rejection sampling removes modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  choice<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.choice: empty list');
    return xs[this.int(xs.length)]!;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }

  /** An independent stream derived from this one's seed material and the given labels. */
  fork(...labels: number[]): Rng {
    return new Rng(hashInts(this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!, ...labels));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
