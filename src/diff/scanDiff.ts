/**
 * Opens the diff between two stored scans: picks defaults (previous complete → latest complete), refuses
 * scans that are not complete, and streams the changes: from the change log of the scans in between when they were
 * stored as versions (reads only what changed), else by merging both snapshots.
 */
import type { GroupChange, DiffSummary } from '../model';
import { requireCompleteScan, type ScanStore, type StoredScan } from '../store/scanStore';
import type { SnapshotStore } from '../store/snapshotStore';
import { WritebackWatchError } from '../errors';
import { assertScanId } from '../store/scanIds';
import { diffChangedPairs, diffSnapshots } from './diffSnapshots';
import { DiffAccumulator } from './diffSummary';

export interface ScanDiff {
  from: StoredScan;
  to: StoredScan;
  /**
   * A fresh stream of changes on every call (reports read it twice: once to count, once to write); with `after`,
   * only the changes after that group in snapshot key order (where a paged listing continues).
   */
  changes(after?: string): AsyncGenerator<GroupChange>;
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
  const chain = await stores.snapshots.changeChain(from, to);
  const changes = (after?: string): AsyncGenerator<GroupChange> =>
    chain
      ? diffChangedPairs(stores.snapshots.changedPairs(chain, after))
      : diffSnapshots(stores.snapshots.readGroups(from, { after }), stores.snapshots.readGroups(to, { after }));
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
