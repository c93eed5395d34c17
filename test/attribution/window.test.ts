import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, auditWindow, queryableWindow, windowTiming } from '../../src/attribution/window';

const at = (iso: string): Date => new Date(iso);
const MIN = 60_000;

describe('audit window of a change between two scans', () => {
  const earlier = { startedAt: at('2026-03-01T02:00:00Z'), finishedAt: at('2026-03-01T02:40:00Z') };
  const later = { startedAt: at('2026-03-02T02:00:00Z'), finishedAt: at('2026-03-02T02:45:00Z') };

  it("runs from the earlier scan's start minus skew to the later scan's finish plus skew", () => {
    const window = auditWindow(earlier, later, at('2026-03-02T09:00:00Z'));
    expect(window.from.toISOString()).toBe('2026-03-01T01:55:00.000Z');
    expect(window.to.toISOString()).toBe('2026-03-02T02:50:00.000Z');
    expect(window.readBy).toEqual(later.finishedAt);
  });

  it('includes a change made while the later scan ran (after its start, before its finish)', () => {
    const window = auditWindow(earlier, later, at('2026-03-02T09:00:00Z'));
    const changeDuringLaterScan = at('2026-03-02T02:20:00Z').getTime();
    expect(changeDuringLaterScan).toBeGreaterThan(later.startedAt.getTime());
    expect(changeDuringLaterScan).toBeGreaterThanOrEqual(window.from.getTime());
    expect(changeDuringLaterScan).toBeLessThanOrEqual(window.to.getTime());
  });

  it('caps the end at now when the later scan just finished', () => {
    const now = at('2026-03-02T02:46:00Z');
    const window = auditWindow(earlier, later, now);
    expect(window.to).toEqual(now);
    expect(window.to.getTime() - later.finishedAt.getTime()).toBeLessThan(CLOCK_SKEW_MS);
  });

  it('is young within the latency grace and ages out past the retention', () => {
    const window = auditWindow(earlier, later, at('2026-03-02T02:50:00Z'));
    expect(windowTiming(window, at('2026-03-02T03:10:00Z'), { retentionDays: 30, latencyGraceMs: 30 * MIN }).young).toBe(true);
    expect(windowTiming(window, at('2026-03-02T03:21:00Z'), { retentionDays: 30, latencyGraceMs: 30 * MIN }).young).toBe(false);
    const sevenDaysOn = windowTiming(window, at('2026-03-08T03:00:00Z'), { retentionDays: 7, latencyGraceMs: 30 * MIN });
    expect(sevenDaysOn).toEqual({ fullyAgedOut: false, partlyAgedOut: true, young: false });
    expect(windowTiming(window, at('2026-03-10T03:00:00Z'), { retentionDays: 7, latencyGraceMs: 30 * MIN }).fullyAgedOut).toBe(true);
    const part = queryableWindow(window, at('2026-03-08T03:00:00Z'), 7);
    expect(part.from.toISOString()).toBe('2026-03-01T03:00:00.000Z');
  });
});
