/**
 * The snapshot layout of earlier releases: every scan stored every group again, in tables of its own. Scans stored
 * this way (StoredScan.snapshotLayout `tables`) are still read and deleted through this module until retention
 * removes them; new scans are stored as group versions (snapshotStore.ts, docs/storage.md).
 *
 * Snapshot rows of one scan, in tables of their own (see keys.ts). Reading streams rows in snapshotSortKey
 * order so two scans can be merged without holding either. A large scan stored its rows in segments (17 tables
 * for each further 50,000 groups Graph listed); the segments of a shard are read side by side and merged, which
 * keeps the order the diff relies on. Tenants under 50,000 groups have one segment.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import { snapshotShardTableName, snapshotTableName } from './scanIds';
import { SNAPSHOT_SHARDS, snapshotAddress } from './keys';
import { fromSnapshotEntity, snapshotEntityOf, type SnapshotEntity } from './snapshotEntity';

/** Where a scan's snapshot rows are: its id and how many segments it used (StoredScan has both). */
export interface SnapshotRef {
  id: string;
  snapshotSegments: number;
}

/** Table Storage's largest query page. */
const MAX_PAGE = 1_000;
/** Rows a merged read holds in its segments' pages at most (1,000 a page up to two segments, 200 at ten)... */
const MERGED_READ_ROWS = 2_000;
/** ...but no page smaller than this, so that a very large tenant's read does not turn into a request per few rows. */
const MIN_MERGED_PAGE = 100;


export interface SnapshotQuery {
  bucket?: Bucket;
  kind?: GroupKind;
  /** Only rows after this group id in snapshotSortKey order: where a paged listing continues. */
  after?: string;
}

const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

export class LegacySnapshotTables {
  constructor(protected readonly tables: TableFactory) {}

  /** Every row of a scan in snapshotSortKey order: shard by shard, each ordered by PartitionKey, then RowKey. */
  async *readGroups(scan: SnapshotRef, query: SnapshotQuery = {}): AsyncGenerator<ClassifiedGroup> {
    for await (const entity of this.readEntities(scan, query)) yield fromSnapshotEntity(entity as unknown as Record<string, unknown>);
  }

  /** `readGroups` in stored form, for copying rows without decoding them. */
  async *readEntities(scan: SnapshotRef, query: SnapshotQuery = {}): AsyncGenerator<SnapshotEntity> {
    const filters: string[] = [];
    if (query.bucket) filters.push(odata`bucket eq ${query.bucket}`);
    if (query.kind) filters.push(odata`kind eq ${query.kind}`);
    const queryOptions = filters.length ? { filter: filters.join(' and ') } : undefined;
    const segments = segmentsOf(scan);
    // Every segment holds a page at a time: smaller pages keep what a merged read holds near one plain read's.
    const pageSize = Math.min(MAX_PAGE, Math.max(MIN_MERGED_PAGE, Math.floor(MERGED_READ_ROWS / segments.length)));
    const start = query.after === undefined ? null : snapshotAddress(query.after);
    const startShard = start ? SNAPSHOT_SHARDS.indexOf(start.shard) : 0;
    for (const [index, shard] of SNAPSHOT_SHARDS.entries()) {
      if (index < startShard) continue;
      let shardQuery = queryOptions;
      if (start && index === startShard) {
        // Shards before the start are skipped whole; in the start shard the keys are compared on the server.
        const resume = odata`(PartitionKey gt ${start.partitionKey} or (PartitionKey eq ${start.partitionKey} and RowKey gt ${start.rowKey}))`;
        shardQuery = { filter: [...filters, resume].join(' and ') };
      }
      const streams = segments.map((segment) => this.readTable(scan.id, snapshotShardTableName(scan.id, shard, segment), shardQuery, pageSize));
      yield* streams.length === 1 ? streams[0]! : mergeSegments(streams);
    }
  }

  private async *readTable(
    scanId: string,
    name: string,
    queryOptions: { filter: string } | undefined,
    pageSize: number,
  ): AsyncGenerator<SnapshotEntity> {
    const table = this.tables.table(name);
    try {
      for await (const page of table.listEntities<SnapshotEntity>({ queryOptions }).byPage({ maxPageSize: pageSize })) {
        for (const entity of page) yield snapshotEntityOf(entity as unknown as Record<string, unknown>);
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new WritebackWatchError('NotFound', `The rows of scan ${scanId} are gone (table ${table.tableName} is missing); retention may have deleted the scan. List the scans that remain with GET /api/scans.`, undefined, { cause: error });
    }
  }

  /** One group's row; looked up in every segment at once, the last one holding it wins (as in `readEntities`). */
  async readGroup(scan: SnapshotRef, groupId: string): Promise<ClassifiedGroup | null> {
    const { shard, partitionKey, rowKey } = snapshotAddress(groupId);
    const found = await Promise.all(
      segmentsOf(scan).map(async (segment) => {
        try {
          return await this.tables.table(snapshotShardTableName(scan.id, shard, segment)).getEntity(partitionKey, rowKey);
        } catch (error) {
          if (isNotFound(error)) return null;
          throw error;
        }
      }),
    );
    const entity = found.reverse().find((row) => row !== null);
    return entity ? fromSnapshotEntity(entity) : null;
  }

  /**
   * Retention: one DeleteTable call per table removes a whole scan, however many rows it has. The tables are
   * listed rather than named from the record, so that a segment a failed scan created before it could record it
   * goes too; segment 0 goes first, so a deletion cut short leaves a scan that reads as gone, never one short of rows.
   */
  async deleteSnapshot(scanId: string): Promise<void> {
    const names: string[] = [];
    for await (const name of this.tables.listTables(snapshotTableName(scanId))) names.push(name);
    names.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      try {
        await this.tables.deleteTable(name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}

/** Segment numbers of a scan; scans stored before segments existed have one. */
function segmentsOf(scan: SnapshotRef): number[] {
  const count = Math.max(1, scan.snapshotSegments);
  return Array.from({ length: count }, (_, segment) => segment);
}

const compareRows = (a: SnapshotEntity, b: SnapshotEntity): number =>
  a.partitionKey < b.partitionKey ? -1 : a.partitionKey > b.partitionKey ? 1 : a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0;

/**
 * Merges one shard's segments, each in (PartitionKey, RowKey) order, into that order. A group Graph listed in
 * two segments' pages is one row: the later segment's, as a later page would have replaced it in one table.
 */
async function* mergeSegments(streams: readonly AsyncGenerator<SnapshotEntity>[]): AsyncGenerator<SnapshotEntity> {
  try {
    const heads = await Promise.all(streams.map((stream) => stream.next()));
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i += 1) {
        if (!heads[i]!.done && (pick < 0 || compareRows(heads[i]!.value as SnapshotEntity, heads[pick]!.value as SnapshotEntity) <= 0)) pick = i;
      }
      if (pick < 0) return;
      const row = heads[pick]!.value as SnapshotEntity;
      yield row;
      for (let i = 0; i < heads.length; i += 1) {
        if (!heads[i]!.done && compareRows(heads[i]!.value as SnapshotEntity, row) === 0) heads[i] = await streams[i]!.next();
      }
    }
  } finally {
    await Promise.all(streams.map((stream) => stream.return(undefined)));
  }
}
