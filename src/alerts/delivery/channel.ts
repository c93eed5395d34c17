/** The one interface every alert channel implements, and the error a channel throws when sending fails. */
import type { StoredAlert } from '../alertStore';

export interface AlertChannel {
  /** Unique per deployment ("webhook", "teams", "email"); the key of the alert's delivery record. */
  readonly name: string;
  /** Sends one alert; throws DeliveryError (or any error, read as retryable) when it did not arrive. */
  send(alert: StoredAlert): Promise<void>;
}

export class DeliveryError extends Error {
  /** HTTP status, or null when no response came (network error, timeout). */
  readonly status: number | null;
  readonly retryable: boolean;
  /** From Retry-After, when the receiver sent one. */
  readonly retryAfterMs: number | null;
  constructor(message: string, options: { status?: number | null; retryable: boolean; retryAfterMs?: number | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.status = options.status ?? null;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** 408, 429 and 5xx are worth another attempt; any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
