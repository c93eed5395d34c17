/**
 * The audit window of a change between two scans, and what the audit log can still say about it. Pure.
 *
 * A change to a group happened after the earlier scan read the group and before the later scan read it. Read
 * times lie inside each scan's run, so the tight bound is (earlier scan's start, later scan's finish]: a change
 * made while the later scan ran, before it reached the group, is already in its snapshot. A few minutes of
 * skew are added on both sides (the directory's clock and ours), and the end is capped at now.
 */

export const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export interface ScanTimes {
  startedAt: Date;
  finishedAt: Date | null;
}

export interface AuditWindow {
  from: Date;
  to: Date;
  /** When the later scan had read every group: the headline event is the latest one not after this. */
  readBy: Date;
}

export function auditWindow(fromScan: ScanTimes, toScan: ScanTimes, now: Date): AuditWindow {
  const readBy = toScan.finishedAt ?? now;
  const from = new Date(fromScan.startedAt.getTime() - CLOCK_SKEW_MS);
  const to = new Date(Math.min(now.getTime(), readBy.getTime() + CLOCK_SKEW_MS));
  return { from, to, readBy };
}

export interface WindowTiming {
  /** The whole window is older than the audit retention: nothing can be found any more. */
  fullyAgedOut: boolean;
  /** The window starts before the retention horizon: its oldest part is gone. */
  partlyAgedOut: boolean;
  /** The window ends within the latency grace: events of its last part may not be queryable yet. */
  young: boolean;
}

export function windowTiming(window: { from: Date; to: Date }, now: Date, options: { retentionDays: number; latencyGraceMs: number }): WindowTiming {
  const horizon = now.getTime() - options.retentionDays * DAY_MS;
  return {
    fullyAgedOut: window.to.getTime() < horizon,
    partlyAgedOut: window.from.getTime() < horizon,
    young: window.to.getTime() > now.getTime() - options.latencyGraceMs,
  };
}

/** The part of the window the audit log still holds (from the retention horizon on). */
export function queryableWindow(window: { from: Date; to: Date }, now: Date, retentionDays: number): { from: Date; to: Date } {
  const horizon = now.getTime() - retentionDays * DAY_MS;
  return { from: new Date(Math.max(window.from.getTime(), horizon)), to: window.to };
}
