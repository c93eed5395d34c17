/**
 * Fault injection for `/beta/*` requests: throttling (429), unavailability (503), dropped connections
 * and truncated bodies. Random faults come from a seeded generator, so the same request sequence
 * meets the same faults on every run; scripted faults ("fail the next N requests") come first.
 * Graph sends `Retry-After` in seconds with 429 and may with 503 (Graph throttling guidance, errors page).
 */
import { EmulatorError } from './errors';
import { createRng, type Rng } from './random';

export interface FaultSettings {
  /** Probability per request of a 429 Too Many Requests. */
  rate429: number;
  /** Probability per request of a 503 Service Unavailable. */
  rate503: number;
  /** Probability per request that the connection is destroyed without any response. */
  rateDrop: number;
  /** Probability per request that the body is cut off after half of its declared Content-Length. */
  rateTruncate: number;
  /** Retry-After seconds sent with 429 and 503. */
  retryAfterSeconds: number;
  /** Seed of the random fault sequence; setting it restarts the sequence. */
  seed: number;
}

export type FaultDecision =
  | { kind: 'status'; status: number; retryAfterSeconds: number | null; scripted: boolean }
  | { kind: 'drop'; scripted: boolean }
  | { kind: 'truncate'; scripted: boolean };

/** A scripted fault: an HTTP status (429, 503, 504, 500...), or a dropped / truncated response. */
export interface ScriptedFault {
  status?: number;
  fault?: 'drop' | 'truncate';
  /** Retry-After to send; defaults to the configured retryAfterSeconds for 429/503/504, none otherwise. */
  retryAfterSeconds?: number | null;
}

const DEFAULTS: FaultSettings = { rate429: 0, rate503: 0, rateDrop: 0, rateTruncate: 0, retryAfterSeconds: 1, seed: 1 };
const RETRY_AFTER_STATUSES = new Set([429, 503, 504]);

function checkRate(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new EmulatorError('InvalidInput', `Fault setting ${name} must be a number from 0 to 1, got ${value}.`, { setting: name });
  }
}

export class FaultInjector {
  private current: FaultSettings;
  private rng: Rng;
  private readonly script: (ScriptedFault & { remaining: number })[] = [];
  private always: ScriptedFault | null = null;

  constructor(settings: Partial<FaultSettings> = {}) {
    this.current = { ...DEFAULTS };
    this.rng = createRng(DEFAULTS.seed);
    this.set(settings);
  }

  get settings(): Readonly<FaultSettings> {
    return { ...this.current };
  }

  /** Changes some settings; a given `seed` restarts the random sequence. */
  set(settings: Partial<FaultSettings>): void {
    const next = { ...this.current };
    for (const key of Object.keys(settings) as (keyof FaultSettings)[]) {
      const value = settings[key];
      if (value === undefined) continue;
      if (key.startsWith('rate')) checkRate(key, value);
      else if (!Number.isFinite(value) || value < 0) {
        throw new EmulatorError('InvalidInput', `Fault setting ${key} must be a non-negative number, got ${value}.`, { setting: key });
      }
      next[key] = value;
    }
    const total = next.rate429 + next.rate503 + next.rateDrop + next.rateTruncate;
    if (total > 1 + 1e-9) {
      throw new EmulatorError('InvalidInput', `Fault rates add up to ${total}; their sum must not exceed 1.`);
    }
    this.current = next;
    if (settings.seed !== undefined) this.rng = createRng(settings.seed);
  }

  /** Fails the next `count` requests with the given fault (queued after earlier scripts). */
  failNext(count: number, fault: ScriptedFault = { status: 429 }): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new EmulatorError('InvalidInput', `failNext needs a positive whole count, got ${count}.`);
    }
    this.script.push({ ...checkedFault(fault), remaining: count });
  }

  /** Fails every request with the given fault until clear(). */
  failAlways(fault: ScriptedFault = { status: 503 }): void {
    this.always = checkedFault(fault);
  }

  /** Removes scripted faults and sets every random rate to 0 (seed and Retry-After are kept). */
  clear(): void {
    this.script.length = 0;
    this.always = null;
    this.current = { ...this.current, rate429: 0, rate503: 0, rateDrop: 0, rateTruncate: 0 };
  }

  /** Scripted faults still queued (for stats and tests). */
  pendingScripted(): number {
    return this.script.reduce((sum, s) => sum + s.remaining, 0);
  }

  /** Decides the fault for one request, or null. Consumes one random draw when any rate is set. */
  decide(): FaultDecision | null {
    const scripted = this.script[0];
    if (scripted) {
      scripted.remaining--;
      if (scripted.remaining <= 0) this.script.shift();
      return this.toDecision(scripted, true);
    }
    if (this.always) return this.toDecision(this.always, true);
    const { rate429, rate503, rateDrop, rateTruncate, retryAfterSeconds } = this.current;
    if (rate429 + rate503 + rateDrop + rateTruncate === 0) return null;
    const roll = this.rng.next();
    if (roll < rateDrop) return { kind: 'drop', scripted: false };
    if (roll < rateDrop + rateTruncate) return { kind: 'truncate', scripted: false };
    if (roll < rateDrop + rateTruncate + rate429) return { kind: 'status', status: 429, retryAfterSeconds, scripted: false };
    if (roll < rateDrop + rateTruncate + rate429 + rate503) {
      return { kind: 'status', status: 503, retryAfterSeconds, scripted: false };
    }
    return null;
  }

  private toDecision(fault: ScriptedFault, scripted: boolean): FaultDecision {
    if (fault.fault === 'drop') return { kind: 'drop', scripted };
    if (fault.fault === 'truncate') return { kind: 'truncate', scripted };
    const status = fault.status ?? 429;
    const retryAfterSeconds =
      fault.retryAfterSeconds !== undefined
        ? fault.retryAfterSeconds
        : RETRY_AFTER_STATUSES.has(status)
          ? this.current.retryAfterSeconds
          : null;
    return { kind: 'status', status, retryAfterSeconds, scripted };
  }
}

function checkedFault(fault: ScriptedFault): ScriptedFault {
  if (fault.fault !== undefined && fault.fault !== 'drop' && fault.fault !== 'truncate') {
    throw new EmulatorError('InvalidInput', `Unknown fault "${String(fault.fault)}"; use "drop" or "truncate".`);
  }
  if (fault.fault === undefined) {
    const status = fault.status ?? 429;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new EmulatorError('InvalidInput', `A scripted fault status must be 400-599, got ${String(fault.status)}.`);
    }
  }
  const retry = fault.retryAfterSeconds;
  if (retry !== undefined && retry !== null && (!Number.isFinite(retry) || retry < 0)) {
    throw new EmulatorError('InvalidInput', `retryAfterSeconds must be a non-negative number, got ${retry}.`);
  }
  return { ...fault };
}
