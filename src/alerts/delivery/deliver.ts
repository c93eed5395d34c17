/**
 * Sends one alert to every channel, each with its own retries, all at once: a slow or broken channel
 * neither delays nor blocks the others, and nothing here throws into the scan. The outcome per channel is
 * what the alert store records. Retries go through the product's retry policy; sleep and clock are injected
 * (octokit-throttling style) so tests never wait.
 */
import { errorMessage } from '../../errors';
import { retryPolicy, withRetries, type AttemptFailure, type GiveUp, type RetryPolicy } from '../../retry/retryPolicy';
import { retryAfterLimit } from '../../retry/strategies';
import type { StoredAlert } from '../alertStore';
import { DeliveryError, type AlertChannel } from './channel';

export interface DeliveryOptions {
  /** Attempts per channel, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff without Retry-After. Default 2 s, doubling per attempt. */
  baseDelayMs?: number;
  /** Cap of one backoff. Default 60 s. */
  maxDelayMs?: number;
  /** A Retry-After longer than this gives up instead of holding the scan. Default 5 min. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

export interface ChannelOutcome {
  channel: string;
  status: 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  /** Milliseconds spent waiting between attempts. */
  waitedMs: number;
  at: Date;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delivery policy: backoff from 2 s (at most 60 s), a receiver's Retry-After waited at least, and one
 * longer than `maxRetryAfterMs` gives up rather than holding the scan.
 */
export function deliveryRetryPolicy(options: DeliveryOptions = {}): RetryPolicy {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => new Date());
  return retryPolicy({
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 2_000,
    maxDelayMs: options.maxDelayMs ?? 60_000,
    retryAfter: 'atLeastBackoff',
    strategies: [retryAfterLimit(options.maxRetryAfterMs ?? 300_000)],
    clock: { now: () => now().getTime(), sleep: (ms) => sleep(ms) },
    random: options.random,
  });
}

interface SendFailure extends AttemptFailure {
  message: string;
}

export async function deliverAlert(alert: StoredAlert, channels: readonly AlertChannel[], options: DeliveryOptions = {}): Promise<ChannelOutcome[]> {
  const policy = deliveryRetryPolicy(options);
  return Promise.all(channels.map((channel) => deliverToChannel(alert, channel, policy, options.now ?? (() => new Date()))));
}

async function deliverToChannel(alert: StoredAlert, channel: AlertChannel, policy: RetryPolicy, now: () => Date): Promise<ChannelOutcome> {
  const result = await withRetries<void, SendFailure>(policy, async () => {
    try {
      await channel.send(alert);
      return { ok: true, value: undefined };
    } catch (error) {
      // Anything but a DeliveryError is unexpected; it is retried like a network error.
      const delivery = error instanceof DeliveryError ? error : null;
      return { ok: false, failure: { retryable: delivery?.retryable ?? true, retryAfterMs: delivery?.retryAfterMs ?? null, message: errorMessage(error).slice(0, 1_000) } };
    }
  });
  const { attempts, waitedMs } = result;
  if (result.ok) return { channel: channel.name, status: 'delivered', attempts, lastError: null, waitedMs, at: now() };
  return { channel: channel.name, status: 'failed', attempts, lastError: `${result.failure.message} (${whyGivenUp(result.giveUp, attempts)})`, waitedMs, at: now() };
}

function whyGivenUp(giveUp: GiveUp, attempts: number): string {
  switch (giveUp.reason) {
    case 'notRetryable':
      return 'not retried: the receiver rejected the request';
    case 'retryAfterTooLong':
      return `Retry-After of ${Math.ceil(giveUp.retryAfterMs / 1000)} s is longer than the ${Math.ceil(giveUp.limitMs / 1000)} s the alert stage waits`;
    default:
      return `gave up after ${attempts} attempts`;
  }
}
