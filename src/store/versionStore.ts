/**
 * Group versions (keys in versionKeys.ts): every state a group was seen in, written once by the scan that saw it
 * first and never changed. A scan's snapshot is, for every group, its newest version written by that scan or an
 * earlier one that finished; versions of scans that failed or are still running are skipped, so they never show.
 * A removed group gets a tombstone version (no columns but its id), so it stops showing from that scan on.
 */
import { createHash } from 'node:crypto';
import { odata, TableTransaction, type TableClient } from '@azure/data-tables';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import { snapshotPartitionKey, snapshotRowKey } from './keys';
import type { SnapshotEntity } from './snapshotEntity';
import { submitStringBatch, MAX_BATCH_ENTITIES } from './tableTransaction';
import { groupVersionRange, parseVersionRowKey, VERSION_SHARDS, VERSION_TABLE_PREFIX, versionRowKey, versionShard, versionTableName } from './versionKeys';

/** The columns of a group's state: a snapshot row without its keys. */
export type StoredRow = Omit<SnapshotEntity, 'partitionKey' | 'rowKey'>;

export interface VersionEntity {
  partitionKey: string;
  rowKey: string;
  groupId: string;
  /** The group key (keys.ts), which a lookup of many groups compares with: one comparison a group. */
  g: string;
  /** The scan that wrote the version. */
  scanId: string;
  /** Fingerprint of the state (empty for a tombstone): tells a changed group from an unchanged one without decoding. */
  fp: string;
  /** '1' on a tombstone: the group was gone from this scan on. */
  removed?: string;
  bucket?: string;
  kind?: string;
  displayName?: string;
  details?: string;
  truncated?: string;
}

/** Which versions one scan's snapshot is made of: the newest at or before `scanId`, skipping `excluded` scans. */
export interface SnapshotView {
  tenantId: string;
  scanId: string;
  /** Scans that did not finish (failed, or running when an older scan is read): their versions never count. */
  excluded: ReadonlySet<string>;
}

/**
 * Up to this many groups' versions are asked for in one query. Table Storage allows 15 comparisons in a filter:
 * the partition, then one for each group (on the `g` column; a RowKey range would take two). The service then
 * scans the partition, which holds one shard of one tenant: small whatever the tenant's size.
 */
const GROUPS_PER_QUERY = 14;

export function fingerprintOf(row: StoredRow): string {
  const state = JSON.stringify([row.bucket, row.kind, row.displayName ?? null, row.details, row.truncated ?? null]);
  return createHash('sha1').update(state).digest('base64').slice(0, 16);
}

export function storedRowOf(entity: SnapshotEntity | VersionEntity): StoredRow {
  const row: StoredRow = { groupId: entity.groupId, bucket: entity.bucket!, kind: entity.kind!, details: entity.details! };
  if (entity.displayName !== undefined) row.displayName = entity.displayName;
  if (entity.truncated !== undefined) row.truncated = entity.truncated;
  return row;
}

/** A stored state in the form the snapshot readers decode. */
export function snapshotEntityFromRow(row: StoredRow): SnapshotEntity {
  return { partitionKey: snapshotPartitionKey(row.groupId), rowKey: snapshotRowKey(row.groupId), ...row };
}

export function versionEntity(tenantId: string, scanId: string, groupId: string, after: StoredRow | null, fp: string | null): VersionEntity {
  const keys = { partitionKey: tenantId, rowKey: versionRowKey(groupId, scanId), groupId, g: snapshotRowKey(groupId), scanId };
  return after ? { ...keys, ...after, groupId, fp: fp ?? fingerprintOf(after) } : { ...keys, fp: '', removed: '1' };
}

/** The version a view reads from a group's versions, newest first: null when the group is not in its snapshot. */
export function pickVersion(versions: readonly VersionEntity[], view: SnapshotView): VersionEntity | null {
  for (const version of versions) {
    if (version.scanId > view.scanId || view.excluded.has(version.scanId)) continue;
    return version;
  }
  return null;
}

const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

function versionOf(stored: Record<string, unknown>): VersionEntity {
  const e = stored as unknown as VersionEntity;
  const version: VersionEntity = { partitionKey: e.partitionKey, rowKey: e.rowKey, groupId: e.groupId, g: e.g, scanId: e.scanId, fp: e.fp ?? '' };
  for (const name of ['removed', 'bucket', 'kind', 'displayName', 'details', 'truncated'] as const) {
    if (e[name] !== undefined) version[name] = e[name];
  }
  return version;
}

export class VersionStore {
  constructor(private readonly tables: TableFactory) {}

  /** Stores versions of one shard (at most 100) as one transaction; a replayed batch stores the same rows again. */
  async writeBatch(shard: string, rows: readonly VersionEntity[]): Promise<void> {
    if (rows.length === 0) return;
    const table = await this.tables.ensureTable(versionTableName(shard));
    try {
      await submitStringBatch(table, 'create', rows);
    } catch (error) {
      // Only a replay (a resumed scan, a retry whose answer was lost) meets rows that exist: they are its own.
      if (statusOf(error) !== 409) throw error;
      await submitStringBatch(table, 'upsertReplace', rows);
    }
  }

