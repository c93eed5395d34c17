import { describe, expect, it } from 'vitest';
import { chooseScanMode, type DeltaPolicy } from '../../src/scan/scanMode';
import { newScanRecord, type StoredScan } from '../../src/store/scanStore';

const HOUR = 3_600_000;
const now = new Date('2026-11-26T02:00:00Z');
const policy: DeltaPolicy = { deltaEnabled: true, deltaMaxTokenAgeMs: 144 * HOUR, fullScanIntervalMs: 7 * 24 * HOUR };

function scan(overrides: Partial<StoredScan> = {}): StoredScan {
  const started = new Date(now.getTime() - 24 * HOUR);
  return {
    ...newScanRecord({ id: '20261125T020000Z-abcdef', tenantId: 't', trigger: 'timer', startedAt: started, mode: 'full', baseScanId: null, fullScanAt: started }),
    status: 'complete',
    finishedAt: new Date(now.getTime() - 23 * HOUR),
    pages: 1,
    deltaLink: 'https://graph.microsoft.com/beta/groups/delta?$deltatoken=x',
    deltaLinkAt: started,
    ...overrides,
  };
}

describe('choosing a full or a delta scan', () => {
  it('uses delta when a recent token and a recent full scan exist', () => {
    const base = scan();
    expect(chooseScanMode(policy, base, now)).toMatchObject({ mode: 'delta', base });
  });

  it.each([
    ['delta is off', { ...policy, deltaEnabled: false }, scan(), /DELTA_ENABLED is off/],
    ['there is no complete scan', policy, null, /no complete scan/],
    ['the base left no token', policy, scan({ deltaLink: null, deltaLinkAt: null }), /left no delta token/],
    ['the token is too old', policy, scan({ deltaLinkAt: new Date(now.getTime() - 145 * HOUR) }), /145 h old, more than DELTA_MAX_TOKEN_AGE_HOURS \(144 h\)/],
    ['the last full scan is a week old', policy, scan({ fullScanAt: new Date(now.getTime() - 7 * 24 * HOUR) }), /FULL_SCAN_INTERVAL_DAYS \(7 d\)/],
    ['the full scan time is unknown', policy, scan({ fullScanAt: null }), /FULL_SCAN_INTERVAL_DAYS/],
  ] as const)('runs a full scan when %s', (_name, p, base, reason) => {
    const decision = chooseScanMode(p, base, now);
    expect(decision.mode).toBe('full');
    expect(decision.reason).toMatch(reason);
  });
});
