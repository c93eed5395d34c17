/**
 * The fingerprints a full scan compares with, one per group of the base (up to the whole tenant), so they are held
 * compactly: a Graph id (a GUID) as eight 16-bit characters instead of 36, and a fingerprint as a 48-bit number
 * instead of a 16-character string. Any other id (emulated fixtures) is kept as its group key in a map of its own.
 * At 500,000 groups this is what keeps a full scan's memory within `npm run bench`'s target.
 */
const GUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

function packGuid(key: string): string | null {
  const match = GUID.exec(key);
  if (!match) return null;
  const hex = match.slice(1).join('');
  let packed = '';
  for (let i = 0; i < 32; i += 4) packed += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return packed;
}

function unpackGuid(packed: string): string {
  let hex = '';
  for (let i = 0; i < packed.length; i += 1) hex += packed.charCodeAt(i).toString(16).padStart(4, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The first 48 bits of a fingerprint (versionStore.ts `fingerprintOf`, base64): enough to tell states apart. */
export function fingerprintNumber(fp: string): number {
  return Buffer.from(fp, 'base64').readUIntBE(0, 6);
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
