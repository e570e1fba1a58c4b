/**
 * Seeded pseudo-random numbers for the simulator. Every generated item draws from its own
 * stream, derived from (seed, stream tag, index), so any item can be generated on its own,
 * in any order, and always comes out the same. The generator is sfc32 (small, fast, passes
 * PractRand at this size); the mixing function is murmur3's fmix32.
 */

/** murmur3 fmix32: a fast bijective 32-bit mixer. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of a seed and two integers (e.g. a stream tag and an index). */
export function hash3(seed: number, a: number, b: number): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(a + 0x632be5ab, 0x27d4eb2f));
  h = mix32(h ^ Math.imul(b + 0x165667b1, 0x9e3779b1));
  return h;
}

/** A stable 32-bit hash of a string (FNV-1a, then mixed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed | 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A stream for item `index` of stream `tag` under `seed`. */
  static for(seed: number, tag: number, index: number): Rng {
    return new Rng(hash3(seed, tag, index));
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max] (both inclusive). */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** An alphanumeric string of `length` characters (slugs, client ids): 5 characters per draw. */
  slug(length: number): string {
    let out = '';
    let bits = 0;
    let left = 0;
    for (let i = 0; i < length; i++) {
      if (left === 0) {
        bits = this.next();
        left = 5;
      }
      out += SLUG_CHARS[bits & 63] as string;
      bits >>>= 6;
      left--;
    }
    return out;
  }
}

/** 64 symbols, so 6 random bits pick one; 'x' and 'Z' appear twice as often (harmless). */
const SLUG_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZxZ';
