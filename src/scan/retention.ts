/**
 * Retention: complete scans older than RETENTION_DAYS go, except the newest complete scan (always a baseline)
 * and scans an open alert still points at. Failed scans older than the window go too; running ones never.
 *
 * What deleting a scan takes depends on how it was stored (docs/storage.md):
 * - versions (this release): a complete scan is retired at once (no reader sees it again), and its rows are
 *   reclaimed when it is the oldest scan left: the versions the next scan replaced, which nothing can read any
 *   more, and its own change chunks and manifest. Work grows with what is deleted, never with the tenant. A
 *   retired scan with a kept one before it (an alert points at an older scan) waits, since the kept scan may still
 *   read its versions and a diff across it needs its chunks. A failed scan's versions are deleted through its chunks.
 * - tables (earlier releases): one DeleteTable call per table.
 *
 * Who made the changes of a scan pair (the attributions table) is kept while both scans can be read, and goes
 * with the first of them to be retired or deleted: no diff can ask for it any more.
 */
import type { AttributionStore } from '../store/attributionStore';
import type { ScanStore, StoredScan } from '../store/scanStore';
import type { SnapshotStore } from '../store/snapshotStore';

export interface RetentionInput {
  tenantId: string;
  retentionDays: number;
  now: Date;
  /** Scan ids referenced by open alerts. */
  protectedScanIds: ReadonlySet<string>;
}

/** Pure decision: which of these scans (newest first) to delete. */
export function scansToDelete(scans: readonly StoredScan[], input: Omit<RetentionInput, 'tenantId'>): StoredScan[] {
  const cutoff = input.now.getTime() - input.retentionDays * 86_400_000;
  const newestComplete = scans.find((s) => s.status === 'complete');
  return scans.filter(
    (scan) =>
      (scan.status === 'complete' || scan.status === 'failed') &&
      scan.startedAt.getTime() < cutoff &&
      scan !== newestComplete &&
      !input.protectedScanIds.has(scan.id),
  );
}

/**
 * Pure: the retired scans to reclaim now, oldest first, each with the scan after it: the run of retired scans at
 * the old end of the history (failed scans aside, which hold nothing others read).
 */
export function scansToReclaim(scans: readonly StoredScan[]): Array<{ scan: StoredScan; next: StoredScan | null }> {
  const kept = [...scans].reverse().filter((scan) => scan.status !== 'failed');
  const reclaim: Array<{ scan: StoredScan; next: StoredScan | null }> = [];
  for (const [index, scan] of kept.entries()) {
    if (scan.status !== 'retired') break;
    reclaim.push({ scan, next: kept[index + 1] ?? null });
  }
  return reclaim;
}

/** Pure: the scan pairs to forget, those naming a scan that no reader can see (retired, or gone). */
export function pairsToForget<P extends { fromScanId: string; toScanId: string }>(pairs: readonly P[], readableScanIds: ReadonlySet<string>): P[] {
  return pairs.filter((pair) => !readableScanIds.has(pair.fromScanId) || !readableScanIds.has(pair.toScanId));
}

export async function applyRetention(
  stores: { scans: ScanStore; snapshots: SnapshotStore; attributions: AttributionStore },
  input: RetentionInput,
): Promise<string[]> {
  const all: StoredScan[] = [];
  // Scan records are small (one entity per night); snapshots are what retention must not read.
  for await (const scan of stores.scans.list(input.tenantId)) all.push(scan);
  const doomed = scansToDelete(all, input);
  for (const scan of doomed) {
    if (scan.snapshotLayout === 'versions' && scan.status === 'complete') {
      // Hidden first; its rows go when nothing older needs them (below).
      await stores.scans.save({ ...scan, status: 'retired' });
      continue;
    }
    // Record first for legacy tables (a crash leaks tables, never lists a scan without rows); rows first for a
    // failed scan's versions, so a crash leaves a failed record that retention finds and finishes.
    if (scan.snapshotLayout === 'tables') {
      await stores.scans.delete(input.tenantId, scan.id);
      await stores.snapshots.purgeScan(scan);
    } else {
      await stores.snapshots.purgeScan(scan);
      await stores.scans.delete(input.tenantId, scan.id);
    }
  }
  const withRetired: StoredScan[] = [];
  for await (const scan of stores.scans.list(input.tenantId, { includeRetired: true })) withRetired.push(scan);
  for (const { scan, next } of scansToReclaim(withRetired)) {
    await stores.snapshots.reclaimOldest(scan, next);
    await stores.scans.delete(input.tenantId, scan.id);
  }
  await stores.snapshots.dropOldManifests(withRetired);
  // Readable: every scan listed after the deletions above but not retired (reclaiming removes retired ones only).
  const readable = new Set(withRetired.filter((scan) => scan.status !== 'retired').map((scan) => scan.id));
  const removed = doomed.map((s) => s.id);
  await forgetAttributions(stores.attributions, input.tenantId, readable, removed);
  return removed;
}

/**
 * Pairs are one small entity per complete scan, so listing them all costs what listing the scans does. Records
 * left without a pair (an attribution stage cut short) go by the range of the scans retired or deleted now.
 */
async function forgetAttributions(attributions: AttributionStore, tenantId: string, readable: ReadonlySet<string>, removedScanIds: readonly string[]): Promise<void> {
  const pairs: Array<{ fromScanId: string; toScanId: string }> = [];
  for await (const pair of attributions.listPairs(tenantId)) pairs.push(pair);
  for (const pair of pairsToForget(pairs, readable)) await attributions.deletePair(tenantId, pair.fromScanId, pair.toScanId);
  for (const scanId of removedScanIds) await attributions.deleteRecordsFrom(tenantId, scanId);
}
