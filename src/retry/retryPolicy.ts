/**
 * The one retry layer of the product: Graph requests, alert channels and the alert store all retry through
 * `withRetries`. The caller makes one attempt and judges its answer (success, or a failure saying whether it
 * is worth repeating and what Retry-After asked for); the policy decides whether and how long to wait.
 * Apart from the number of attempts, limits are strategies (the scan's shared wait budget, a longest
 * acceptable Retry-After), so each caller composes what it needs, as octokit composes throttling around
 * one request function. Time comes from an injected Clock, so tests never wait.
 */
import { systemClock, type Clock } from './clock';

/** Why one attempt did not succeed, as the caller judged it. Callers extend it with what they report. */
export interface AttemptFailure {
  /** False when the same request would fail the same way again (a 4xx that needs a fix, not time). */
  retryable: boolean;
  /** What the server asked to be waited (Retry-After), or null. */
  retryAfterMs: number | null;
}

export type Attempt<T, F extends AttemptFailure = AttemptFailure> = { ok: true; value: T } | { ok: false; failure: F };

/** Why the policy stopped retrying. */
export type GiveUp =
  | { reason: 'notRetryable' }
  | { reason: 'attemptsExhausted' }
  | { reason: 'retryAfterTooLong'; retryAfterMs: number; limitMs: number }
  | { reason: 'budgetExhausted'; delayMs: number; remainingMs: number };

export type RetryResult<T, F extends AttemptFailure = AttemptFailure> =
  | { ok: true; value: T; attempts: number; waitedMs: number }
  | { ok: false; failure: F; giveUp: GiveUp; attempts: number; waitedMs: number };

/** A limit beyond the number of attempts. Several may be combined; every one must allow a wait. */
export interface RetryStrategy {
  /** Why the wait must not happen, or null to allow it. */
  refuse(delayMs: number, failure: AttemptFailure): GiveUp | null;
  /** Called once every strategy allowed the wait, before it starts. */
  spend?(delayMs: number): void;
}

export interface RetryPolicy {
  /** Attempts per call, the first one included (at least 1). */
  readonly maxAttempts: number;
  /** First backoff when the server gives no Retry-After; doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * How a Retry-After combines with the backoff: `replacesBackoff` waits exactly what the server asked
   * (Graph's throttling guidance), `atLeastBackoff` waits the longer of the two (receivers that send a short
   * Retry-After under load still get the growing backoff).
   */
  readonly retryAfter: 'replacesBackoff' | 'atLeastBackoff';
  readonly strategies: readonly RetryStrategy[];
  readonly clock: Clock;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
}

export type RetryPolicyOptions = Pick<RetryPolicy, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'retryAfter'> &
  Partial<Pick<RetryPolicy, 'strategies' | 'clock' | 'random'>>;

export function retryPolicy(options: RetryPolicyOptions): RetryPolicy {
  return Object.freeze({
    maxAttempts: Math.max(1, options.maxAttempts),
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
    retryAfter: options.retryAfter,
    strategies: Object.freeze([...(options.strategies ?? [])]),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  });
}

/** Parses Retry-After: delta-seconds or an HTTP date (RFC 9110 10.2.3). Milliseconds, or null when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Exponential backoff with jitter between half and all of the step, so clients that failed together do not
 * retry together. `attempt` is the attempt that failed (1-based).
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + policy.random() * (step / 2));
}

/** The wait before the attempt after `attempt`, before strategies have their say. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | null): number {
  if (policy.retryAfter === 'replacesBackoff') return retryAfterMs ?? backoffDelay(attempt, policy);
  return Math.max(retryAfterMs ?? 0, backoffDelay(attempt, policy));
}

/**
 * Runs `attempt` until it succeeds or the policy gives up, and says which. Errors thrown by `attempt` are not
 * judged here: they propagate at once (an abort, or a failure the caller wants to surface as it is).
 */
export async function withRetries<T, F extends AttemptFailure>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<Attempt<T, F>>,
  options: { signal?: AbortSignal; onRetry?: (delayMs: number, failure: F) => void } = {},
): Promise<RetryResult<T, F>> {
  let waitedMs = 0;
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    const result = await attempt(attemptNumber);
    if (result.ok) return { ok: true, value: result.value, attempts: attemptNumber, waitedMs };
    const { failure } = result;
    const giveUp = (why: GiveUp): RetryResult<T, F> => ({ ok: false, failure, giveUp: why, attempts: attemptNumber, waitedMs });
    if (!failure.retryable) return giveUp({ reason: 'notRetryable' });
    if (attemptNumber >= policy.maxAttempts) return giveUp({ reason: 'attemptsExhausted' });
    const delay = retryDelay(policy, attemptNumber, failure.retryAfterMs);
    for (const strategy of policy.strategies) {
      const refusal = strategy.refuse(delay, failure);
      if (refusal) return giveUp(refusal);
    }
    for (const strategy of policy.strategies) strategy.spend?.(delay);
    waitedMs += delay;
    options.onRetry?.(delay, failure);
    if (delay > 0) await policy.clock.sleep(delay, options.signal);
  }
}
