/**
 * Full scan or delta? A pure decision. Delta applies Graph's changes since the newest complete scan to that
 * scan's snapshot, which is only as good as Graph's change tracking: whether writebackConfiguration changes
 * are tracked is not documented, so a full scan still runs every FULL_SCAN_INTERVAL_DAYS and whenever the
 * token is missing or too old.
 */
import type { StoredScan } from '../store/scanStore';

export interface DeltaPolicy {
  deltaEnabled: boolean;
  deltaMaxTokenAgeMs: number;
  fullScanIntervalMs: number;
}

export type ScanModeDecision = { mode: 'full'; reason: string } | { mode: 'delta'; base: StoredScan; reason: string };

export function chooseScanMode(policy: DeltaPolicy, newestComplete: StoredScan | null, now: Date): ScanModeDecision {
  const full = (reason: string): ScanModeDecision => ({ mode: 'full', reason });
  if (!policy.deltaEnabled) return full('DELTA_ENABLED is off');
  if (!newestComplete) return full('no complete scan to start from');
  if (!newestComplete.deltaLink || !newestComplete.deltaLinkAt) return full(`scan ${newestComplete.id} left no delta token`);
  const tokenAge = now.getTime() - newestComplete.deltaLinkAt.getTime();
  if (tokenAge > policy.deltaMaxTokenAgeMs) {
    return full(`the delta token is ${hours(tokenAge)} h old, more than DELTA_MAX_TOKEN_AGE_HOURS (${hours(policy.deltaMaxTokenAgeMs)} h)`);
  }
  const lastFull = newestComplete.fullScanAt;
  if (!lastFull || now.getTime() - lastFull.getTime() >= policy.fullScanIntervalMs) {
    return full(`the last full scan is older than FULL_SCAN_INTERVAL_DAYS (${policy.fullScanIntervalMs / 86_400_000} d)`);
  }
  return { mode: 'delta', base: newestComplete, reason: `changes since scan ${newestComplete.id}` };
}

const hours = (ms: number): string => (ms / 3_600_000).toFixed(ms < 36_000_000 ? 1 : 0);
