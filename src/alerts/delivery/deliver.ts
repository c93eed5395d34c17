/**
 * Sends one alert to every channel, each with its own retries, all at once: a slow or broken channel
 * neither delays nor blocks the others, and nothing here throws into the scan. The outcome per channel is
 * what the alert store records. Sleep and clock are injected (octokit-throttling style) so tests never wait.
 */
import { errorMessage } from '../../errors';
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

export async function deliverAlert(alert: StoredAlert, channels: readonly AlertChannel[], options: DeliveryOptions = {}): Promise<ChannelOutcome[]> {
  return Promise.all(channels.map((channel) => deliverToChannel(alert, channel, options)));
}

async function deliverToChannel(alert: StoredAlert, channel: AlertChannel, options: DeliveryOptions): Promise<ChannelOutcome> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => new Date());
  let waitedMs = 0;
  let lastError: string | null = null;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await channel.send(alert);
      return { channel: channel.name, status: 'delivered', attempts: attempt, lastError: null, waitedMs, at: now() };
    } catch (error) {
      lastError = errorMessage(error).slice(0, 1_000);
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : null;
      const fail = (why: string | null): ChannelOutcome => ({
        channel: channel.name,
        status: 'failed',
        attempts: attempt,
        lastError: why ? `${lastError} (${why})` : lastError,
        waitedMs,
        at: now(),
      });
      if (!retryable) return fail('not retried: the receiver rejected the request');
      if (attempt >= maxAttempts) return fail(`gave up after ${attempt} attempts`);
      const maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
      if (retryAfterMs !== null && retryAfterMs > maxRetryAfterMs) {
        return fail(`Retry-After of ${Math.ceil(retryAfterMs / 1000)} s is longer than the ${Math.ceil(maxRetryAfterMs / 1000)} s the alert stage waits`);
      }
      const delay = Math.max(retryAfterMs ?? 0, backoff(attempt, options));
      waitedMs += delay;
      await sleep(delay);
    }
  }
}

/** Exponential backoff with jitter between half and all of the step. `attempt` is the one that failed. */
export function backoff(attempt: number, options: DeliveryOptions = {}): number {
  const base = options.baseDelayMs ?? 2_000;
  const cap = options.maxDelayMs ?? 60_000;
  const step = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(step / 2 + (options.random ?? Math.random)() * (step / 2));
}
