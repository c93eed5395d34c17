/**
 * Paging and delta state tokens. Opaque to clients (base64url JSON, like Graph's own tokens are
 * opaque); the emulator encodes positions in its stable group order and change sequence numbers.
 */

/** `$skiptoken` of `GET /groups`: the next position in the stable order. */
export interface ListToken {
  k: 'l';
  /** Next position to read. */
  p: number;
}

/** `$skiptoken` inside a delta round. */
export interface DeltaPageToken {
  k: 'dp';
  /** 'i' = initial full round (cursor is a position), 'c' = changes round (cursor is a change sequence). */
  ph: 'i' | 'c';
  cur: number;
  /** Change sequence the round reports up to; the round's deltaLink resumes from here. */
  to: number;
  sel: string[] | null;
  ep: number;
}

/** `$deltatoken` of a deltaLink: the change sequence reported so far, and when the link was issued. */
export interface DeltaToken {
  k: 'dt';
  seq: number;
  sel: string[] | null;
  ep: number;
  /** Issue time (ms since epoch): tokens older than the configured age are refused with 410. */
  at: number;
}

export function encodeToken(token: ListToken | DeltaPageToken | DeltaToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decode(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isSelect = (value: unknown): value is string[] | null =>
  value === null || (Array.isArray(value) && value.every((v) => typeof v === 'string'));

export function decodeListToken(raw: string): ListToken | null {
  const value = decode(raw);
  return value && value.k === 'l' && isCount(value.p) ? { k: 'l', p: value.p } : null;
}

export function decodeDeltaPageToken(raw: string): DeltaPageToken | null {
  const v = decode(raw);
  if (!v || v.k !== 'dp' || (v.ph !== 'i' && v.ph !== 'c')) return null;
  if (!isCount(v.cur) || !isCount(v.to) || !isCount(v.ep) || !isSelect(v.sel)) return null;
  return { k: 'dp', ph: v.ph, cur: v.cur, to: v.to, sel: v.sel, ep: v.ep };
}

export function decodeDeltaToken(raw: string): DeltaToken | null {
  const v = decode(raw);
  if (!v || v.k !== 'dt' || !isCount(v.seq) || !isCount(v.ep) || !isCount(v.at) || !isSelect(v.sel)) return null;
  return { k: 'dt', seq: v.seq, sel: v.sel, ep: v.ep, at: v.at };
}
