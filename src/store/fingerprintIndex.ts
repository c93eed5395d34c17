/**
 * The fingerprints a full scan compares with, one per group of the base (up to the whole tenant), so they are held
 * compactly: a Graph id (a GUID) as eight 16-bit characters instead of 36, and a fingerprint as a 48-bit number
 * instead of a 16-character string. Any other id (emulated fixtures) is kept as its group key in a map of its own.
 * It is the one thing a full scan holds per group; `npm run bench` prints what the scan's peak memory comes to.
 */
/** Hex digit values by character code (-1: not a hex digit); GUIDs are parsed by hand, a full scan does it per group. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where each of a GUID's eight groups of four hex digits starts (dashes at 8, 13, 18 and 23). */
const WORD_STARTS = [0, 4, 9, 14, 19, 24, 28, 32] as const;

/** A GUID (either case) as eight 16-bit characters; null when `key` is not one. */
function packGuid(key: string): string | null {
  if (key.length !== 36 || key.charCodeAt(8) !== 45 || key.charCodeAt(13) !== 45 || key.charCodeAt(18) !== 45 || key.charCodeAt(23) !== 45) return null;
  const words: number[] = [];
  let invalid = 0;
  for (const start of WORD_STARTS) {
    let word = 0;
    for (let i = start; i < start + 4; i += 1) {
      const digit = HEX[key.charCodeAt(i)] ?? -1;
      invalid |= digit;
      word = (word << 4) | (digit & 15);
    }
    words.push(word);
  }
  return invalid < 0 ? null : String.fromCharCode(...words);
}

function unpackGuid(packed: string): string {
  let hex = '';
  for (let i = 0; i < packed.length; i += 1) hex += packed.charCodeAt(i).toString(16).padStart(4, '0');
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

export class FingerprintIndex {
  private readonly guids = new Map<string, number>();
  private readonly others = new Map<string, number>();

  get size(): number {
    return this.guids.size + this.others.size;
  }

  /** `key`: a group key (keys.ts `snapshotRowKey`). */
  set(key: string, fp: string): void {
    const packed = packGuid(key);
    if (packed === null) this.others.set(key, fingerprintNumber(fp));
    else this.guids.set(packed, fingerprintNumber(fp));
  }

  /** Removes the group and returns its fingerprint number, or undefined when it was not there. */
  take(key: string): number | undefined {
    if (this.guids.size === 0 && this.others.size === 0) return undefined; // a scan with nothing before it
    const packed = packGuid(key);
    const map = packed === null ? this.others : this.guids;
    const id = packed ?? key;
    const fp = map.get(id);
    if (fp !== undefined) map.delete(id);
    return fp;
  }

  delete(key: string): void {
    this.take(key);
  }

  /** The group keys left. */
  *keys(): Generator<string> {
    for (const packed of this.guids.keys()) yield unpackGuid(packed);
    yield* this.others.keys();
  }

  clear(): void {
    this.guids.clear();
    this.others.clear();
  }
}
