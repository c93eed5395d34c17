/**
 * Retry decisions for Graph requests, kept apart from the transport (as octokit keeps throttling apart from
 * paging) so the policy can be tested without waiting. Graph answers throttling with 429 (and sometimes 503/504)
 * plus Retry-After in seconds; network drops and cut-off bodies are retried with exponential backoff.
 * One scan shares one RetryBudget: once the total wait would pass it, the scan fails instead of hanging.
 */
import { WritebackWatchError } from '../errors';

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export interface RetryPolicyOptions {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** Total milliseconds of waiting allowed across all requests of one budget. */
  budgetMs: number;
  /** First backoff when the server gives no Retry-After. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** Parses Retry-After: delta-seconds or an HTTP date. Returns milliseconds, or null when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with full jitter, capped. `attempt` starts at 1 for the first retry. */
export function backoffDelay(attempt: number, options: RetryPolicyOptions): number {
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class RetryBudget {
  private spentMs = 0;
  retries = 0;
  constructor(readonly options: RetryPolicyOptions) {}

  get remainingMs(): number {
    return Math.max(0, this.options.budgetMs - this.spentMs);
  }

  /**
   * Decides the wait before the next attempt, or throws when attempts or budget are spent.
   * @param attempt the attempt that just failed (1-based)
   */
  nextDelay(attempt: number, retryAfterMs: number | null, what: string, lastProblem: string): number {
    if (attempt >= this.options.maxAttempts) {
      throw new WritebackWatchError(
        'GraphRetryBudgetExhausted',
        `${what} failed ${attempt} times (last: ${lastProblem}). Graph may be throttling this app or unavailable; ` +
          'the scan stops here and the next scheduled run starts over. Raise GRAPH_MAX_ATTEMPTS if this repeats.',
        { attempts: attempt, lastProblem },
      );
    }
    const delay = retryAfterMs ?? backoffDelay(attempt, this.options);
    if (delay > this.remainingMs) {
      throw new WritebackWatchError(
        'GraphRetryBudgetExhausted',
        `${what} needs another ${Math.ceil(delay / 1000)} s of waiting (last: ${lastProblem}), more than the ` +
          `${Math.ceil(this.remainingMs / 1000)} s left of GRAPH_RETRY_BUDGET_SECONDS. The scan stops here; ` +
          'raise the budget or run the scan outside busy hours.',
        { retryAfterMs: delay, remainingMs: this.remainingMs, lastProblem },
      );
    }
    this.spentMs += delay;
    this.retries += 1;
    return delay;
  }
}
