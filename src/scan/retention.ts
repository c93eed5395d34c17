/**
 * Retention: complete scans older than RETENTION_DAYS go, except the newest complete scan (always a baseline)
 * and scans an open alert still points at. Failed scans older than the window go too; running ones never.
 * Each scan's rows sit in tables of their own (keys.ts, snapshotStore.ts), so a scan of 500,000 rows is removed with
 * one DeleteTable call per table (17 per 50,000 groups), never reading a row.
 */
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
      scan.status !== 'running' &&
      scan.startedAt.getTime() < cutoff &&
      scan !== newestComplete &&
      !input.protectedScanIds.has(scan.id),
  );
}

export async function applyRetention(
  stores: { scans: ScanStore; snapshots: SnapshotStore },
  input: RetentionInput,
): Promise<string[]> {
  const all: StoredScan[] = [];
  // Scan records are small (one entity per night); the snapshot rows are what retention must not read.
  for await (const scan of stores.scans.list(input.tenantId)) all.push(scan);
  const doomed = scansToDelete(all, input);
  for (const scan of doomed) {
    // Record first: a crash in between leaks tables (cost only) but never lists a scan without its rows.
    // Tables are not swept by name, as tenants sharing a storage account share the table namespace.
    await stores.scans.delete(input.tenantId, scan.id);
    await stores.snapshots.deleteSnapshot(scan.id);
  }
  return doomed.map((s) => s.id);
}
