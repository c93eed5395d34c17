/**
 * The retry policy on its own, with an injected clock: every wait is recorded instead of slept, so these
 * tests check the decisions (how long, how often, when to stop) without waiting.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/retry/clock';
import { backoffDelay, parseRetryAfter, retryPolicy, withRetries, type Attempt, type AttemptFailure, type RetryPolicyOptions } from '../../src/retry/retryPolicy';
import { RetryBudget, retryAfterLimit } from '../../src/retry/strategies';

const NOW = Date.parse('2026-11-26T02:00:00Z');

function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => NOW + slept.reduce((a, b) => a + b, 0), sleep: async (ms) => void slept.push(ms) };
}

/** An operation that fails with the given failures in turn, then succeeds with its attempt number. */
function failing(...failures: AttemptFailure[]) {
  let calls = 0;
  const attempt = async (n: number): Promise<Attempt<number>> => {
    calls += 1;
    const failure = failures[n - 1];
    return failure ? { ok: false, failure } : { ok: true, value: n };
  };
  return { attempt, calls: () => calls };
}

const transient = (retryAfterMs: number | null = null): AttemptFailure => ({ retryable: true, retryAfterMs });
const GRAPH_LIKE: RetryPolicyOptions = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, retryAfter: 'replacesBackoff' };

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, relative to the given now', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7_000);
    expect(parseRetryAfter(' 1.5 ', NOW)).toBe(1_500);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    // A date already past means "now", never a negative wait.
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    for (const value of [null, undefined, '', 'soon', 'in a minute']) expect(parseRetryAfter(value, NOW), String(value)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, jittered between half and all of the step', () => {
    const low = { baseDelayMs: 1_000, maxDelayMs: 30_000, random: () => 0 };
    const high = { ...low, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, low))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect([1, 2, 3, 6].map((a) => backoffDelay(a, high))).toEqual([1_000, 2_000, 4_000, 30_000]);
  });
});

describe('withRetries', () => {
  it('waits exactly the Retry-After when it replaces the backoff, and backs off without one', async () => {
    const clock = recordingClock();
    const op = failing(transient(7_000), transient(), transient(0));
    const result = await withRetries(retryPolicy({ ...GRAPH_LIKE, clock, random: () => 0 }), op.attempt);
    expect(result).toEqual({ ok: true, value: 4, attempts: 4, waitedMs: 8_000 });
    // A zero wait is not slept at all.
    expect(clock.slept).toEqual([7_000, 1_000]);
  });

  it('waits the longer of Retry-After and backoff when the Retry-After is a minimum', async () => {
    const clock = recordingClock();
    const op = failing(transient(7_000), transient(1_000), transient());
    const policy = retryPolicy({ maxAttempts: 4, baseDelayMs: 2_000, maxDelayMs: 60_000, retryAfter: 'atLeastBackoff', clock, random: () => 0 });
    const result = await withRetries(policy, op.attempt);
    expect(result.ok).toBe(true);
    expect(clock.slept).toEqual([7_000, 2_000, 4_000]);
  });

  it('gives up after maxAttempts without a last wait, and never retries what is not retryable', async () => {
    const clock = recordingClock();
    const exhausted = failing(transient(), transient(), transient());
    const result = await withRetries(retryPolicy({ ...GRAPH_LIKE, maxAttempts: 3, clock, random: () => 0 }), exhausted.attempt);
    expect(result).toMatchObject({ ok: false, giveUp: { reason: 'attemptsExhausted' }, attempts: 3, waitedMs: 1_500 });
    expect(exhausted.calls()).toBe(3);
    expect(clock.slept).toEqual([500, 1_000]);

    const rejected = failing({ retryable: false, retryAfterMs: 5_000 });
    const refused = await withRetries(retryPolicy({ ...GRAPH_LIKE, clock }), rejected.attempt);
    expect(refused).toMatchObject({ ok: false, giveUp: { reason: 'notRetryable' }, attempts: 1, waitedMs: 0 });
    expect(clock.slept).toEqual([500, 1_000]);
  });

  it('makes one attempt when maxAttempts is below one', async () => {
    const op = failing(transient());
    const result = await withRetries(retryPolicy({ ...GRAPH_LIKE, maxAttempts: 0, clock: recordingClock() }), op.attempt);
    expect(result).toMatchObject({ ok: false, giveUp: { reason: 'attemptsExhausted' }, attempts: 1 });
  });

  it('shares one RetryBudget across calls and refuses the wait that would pass it', async () => {
    const clock = recordingClock();
    const budget = new RetryBudget(10_000);
    const policy = retryPolicy({ ...GRAPH_LIKE, strategies: [budget], clock });
    expect((await withRetries(policy, failing(transient(6_000)).attempt)).ok).toBe(true);
    expect(budget.remainingMs).toBe(4_000);
    const second = await withRetries(policy, failing(transient(3_000), transient(3_000)).attempt);
    expect(second).toMatchObject({ ok: false, giveUp: { reason: 'budgetExhausted', delayMs: 3_000, remainingMs: 1_000 }, attempts: 2, waitedMs: 3_000 });
    expect(clock.slept).toEqual([6_000, 3_000]);
    expect(budget.remainingMs).toBe(1_000);
  });

  it('gives up on a Retry-After beyond the limit, and only a refused wait is not spent from the budget', async () => {
    const clock = recordingClock();
    const budget = new RetryBudget(60_000);
    const policy = retryPolicy({ ...GRAPH_LIKE, strategies: [budget, retryAfterLimit(30_000)], clock });
    const result = await withRetries(policy, failing(transient(3_600_000)).attempt);
    expect(result).toMatchObject({ ok: false, giveUp: { reason: 'budgetExhausted' } });
    const limited = retryPolicy({ ...GRAPH_LIKE, strategies: [retryAfterLimit(30_000), budget], clock });
    expect(await withRetries(limited, failing(transient(45_000)).attempt)).toMatchObject({
      ok: false,
      giveUp: { reason: 'retryAfterTooLong', retryAfterMs: 45_000, limitMs: 30_000 },
    });
    expect(budget.remainingMs).toBe(60_000);
    expect(clock.slept).toEqual([]);
  });

  it('reports each wait before it starts, and lets errors thrown by the attempt through', async () => {
    const seen: number[] = [];
    const clock = recordingClock();
    await withRetries(retryPolicy({ ...GRAPH_LIKE, clock }), failing(transient(2_000), transient(3_000)).attempt, { onRetry: (ms) => seen.push(ms) });
    expect(seen).toEqual([2_000, 3_000]);

    const boom = new Error('not a judged failure');
    await expect(withRetries(retryPolicy({ ...GRAPH_LIKE, clock }), async () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('stops waiting when the signal aborts during a wait', async () => {
    const controller = new AbortController();
    const clock: Clock = {
      now: () => NOW,
      sleep: async (_ms, signal) => {
        controller.abort(new Error('scan stopped'));
        signal?.throwIfAborted();
      },
    };
    const op = failing(transient(1_000));
    await expect(withRetries(retryPolicy({ ...GRAPH_LIKE, clock }), op.attempt, { signal: controller.signal })).rejects.toThrow('scan stopped');
    expect(op.calls()).toBe(1);
  });
});
