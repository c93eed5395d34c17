/**
 * Scan totals, accumulated one group at a time while groups stream past, so a scan never holds all groups
 * to count them.
 */
import type { ClassifiedGroup, GroupKind, ScanCounts } from '../model';
import { severityOf } from './findings';
import { BUCKETS, GROUP_KINDS, SEVERITIES } from './vocabulary';

export function emptyCounts(): ScanCounts {
  return {
    total: 0,
    byBucket: zeroed(BUCKETS),
    byKind: zeroedKinds(),
    byBucketAndKind: Object.fromEntries(BUCKETS.map((bucket) => [bucket, zeroedKinds()])) as ScanCounts['byBucketAndKind'],
    byFinding: {},
    bySeverity: zeroed(SEVERITIES),
  };
}

/** Adds one group to `counts` in place. `bySeverity` counts findings, not groups (a group can raise several). */
export function addToCounts(counts: ScanCounts, group: ClassifiedGroup): void {
  counts.total += 1;
  counts.byBucket[group.bucket] += 1;
  counts.byKind[group.kind] += 1;
  counts.byBucketAndKind[group.bucket][group.kind] += 1;
  for (const id of group.findings) {
    counts.byFinding[id] = (counts.byFinding[id] ?? 0) + 1;
    counts.bySeverity[severityOf(id)] += 1;
  }
}

function zeroedKinds(): Record<GroupKind, number> {
  return zeroed(GROUP_KINDS);
}

function zeroed<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
