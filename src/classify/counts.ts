/**
 * Scan totals, accumulated one group at a time while groups stream past, so a scan never holds all groups
 * to count them.
 */
import type { ClassifiedGroup, GroupKind, ScanCounts, WritebackEngine } from '../model';
import { decideConnectSyncV1 } from './engines/connectSyncV1';
import { writesBack } from './engines/combine';
import { severityOf } from './findings';
import { BUCKETS, GROUP_KINDS, SEVERITIES, isWrittenBackBucket } from './vocabulary';

/** Zeroed totals; `engines` records what the verdicts assume (and, with v2 assumed, starts the v1 fallback count). */
export function emptyCounts(engines?: readonly WritebackEngine[]): ScanCounts {
  const counts: ScanCounts = {
    total: 0,
    byBucket: zeroed(BUCKETS),
    byKind: zeroedKinds(),
    byBucketAndKind: Object.fromEntries(BUCKETS.map((bucket) => [bucket, zeroedKinds()])) as ScanCounts['byBucketAndKind'],
    byFinding: {},
    bySeverity: zeroed(SEVERITIES),
  };
  if (engines !== undefined) {
    counts.engines = [...engines];
    if (engines.includes('connectSyncV2')) counts.newlyWrittenBackUnderV1 = 0;
  }
  return counts;
}

/**
 * Not written back now, but Connect Sync would write it back after falling back to v1 (disabling v2): every
 * cloud Microsoft 365 group the v2 rules leave out. Cloud Sync's verdict does not depend on the Connect Sync
 * version, so the combined bucket changes exactly when v1 writes the group back.
 */
export function newlyWrittenBackUnderV1(group: ClassifiedGroup): boolean {
  return group.engines.connectSyncV2 !== undefined && !isWrittenBackBucket(group.bucket) && writesBack(decideConnectSyncV1(group));
}

/** Adds one group to `counts` in place. `bySeverity` counts findings, not groups (a group can raise several). */
export function addToCounts(counts: ScanCounts, group: ClassifiedGroup): void {
  tally(counts, group, 1);
}

/** Takes one group out of `counts` in place (a delta scan adjusting its base scan's totals). */
export function removeFromCounts(counts: ScanCounts, group: ClassifiedGroup): void {
  tally(counts, group, -1);
}

export function cloneCounts(counts: ScanCounts): ScanCounts {
  return JSON.parse(JSON.stringify(counts)) as ScanCounts;
}

function tally(counts: ScanCounts, group: ClassifiedGroup, step: 1 | -1): void {
  counts.total += step;
  counts.byBucket[group.bucket] += step;
  counts.byKind[group.kind] += step;
  counts.byBucketAndKind[group.bucket][group.kind] += step;
  if (counts.newlyWrittenBackUnderV1 !== undefined && newlyWrittenBackUnderV1(group)) counts.newlyWrittenBackUnderV1 += step;
  for (const id of group.findings) {
    const next = (counts.byFinding[id] ?? 0) + step;
    // A finding no group has is absent, as in counts made from scratch.
    if (next === 0) delete counts.byFinding[id];
    else counts.byFinding[id] = next;
    counts.bySeverity[severityOf(id)] += step;
  }
}

function zeroedKinds(): Record<GroupKind, number> {
  return zeroed(GROUP_KINDS);
}

function zeroed<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
