/**
 * Webhook signatures. The signed content is `<timestamp>.<raw body>` (the timestamp header's value, a dot,
 * then the body bytes exactly as sent), HMAC-SHA256 with the shared secret, hex encoded:
 *
 *   X-WritebackWatch-Timestamp: 1764122400
 *   X-WritebackWatch-Signature: sha256=<hex>
 *
 * Signing the timestamp too means a captured request cannot be replayed later with a fresh timestamp; the
 * receiver rejects timestamps outside a tolerance (5 minutes by default). Compare in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-WritebackWatch-Signature';
export const TIMESTAMP_HEADER = 'X-WritebackWatch-Timestamp';
/** The alert id: the same on every retry, so a receiver can drop duplicates. */
export const DELIVERY_HEADER = 'X-WritebackWatch-Delivery';
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export function computeSignature(body: string | Uint8Array, timestamp: string, secret: string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`, 'utf8');
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `sha256=${hmac.digest('hex')}`;
}

/** The two signature headers for a body sent at `now`. */
export function signatureHeaders(body: string, secret: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: computeSignature(body, timestamp, secret) };
}

export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export type VerifyResult = { valid: true; timestamp: Date } | { valid: false; reason: string };

export interface VerifyOptions {
  now?: Date;
  /** How far the timestamp may be from `now`, either way. Default 5 minutes. */
  toleranceMs?: number;
}

/**
 * Checks a received webhook: `body` must be the raw bytes as received (not re-serialised JSON), `headers`
 * either a fetch Headers object or Node's lower-cased header record.
 */
export function verifySignature(body: string | Uint8Array, headers: HeaderBag, secret: string, options: VerifyOptions = {}): VerifyResult {
  const signature = header(headers, SIGNATURE_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  if (!signature) return { valid: false, reason: `missing ${SIGNATURE_HEADER} header` };
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: `missing or malformed ${TIMESTAMP_HEADER} header` };
  const sentAt = new Date(Number(timestamp) * 1000);
  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - sentAt.getTime()) > (options.toleranceMs ?? DEFAULT_TOLERANCE_MS)) {
    return { valid: false, reason: `${TIMESTAMP_HEADER} is outside the allowed clock difference (replayed or delayed request)` };
  }
  const expected = Buffer.from(computeSignature(body, timestamp, secret), 'utf8');
  const actual = Buffer.from(signature.trim(), 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { valid: false, reason: 'signature does not match the body and timestamp' };
  }
  return { valid: true, timestamp: sentAt };
}

function header(headers: HeaderBag, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = record[key];
    return Array.isArray(value) ? (value[0] ?? null) : ((value as string | undefined) ?? null);
  }
  return null;
}
