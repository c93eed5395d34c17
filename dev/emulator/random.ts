/**
 * Deterministic randomness for the emulator: the same seed always gives the same tenant and the same
 * fault sequence, so a failing run can be replayed exactly.
 */

/** 32-bit integer finaliser (lowbias32 from Chris Wellons' hash-prospector): good avalanche, cheap. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash of (seed, index, salt) to 32 bits; used to derive independent streams per group and purpose. */
export function hash32(seed: number, index: number, salt = 0): number {
  return mix32((seed >>> 0) ^ mix32((index >>> 0) + mix32((salt >>> 0) + 0x9e3779b9)));
}

/** A seeded PRNG (mulberry32). Returns floats in [0, 1). */
export interface Rng {
  next(): number;
  /** Integer in [0, bound). */
  int(bound: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** 32 random bits as 8 lowercase hex digits. */
  hex8(): string;
}

/** mulberry32; a class rather than closures because one is built per synthetic group read. */
class Mulberry32 implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  private nextUint(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.nextUint() / 4294967296;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  hex8(): string {
    return this.nextUint().toString(16).padStart(8, '0');
  }
}

export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}

// An invertible 32-bit permutation: xor-shift by 16 is its own inverse and multiplication by an odd
// constant is invertible modulo 2^32. Used to put a group's index into its GUID so that a lookup by id
// needs no table (500,000 synthetic groups are never held in memory).
const MULTIPLIER_A = 0x2c1b3c6d;
const MULTIPLIER_B = 0x297a2d39;

function inverseOdd(multiplier: number): number {
  // Newton iteration: each step doubles the number of correct low bits (3 → 6 → 12 → 24 → 48).
  let inverse = multiplier;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(multiplier, inverse));
  return inverse >>> 0;
}

const INVERSE_A = inverseOdd(MULTIPLIER_A);
const INVERSE_B = inverseOdd(MULTIPLIER_B);

function xorShift16(x: number): number {
  return (x ^ (x >>> 16)) >>> 0;
}

export function permute32(value: number, key: number): number {
  let x = (value ^ key) >>> 0;
  x = xorShift16(x);
  x = Math.imul(x, MULTIPLIER_A) >>> 0;
  x = xorShift16(x);
  x = Math.imul(x, MULTIPLIER_B) >>> 0;
  return x;
}

export function unpermute32(value: number, key: number): number {
  let x = Math.imul(value >>> 0, INVERSE_B) >>> 0;
  x = xorShift16(x);
  x = Math.imul(x, INVERSE_A) >>> 0;
  x = xorShift16(x);
  return (x ^ key) >>> 0;
}

const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/** 8 lowercase hex digits; table-driven because ids are formatted for every group read. */
function hex32(value: number): string {
  const n = value >>> 0;
  return `${HEX_BYTES[n >>> 24]}${HEX_BYTES[(n >>> 16) & 255]}${HEX_BYTES[(n >>> 8) & 255]}${HEX_BYTES[n & 255]}`;
}

/** Formats 128 bits (four 32-bit words) as a lowercase version-4-shaped GUID. */
export function formatGuid(w0: number, w1: number, w2: number, w3: number): string {
  const h = hex32;
  const a = h(w0);
  const b = h(w1);
  const c = h(w2);
  const d = h(w3);
  const version = `4${b.slice(5, 8)}`;
  const variant = `${'89ab'[parseInt(c[0] ?? '0', 16) & 3]}${c.slice(1, 4)}`;
  return `${a}-${b.slice(0, 4)}-${version}-${variant}-${c.slice(4, 8)}${d}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `yyyy-mm-ddThh:mm:ssZ` for a time in ms since 1970 (Graph's date-time format, no fraction). Integer
 * civil-from-days conversion (H. Hinnant's algorithm) instead of Date#toISOString: synthetic groups
 * format several dates each, on every read.
 */
export function isoSeconds(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const secondsOfDay = totalSeconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(secondsOfDay / 3600);
  const minutes = Math.floor((secondsOfDay % 3600) / 60);
  const seconds = secondsOfDay % 60;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}Z`;
}
