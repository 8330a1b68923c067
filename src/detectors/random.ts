/**
 * xoshiro128** (Blackman & Vigna, 2018): a small, fast, well-tested 32-bit
 * generator. The 128-bit state is filled from the 32-bit seed with SplitMix32,
 * so every seed — 0 included — gives a usable, distinct stream.
 *
 * Same seed ⇒ same sequence on every platform (only 32-bit integer arithmetic
 * via `Math.imul` and `>>> 0`), which is what makes a fitted model reproducible.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // SplitMix32: a Weyl sequence through an avalanche mixer.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform integer in [0, 2³²). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n) for 1 ≤ n ≤ 2³², without modulo bias (rejection sampling). */
  nextInt(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) {
      r = this.nextUint32();
    }
    return r % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seed for stream `stream` of a run seeded `seed` (e.g. tree t of a forest):
 * SplitMix32's mixer over the pair, so neighbouring streams are unrelated and
 * each can be generated on its own, in any order, on any thread.
 */
export function streamSeed(seed: number, stream: number): number {
  let z = (seed + Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
