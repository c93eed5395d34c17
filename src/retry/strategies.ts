/** Limits a RetryPolicy can combine beyond its number of attempts. */
import type { AttemptFailure, GiveUp, RetryStrategy } from './retryPolicy';

/**
 * A wait budget shared by every call that holds it: one scan shares one, so once the total wait (backoff
 * and Retry-After alike) would pass it, the scan fails instead of hanging on a throttled tenant.
 */
export class RetryBudget implements RetryStrategy {
  private spentMs = 0;

  constructor(readonly budgetMs: number) {}

  get remainingMs(): number {
    return Math.max(0, this.budgetMs - this.spentMs);
  }

  refuse(delayMs: number): GiveUp | null {
    return delayMs > this.remainingMs ? { reason: 'budgetExhausted', delayMs, remainingMs: this.remainingMs } : null;
  }

  spend(delayMs: number): void {
    this.spentMs += delayMs;
  }
}

/** Gives up when the server asks for a longer wait than the caller can afford to hold its work for. */
export function retryAfterLimit(limitMs: number): RetryStrategy {
  return {
    refuse: (_delayMs: number, failure: AttemptFailure): GiveUp | null =>
      failure.retryAfterMs !== null && failure.retryAfterMs > limitMs ? { reason: 'retryAfterTooLong', retryAfterMs: failure.retryAfterMs, limitMs } : null,
  };
}
