/**
 * A delta scan: Graph's changes since the base scan, stored as changes on top of the base's snapshot. Its snapshot
 * reads back as the one a full scan would store (every group, current state), at a fraction of the Graph requests,
 * and it writes only the groups that changed: nothing of the base is copied. A removed group that was not in the
 * base (created and deleted in between) changes nothing, and neither does a change Graph reports that leaves the
 * classified row as it was.
 * Changes are held in memory (at most MAX_DELTA_CHANGES; more than that and a full scan is cheaper anyway).
 */
import type { ClassifiedGroup, GraphGroup, ScanCounts } from '../model';
import { addToCounts, cloneCounts, removeFromCounts } from '../classify/counts';
import { fromSnapshotEntity, toSnapshotEntity } from '../store/snapshotEntity';
import type { PendingChange } from '../store/changeWriter';
import { storedRowOf, type VersionEntity } from '../store/versionStore';
import { snapshotRowKey } from '../store/keys';
import { WritebackWatchError } from '../errors';
import type { StoredScan } from '../store/scanStore';
import type { ScanDependencies, ScanProgress } from './runScan';
import { DeltaTokenExpiredError, GROUP_SELECT } from '../graph/groupReader';
import { classifyGroups } from './classifyGroups';
import { buildEngineContext } from '../classify/engines/engineContext';

export const MAX_DELTA_CHANGES = 50_000;
/** Non-nullable properties of a Graph group among those the scan selects. */
const REQUIRED_GROUP_PROPERTIES: readonly string[] = ['displayName', 'groupTypes', 'mailEnabled', 'securityEnabled'];
/** Changes handed to the writer at a time, between lease renewals. */
const ADD_CHUNK = 1_000;

/** Delta cannot be used this time; the scan continues as a full scan. */
export class DeltaUnavailableError extends WritebackWatchError {
  constructor(message: string, cause?: unknown) {
    super('DeltaUnavailable', message, undefined, { cause });
    this.name = 'DeltaUnavailableError';
  }
}

export interface DeltaScanResult {
  counts: ScanCounts;
  /** Graph pages read for the changes. */
  pages: number;
  changed: number;
  removed: number;
  /** Changed groups delta sent only in part, read whole. */
  wholeReads: number;
  deltaLink: string;
}

/** Graph's changes since a base scan's delta link, the last state of each group (readDeltaChanges). */
export interface DeltaChanges {
  changed: Map<string, GraphGroup>;
  removed: Set<string>;
  pages: number;
  deltaLink: string;
}

const keyOf = (id: string): string => id.toLowerCase();

/** Reads every change since the base's delta link; the last state of a group wins. */
export async function readDeltaChanges(deps: Pick<ScanDependencies, 'reader'>, base: StoredScan, signal?: AbortSignal): Promise<DeltaChanges> {
  const changed = new Map<string, GraphGroup>();
  const removed = new Set<string>();
  let pages = 0;
  let deltaLink: string | null = null;
  try {
    for await (const page of deps.reader.readDelta(base.deltaLink!, signal)) {
      pages += 1;
      for (const group of page.changed) {
        changed.set(keyOf(group.id), group);
        removed.delete(keyOf(group.id));
      }
      for (const id of page.removed) {
        removed.add(keyOf(id));
        changed.delete(keyOf(id));
      }
      if (changed.size + removed.size > MAX_DELTA_CHANGES) {
        throw new DeltaUnavailableError(`More than ${MAX_DELTA_CHANGES} groups changed since scan ${base.id}; a full scan reads them faster.`);
      }
      deltaLink = page.deltaLink ?? deltaLink;
    }
  } catch (error) {
    if (error instanceof DeltaTokenExpiredError) throw new DeltaUnavailableError(error.message, error);
    throw error;
  }
  return { changed, removed, pages, deltaLink: deltaLink! };
}

/** Whether the base snapshot's row shows a value for a selected Graph property (false: absent or null). */
const BASE_HAD_VALUE: Record<(typeof GROUP_SELECT)[number], (row: ClassifiedGroup) => boolean> = {
  id: () => true,
  displayName: (row) => row.displayName !== null,
  description: (row) => (row.raw.description ?? null) !== null,
  mailNickname: (row) => (row.raw.mailNickname ?? null) !== null,
  groupTypes: (row) => row.raw.groupTypes.length > 0,
  securityEnabled: (row) => row.raw.securityEnabled !== null,
  mailEnabled: (row) => row.raw.mailEnabled !== null,
  mail: (row) => row.mail !== null,
  visibility: (row) => row.flags.visibility !== null,
  isAssignableToRole: (row) => row.flags.roleAssignable,
  resourceProvisioningOptions: (row) => row.flags.team,
  onPremisesSyncEnabled: (row) => row.raw.onPremisesSyncEnabled !== null,
  createdDateTime: (row) => row.createdDateTime !== null,
  writebackConfiguration: (row) => row.raw.isEnabled !== null || row.raw.onPremisesGroupType !== null,
};

