import { describe, expect, it } from 'vitest';
import { assertScanId, newScanId, scanIdFromRowKey, scanIdTime, scanRowKey, snapshotTableName } from '../../src/store/scanIds';

describe('scan ids', () => {
  const now = new Date('2026-11-26T02:00:00.750Z');

  it('name the second the scan started', () => {
    const id = newScanId(now);
    expect(id).toMatch(/^20261126T020000Z-[0-9a-f]{6}$/);
    expect(scanIdTime(id).toISOString()).toBe('2026-11-26T02:00:00.000Z');
  });

  it('sort after the tenant\'s newest scan even when started within the same second', () => {
    const first = newScanId(now);
    const second = newScanId(now, first);
    const third = newScanId(new Date('2026-11-26T02:00:00.100Z'), second);
    expect(second.slice(0, 16)).toBe('20261126T020001Z');
    expect(third.slice(0, 16)).toBe('20261126T020002Z');
    expect([third, first, second].sort()).toEqual([first, second, third]);
    expect([first, second, third].map(scanRowKey).sort().map(scanIdFromRowKey)).toEqual([third, second, first]);
  });

  it('keep the clock\'s time when the newest scan is older', () => {
    expect(newScanId(now, '20261125T020000Z-abcdef').slice(0, 16)).toBe('20261126T020000Z');
  });

  it('round-trip through the inverted row key and name a valid table', () => {
    const id = '20261126T020000Z-3fa9c1';
    expect(scanIdFromRowKey(scanRowKey(id))).toBe(id);
    expect(snapshotTableName(id)).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
  });

  it('reject anything else with a message that shows the expected shape', () => {
    expect(() => assertScanId("20261126T020000Z-abcdef' or '1' eq '1")).toThrow(/Scan ids look like 20261126T020000Z-3fa9c1/);
  });
});
