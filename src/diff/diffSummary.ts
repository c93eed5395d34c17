/**
 * Totals of a diff, counted while its changes stream past (to storage, a report or alert rules), so a
 * summary never needs the changes held in memory.
 */
import { WritebackWatchError } from '../errors';
import type { ChangeType, DiffSummary, GroupChange, ScanRecord } from '../model';
import { CHANGE_TYPES } from './compareGroups';
import { diffTenantContext } from './diffTenantContext';
import { diffCloudSync } from './diffCloudSync';

export function emptyChangeCounts(): Record<ChangeType, number> {
  return Object.fromEntries(CHANGE_TYPES.map((type) => [type, 0])) as Record<ChangeType, number>;
}

export class DiffAccumulator {
  private readonly byType = emptyChangeCounts();
  private changedGroups = 0;

  /** `from` is the earlier scan, `to` the later one, both of the same tenant. */
  constructor(
    private readonly from: ScanRecord,
    private readonly to: ScanRecord,
  ) {
    if (from.tenantId !== to.tenantId) {
      throw new WritebackWatchError(
        'InvalidInput',
        `Scans ${from.id} and ${to.id} belong to different tenants (${from.tenantId}, ${to.tenantId}); only scans of one tenant can be compared.`,
        { fromScanId: from.id, toScanId: to.id },
      );
    }
  }

  add(change: GroupChange): void {
    this.changedGroups += 1;
    for (const type of new Set(change.types)) this.byType[type] += 1;
  }

  /** Passes `changes` through unchanged, counting each one on the way. */
  async *track(changes: AsyncIterable<GroupChange>): AsyncGenerator<GroupChange> {
    for await (const change of changes) {
      this.add(change);
      yield change;
    }
  }

  /** The summary of everything added so far. Group totals come from the scans' own complete counts. */
  summary(): DiffSummary {
    return {
      fromScanId: this.from.id,
      toScanId: this.to.id,
      tenantId: this.to.tenantId,
      fromStartedAt: this.from.startedAt,
      toStartedAt: this.to.startedAt,
      groupsBefore: this.from.counts.total,
      groupsAfter: this.to.counts.total,
      changedGroups: this.changedGroups,
      byType: { ...this.byType },
      tenantChanges: diffTenantContext(this.from.tenantContext, this.to.tenantContext),
      cloudSyncChanges: diffCloudSync(this.from.tenantContext?.cloudSync ?? null, this.to.tenantContext?.cloudSync ?? null),
    };
  }
}

/** Reads `changes` to the end and summarises them. */
export async function summarizeChanges(
  from: ScanRecord,
  to: ScanRecord,
  changes: AsyncIterable<GroupChange>,
): Promise<DiffSummary> {
  const accumulator = new DiffAccumulator(from, to);
  for await (const change of changes) accumulator.add(change);
  return accumulator.summary();
}
