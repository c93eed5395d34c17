/**
 * The fingerprints a full scan compares with, one per group of the base (up to the whole tenant), so they are held
 * compactly: a Graph id (a GUID) as four 32-bit words instead of a 36-character string, and a fingerprint as a
 * 48-bit number instead of a 16-character string. Any other id (emulated fixtures) is kept as its group key in a map
 * of its own.
 * It is the one thing a full scan holds per group; `npm run bench` prints what the scan's peak memory comes to.
 */
/** Hex digit values by character code (-1: not a hex digit); GUIDs are parsed by hand, a full scan does it per group. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where each of a GUID's four 32-bit words starts: eight hex digits each, skipping the dashes at 8, 13, 18 and 23. */
const WORD_DIGITS = [
  [0, 1, 2, 3, 4, 5, 6, 7],
  [9, 10, 11, 12, 14, 15, 16, 17],
  [19, 20, 21, 22, 24, 25, 26, 27],
  [28, 29, 30, 31, 32, 33, 34, 35],
] as const;

/** Parses a GUID (either case) into `out` as four 32-bit words; false when `key` is not one. No allocation. */
function parseGuid(key: string, out: Uint32Array): boolean {
  if (key.length !== 36 || key.charCodeAt(8) !== 45 || key.charCodeAt(13) !== 45 || key.charCodeAt(18) !== 45 || key.charCodeAt(23) !== 45) return false;
  let invalid = 0;
  for (let w = 0; w < 4; w += 1) {
    let word = 0;
    for (const i of WORD_DIGITS[w]!) {
      const digit = HEX[key.charCodeAt(i)] ?? -1;
      invalid |= digit;
      word = (word << 4) | (digit & 15);
    }
    out[w] = word >>> 0;
  }
  return invalid >= 0;
}

function formatGuid(words: Uint32Array, at: number): string {
  const hex = [0, 1, 2, 3].map((w) => words[at + w]!.toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Base64 digit values by character code (-1: none), both alphabets. */
const BASE64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (BASE64[c.charCodeAt(0)] = i));
BASE64['-'.charCodeAt(0)] = 62;
BASE64['_'.charCodeAt(0)] = 63;

/**
 * The first 48 bits of a fingerprint (versionStore.ts `fingerprintOf`, base64): enough to tell states apart.
 * Eight base64 digits are exactly 48 bits, read without a Buffer per fingerprint.
 */
export function fingerprintNumber(fp: string): number {
  let n = 0;
  for (let i = 0; i < 8; i += 1) {
    const digit = BASE64[fp.charCodeAt(i)] ?? -1;
    if (digit < 0) return Buffer.from(fp, 'base64').readUIntBE(0, 6); // short or unusual: the general decoder
    n = n * 64 + digit;
  }
  return n;
}

/** Slot markers in `fps` (fingerprint numbers are never negative). */
const EMPTY = -1;
const DELETED = -2;
const MIN_CAPACITY = 1024;

/**
 * GUID keys live in an open-addressing table of typed arrays (linear probing): four words and a fingerprint number
 * per slot and no object per group. A Map of packed strings to numbers took more memory, was slower to build, and
 * gave the garbage collector an object or two per group to trace at every full collection.
 */
export class FingerprintIndex {
  private words = new Uint32Array(MIN_CAPACITY * 4);
  private fps = new Float64Array(MIN_CAPACITY).fill(EMPTY);
  /** Slots holding a group, and slots holding a group or a deleted marker (what probing walks through). */
  private live = 0;
  private used = 0;
  private readonly others = new Map<string, number>();
  private readonly scratch = new Uint32Array(4);

  get size(): number {
    return this.live + this.others.size;
  }

  /** `key`: a group key (keys.ts `snapshotRowKey`). */
  set(key: string, fp: string): void {
    if (!parseGuid(key, this.scratch)) {
      this.others.set(key, fingerprintNumber(fp));
      return;
    }
    if ((this.used + 1) * 4 > this.fps.length * 3) this.resize();
    const found = this.find(this.scratch);
    if (found >= 0) {
      this.fps[found] = fingerprintNumber(fp);
      return;
    }
    const slot = -found - 1;
    if (this.fps[slot] === EMPTY) this.used += 1;
    this.words.set(this.scratch, slot * 4);
    this.fps[slot] = fingerprintNumber(fp);
    this.live += 1;
  }

  /** Removes the group and returns its fingerprint number, or undefined when it was not there. */
  take(key: string): number | undefined {
    if (this.live === 0 && this.others.size === 0) return undefined; // a scan with nothing before it
    if (!parseGuid(key, this.scratch)) {
      const fp = this.others.get(key);
      if (fp !== undefined) this.others.delete(key);
      return fp;
    }
    const slot = this.find(this.scratch);
    if (slot < 0) return undefined;
    const fp = this.fps[slot]!;
    this.fps[slot] = DELETED;
    this.live -= 1;
    return fp;
  }

  delete(key: string): void {
    this.take(key);
  }

  /** The group keys left. */
  *keys(): Generator<string> {
    for (let slot = 0; slot < this.fps.length; slot += 1) if (this.fps[slot]! >= 0) yield formatGuid(this.words, slot * 4);
    yield* this.others.keys();
  }

  clear(): void {
    this.words = new Uint32Array(MIN_CAPACITY * 4);
    this.fps = new Float64Array(MIN_CAPACITY).fill(EMPTY);
    this.live = 0;
    this.used = 0;
    this.others.clear();
  }

  /** The slot holding `guid`, or -(slot + 1) for where it would go (the first deleted slot on its probe path, else the empty one). */
  private find(guid: Uint32Array): number {
    const mask = this.fps.length - 1;
    let slot = hashGuid(guid) & mask;
    let free = -1;
    for (;;) {
      const fp = this.fps[slot]!;
      if (fp === EMPTY) return -((free >= 0 ? free : slot) + 1);
      if (fp === DELETED) {
        if (free < 0) free = slot;
      } else {
        const at = slot * 4;
        const w = this.words;
        if (w[at] === guid[0] && w[at + 1] === guid[1] && w[at + 2] === guid[2] && w[at + 3] === guid[3]) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Twice the room when mostly full of groups; the same room, rid of deleted markers, otherwise. */
  private resize(): void {
    const oldWords = this.words;
    const oldFps = this.fps;
    const capacity = this.live * 2 >= oldFps.length ? oldFps.length * 2 : oldFps.length;
    this.words = new Uint32Array(capacity * 4);
    this.fps = new Float64Array(capacity).fill(EMPTY);
    this.used = this.live;
    const guid = new Uint32Array(4); // not `scratch`: it holds the key being set
    for (let slot = 0; slot < oldFps.length; slot += 1) {
      if (oldFps[slot]! < 0) continue;
      guid.set(oldWords.subarray(slot * 4, slot * 4 + 4));
      const to = -this.find(guid) - 1;
      this.words.set(guid, to * 4);
      this.fps[to] = oldFps[slot]!;
    }
  }
}

/** Mixes a GUID's four words into one well-spread 32-bit number (Graph ids are random, fixtures need not be). */
function hashGuid(guid: Uint32Array): number {
  let h = Math.imul(guid[0]! ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ guid[1]! ^ (h >>> 16), 0xc2b2ae35);
  h = Math.imul(h ^ guid[2]! ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ guid[3]! ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}
