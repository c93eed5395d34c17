/**
 * Opens the diff between two stored scans: picks defaults (previous complete → latest complete), refuses
 * scans that are not complete, and streams changes straight from both snapshots.
 */
import type { GroupChange, DiffSummary } from '../model';
import { requireCompleteScan, type ScanStore, type StoredScan } from '../store/scanStore';
import type { SnapshotStore } from '../store/snapshotStore';
import { WritebackWatchError } from '../errors';
import { assertScanId } from '../store/scanIds';
import { diffSnapshots } from './diffSnapshots';
import { DiffAccumulator } from './diffSummary';

export interface ScanDiff {
  from: StoredScan;
  to: StoredScan;
  /** A fresh stream of changes on every call (reports read it twice: once to count, once to write). */
  changes(): AsyncGenerator<GroupChange>;
  /** Reads every change once and returns the counts. */
  summarize(): Promise<DiffSummary>;
}

export async function openScanDiff(
  stores: { scans: ScanStore; snapshots: SnapshotStore },
  tenantId: string,
  ids: { from?: string | null; to?: string | null },
): Promise<ScanDiff> {
  const load = async (id: string, role: string): Promise<StoredScan> => {
    const scan = await stores.scans.resolve(tenantId, id.toLowerCase() === 'latest' ? id : assertScanId(id));
    return requireCompleteScan(scan, `compared (it is the ${role} scan)`);
  };
  const to = await load(ids.to || 'latest', '"to"');
  let from: StoredScan;
  if (ids.from) {
    from = await load(ids.from, '"from"');
  } else {
    const previous = await stores.scans.previousComplete(tenantId, to.id);
    if (!previous) throw new WritebackWatchError('NotFound', `Scan ${to.id} is the first complete scan; there is no earlier one to compare it with.`);
    from = previous;
  }
  if (from.startedAt.getTime() > to.startedAt.getTime()) {
    throw new WritebackWatchError('InvalidInput', `"from" (${from.id}) is newer than "to" (${to.id}); swap them.`);
  }
  const changes = (): AsyncGenerator<GroupChange> => diffSnapshots(stores.snapshots.readGroups(from), stores.snapshots.readGroups(to));
  return {
    from,
    to,
    changes,
    summarize: async () => {
      const accumulator = new DiffAccumulator(from, to);
      for await (const change of changes()) accumulator.add(change);
      return accumulator.summary();
    },
  };
}
