/**
 * A client-side pacer for APIs with a small request quota of their own. Graph's identity and access reports
 * (directoryAudits among them) allow about 5 requests per 10 seconds per app and tenant, far below the
 * directory quota the group scan uses; spacing the requests out costs seconds, while a 429 costs its Retry-After.
 */
import { systemClock, type Clock } from '../retry/clock';

export interface PacerOptions {
  /** Requests allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
  clock?: Clock;
}

export class RequestPacer {
  private readonly clock: Clock;
  /** Start times of the most recent requests, oldest first (at most `limit`). */
  private readonly starts: number[] = [];
  /** Milliseconds spent waiting, for the stage's log line. */
  waitedMs = 0;

  constructor(private readonly options: PacerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Resolves when one more request fits in the window, and counts it as started. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.starts.length >= this.options.limit) {
      const wait = this.starts[0]! + this.options.windowMs - this.clock.now();
      if (wait > 0) {
        this.waitedMs += wait;
        await this.clock.sleep(wait, signal);
      }
      this.starts.shift();
    }
    this.starts.push(this.clock.now());
  }
}

/** Graph's published limit for the identity and access reports: 5 requests per 10 s per app and tenant. */
export const AUDIT_LOG_QUOTA = { limit: 5, windowMs: 10_000 } as const;