/**
 * Graph documents that delta represents an updated group by its id and "at least" the changed properties, so
 * a changed group may arrive partly. A property missing from it is unchanged; if the base snapshot had a value
 * for it, the group is read whole (one request), so a change is never classified from half a group. A new
 * group lacking a property Graph always returns is read whole too. A group that lacks only what its base row
 * lacked costs no request.
 */
async function completeGroups(deps: ScanDependencies, baseRows: ReadonlyMap<string, VersionEntity | null>, changes: DeltaChanges, signal?: AbortSignal): Promise<number> {
  let reads = 0;
  for (const [key, group] of changes.changed) {
    const missing = GROUP_SELECT.filter((name) => !(name in group));
    if (missing.length === 0) continue;
    const version = baseRows.get(snapshotRowKey(group.id)) ?? null;
    const before = version && !version.removed ? fromSnapshotEntity(version as unknown as Record<string, unknown>) : null;
    const partial = before
      ? missing.some((name) => BASE_HAD_VALUE[name](before))
      : missing.some((name) => REQUIRED_GROUP_PROPERTIES.includes(name));
    if (!partial) continue;
    reads += 1;
    const whole = await deps.reader.readGroup(group.id, signal);
    if (whole) changes.changed.set(key, whole);
    else {
      changes.changed.delete(key);
      changes.removed.add(key);
    }
  }
  return reads;
}

/** Stores `changes` (readDeltaChanges, read from `base`'s delta link) as scan `scan`. */
export async function runDeltaScan(
  deps: ScanDependencies,
  scan: StoredScan,
  base: StoredScan,
  changes: DeltaChanges,
  options: { signal?: AbortSignal; keepAlive: () => Promise<void>; onProgress?: (progress: ScanProgress) => void },
): Promise<DeltaScanResult> {
  // The base's version of every group Graph reports, looked up in one pass once all pages are in (a shard's groups
  // fourteen to a query): what a partial group is completed from, and what each change replaces.
  const baseView = await deps.snapshots.view(base);
  const baseRows = await deps.snapshots.baseVersions(baseView, [...[...changes.changed.values()].map((group) => group.id), ...changes.removed]);
  // Progress counts the changes stored, of those Graph reported.
  let stored = 0;
  const reported = changes.changed.size + changes.removed.size;
  const progress = (finished: boolean): void => options.onProgress?.({ pages: changes.pages, groups: stored, total: reported, finished });
  progress(false);
  const wholeReads = await completeGroups(deps, baseRows, changes, options.signal);
  const classified = new Map<string, ClassifiedGroup>();
  // The Cloud Sync context this delta scan recorded, the same as its base's (runScan checks that before delta is used).
  const engines = buildEngineContext(deps.settings.engines, scan.tenantContext?.cloudSync ?? null);
  for (const group of await classifyGroups(deps, [...changes.changed.values()], engines)) classified.set(keyOf(group.id), group);
  const changedCount = classified.size;

  // The base's totals, corrected for each change as it is stored (with the state it replaced, looked up above).
  const counts = cloneCounts(base.counts);
  const writer = deps.snapshots.changeWriter(scan, baseView, {
    onStored: (before, after) => {
      if (before) removeFromCounts(counts, fromSnapshotEntity(before as unknown as Record<string, unknown>));
      if (after) addToCounts(counts, fromSnapshotEntity(after as unknown as Record<string, unknown>));
      stored += 1;
    },
  });
  try {
    const replaced = (groupId: string): PendingChange['known'] => {
      const version = baseRows.get(snapshotRowKey(groupId)) ?? null;
      return { prev: version?.scanId ?? null, before: version && !version.removed ? storedRowOf(version) : null };
    };
    const pending: PendingChange[] = [
      ...[...classified.values()].map((group) => ({ groupId: group.id, after: storedRowOf(toSnapshotEntity(group)), known: replaced(group.id) })),
      ...[...changes.removed].map((id) => ({ groupId: id, after: null, known: replaced(id) })),
    ];
    for (let start = 0; start < pending.length; start += ADD_CHUNK) {
      await writer.add(pending.slice(start, start + ADD_CHUNK), 0);
      await options.keepAlive();
      progress(false);
    }
  } finally {
    await writer.flush().catch(() => undefined);
  }
  await writer.flush();
  progress(true);
  return {
    counts,
    pages: changes.pages,
    changed: changedCount,
    removed: changes.removed.size,
    wholeReads,
    deltaLink: changes.deltaLink,
  };
}