  /** The version tables that exist, in read order (one listing instead of a query per possible shard). */
  async existingShards(): Promise<string[]> {
    const names = new Set<string>();
    for await (const name of this.tables.listTables(VERSION_TABLE_PREFIX)) names.add(name);
    return VERSION_SHARDS.filter((shard) => names.has(versionTableName(shard)));
  }

  /**
   * Every group of a view's snapshot, in `snapshotSortKey` order: each table's rows come ordered by group, then
   * newest version first, and the view picks one per group. `after` starts after that group.
   */
  async *readSnapshot(view: SnapshotView, after?: string): AsyncGenerator<VersionEntity> {
    const startShard = after === undefined ? null : versionShard(after);
    for (const shard of await this.existingShards()) {
      if (startShard !== null && shard < startShard) continue;
      const filters = [odata`PartitionKey eq ${view.tenantId}`];
      if (startShard !== null && shard === startShard) filters.push(odata`RowKey ge ${groupVersionRange(after!).to}`);
      let group: VersionEntity[] = [];
      let groupKey = '';
      for await (const version of this.query(shard, filters.join(' and '))) {
        const key = parseVersionRowKey(version.rowKey).groupKey;
        if (key !== groupKey && group.length > 0) {
          const picked = pickVersion(group, view);
          if (picked && !picked.removed) yield picked;
          group = [];
        }
        groupKey = key;
        group.push(version);
      }
      const picked = pickVersion(group, view);
      if (picked && !picked.removed) yield picked;
    }
  }

  /** Every version of one group, newest first: one range query in one partition. */
  async groupVersions(tenantId: string, groupId: string): Promise<VersionEntity[]> {
    const { from, to } = groupVersionRange(groupId);
    const versions: VersionEntity[] = [];
    for await (const version of this.query(versionShard(groupId), odata`PartitionKey eq ${tenantId} and RowKey ge ${from} and RowKey lt ${to}`)) {
      versions.push(version);
    }
    return versions;
  }

  /**
   * The version a view reads for each of these groups of one shard (null: none, or a tombstone), keyed by group
   * key (keys.ts `snapshotRowKey`). Groups are asked for fourteen to a query.
   */
  async latestVersions(view: SnapshotView, shard: string, groupIds: readonly string[]): Promise<Map<string, VersionEntity | null>> {
    const found = new Map<string, VersionEntity | null>();
    const queries: Promise<void>[] = [];
    for (let start = 0; start < groupIds.length; start += GROUPS_PER_QUERY) {
      const ids = groupIds.slice(start, start + GROUPS_PER_QUERY);
      const groups = ids.map((id) => odata`g eq ${snapshotRowKey(id)}`);
      queries.push(
        (async () => {
          const byGroup = new Map<string, VersionEntity[]>();
          for await (const version of this.query(shard, `${odata`PartitionKey eq ${view.tenantId}`} and (${groups.join(' or ')})`)) {
            const key = parseVersionRowKey(version.rowKey).groupKey;
            let list = byGroup.get(key);
            if (!list) byGroup.set(key, (list = []));
            list.push(version);
          }
          for (const id of ids) {
            const key = snapshotRowKey(id);
            found.set(key, pickVersion(byGroup.get(key) ?? [], view));
          }
        })(),
      );
    }
    await Promise.all(queries);
    return found;
  }

  /** Deletes versions by RowKey; one already gone is no error (retention may be repeating itself). */
  async deleteRows(shard: string, tenantId: string, rowKeys: readonly string[]): Promise<number> {
    if (rowKeys.length === 0) return 0;
    await deleteKeys(this.tables.table(versionTableName(shard)), tenantId, rowKeys);
    return rowKeys.length;
  }

  private async *query(shard: string, filter: string): AsyncGenerator<VersionEntity> {
    const table = this.tables.table(versionTableName(shard));
    try {
      for await (const page of table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1_000 })) {
        for (const entity of page) yield versionOf(entity as unknown as Record<string, unknown>);
      }
    } catch (error) {
      if (isNotFound(error)) return; // no group of this shard was ever stored
      throw error;
    }
  }
}

/** Deletes rows of one partition, 100 to a transaction; when some of a batch are gone already, the rest one by one. */
export async function deleteKeys(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<void> {
  for (let start = 0; start < rowKeys.length; start += MAX_BATCH_ENTITIES) await deleteBatch(table, partitionKey, rowKeys.slice(start, start + MAX_BATCH_ENTITIES));
}

async function deleteBatch(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<void> {
  const transaction = new TableTransaction();
  for (const rowKey of rowKeys) transaction.deleteEntity(partitionKey, rowKey);
  try {
    await table.submitTransaction(transaction.actions);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  for (const rowKey of rowKeys) {
    try {
      await table.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (!isNotFound(error)) {
        throw new WritebackWatchError('StorageFailed', `Could not delete row ${rowKey} of table ${table.tableName}: ${String(error)}`, { statusCode: statusOf(error) }, { cause: error });
      }
    }
  }
}
