/**
 * The snapshot layout of earlier releases: every scan stored every group again, in tables of its own. Scans stored
 * this way (StoredScan.snapshotLayout `tables`) are still read and deleted through this module until retention
 * removes them; new scans are stored as group versions (snapshotStore.ts, docs/storage.md).
 *
 * Snapshot rows of one scan, in tables of their own (see keys.ts for the layout and why). Writing fills
 * Table Storage transactions (at most 100 entities of one partition) across pages, with bounded concurrency;
 * reading streams rows in snapshotSortKey order so two scans can be merged without holding either.
 *
 * A full scan stores its rows in segments: the groups Graph lists first go to segment 0, the next
 * SEGMENT_ROWS to segment 1, and so on, each segment a set of 17 tables of its own. A partition then grows to
 * SEGMENT_ROWS / 256 rows however large the tenant is, instead of 2,000 at 500,000 groups: Azurite finds a row
 * (to refuse a duplicate) by scanning the row's whole partition, so its cost per row grew with the tenant and
 * set the pace of a large scan. Azure does not care, and reading pays little: the segments of a shard are read
 * side by side and merged, which keeps the order the diff relies on. Tenants under SEGMENT_ROWS groups have one
 * segment, exactly the tables scans had before segments existed.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import { WritebackWatchError } from '../errors';
import { Slots } from './slots';
import { statusOf, type TableFactory } from './tableClients';
import { snapshotShardTableName, snapshotTableName } from './scanIds';
import { SNAPSHOT_SHARDS, snapshotAddress, snapshotShard } from './keys';
import { fromSnapshotEntity, snapshotEntityOf, toSnapshotEntity, type SnapshotEntity } from './snapshotEntity';
import { MAX_BATCH_ENTITIES, submitStringBatch } from './tableTransaction';

/** Rows a writer puts in one transaction: all the service takes. */
export const BATCH_SIZE = MAX_BATCH_ENTITIES;
/** Groups per segment, in the order Graph lists them. */
export const SEGMENT_ROWS = 50_000;

export interface SnapshotStoreOptions {
  /** Groups per segment (SEGMENT_ROWS); smaller only to exercise several segments with a small tenant. */
  segmentRows?: number;
}

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

/** The tables of one segment, by shard. */
type SegmentTables = ReadonlyMap<string, TableClient>;

export interface SnapshotWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Rows handed to batches but not yet stored above which `add` waits (memory bound). */
  maxQueuedRows?: number;
  /** Rows waiting in partial batches above which the fullest is sent part-filled. Everything waiting when the last
   *  page arrives is stored after it, so this trades fuller batches for a shorter end of the scan. */
  maxBufferedRows?: number;
  /** When storage has nothing to do, the fullest partial batch is sent if it holds at least this many rows. */
  idleBatchRows?: number;
}

interface PartitionBuffer {
  segment: number;
  shard: string;
  rows: SnapshotEntity[];
  /** The page of the oldest row waiting here. */
  firstPage: number;
}

/**
 * Accepts rows in any order. Each (table, partition) has a buffer that is sent as one transaction as soon as it
 * holds 100 rows, so batches stay full however the rows arrive.
 *
 * Group ids are spread evenly, so all 272 buffers would fill at the same pace and go out together: long
 * stretches with storage idle, then hundreds of batches at once, and up to 27,000 rows still waiting when the
 * last page arrives. Two rules spread the work instead. Above `maxBufferedRows` waiting rows, the fullest
 * buffer is sent part-filled, which staggers the buffers' levels so that they fill one after another; and
 * whenever storage has nothing to do, the fullest buffer holding at least `idleBatchRows` rows is sent, so idle
 * time is used and little is left for after the last page.
 *
 * Rows are added with the number of the Graph page they came from and the segment they belong to (a buffer per
 * segment and partition; a segment's tables are created when its first rows arrive). `storedThrough(page)` sends the buffers
 * holding rows of that page or earlier and returns a promise that settles when those rows are stored, which is
 * what a checkpoint waits for while the scan goes on paging. Batches run at most `concurrency` at a time, first
 * come first served; `add` waits while more than `maxQueuedRows` rows are handed over but not stored, so memory
 * stays bounded when storage is slower than Graph.
 */
export class SnapshotWriter {
  private readonly slots: Slots;
  private readonly maxQueuedRows: number;
  private readonly maxBufferedRows: number;
  private readonly idleBatchRows: number;
  private readonly buffers = new Map<string, PartitionBuffer>();
  private bufferedRows = 0;
  private readonly roomWaiters: Array<() => void> = [];
  /** Batches sent and not yet settled. */
  private readonly inFlight = new Set<Promise<void>>();
  private queuedRows = 0;
  private failure: unknown = null;
  rowsWritten = 0;
  batches = 0;
  /** Segments rows were added to so far: the highest segment number plus one, at least 1. */
  segments = 1;

  constructor(
    private readonly scanId: string,
    private readonly tables: (segment: number) => Promise<SegmentTables>,
    options: SnapshotWriterOptions = {},
  ) {
    this.slots = new Slots(options.concurrency ?? 8);
    this.maxQueuedRows = options.maxQueuedRows ?? 4_000;
    this.maxBufferedRows = options.maxBufferedRows ?? 7_000;
    this.idleBatchRows = options.idleBatchRows ?? 20;
  }

  /**
   * Buffers rows and sends full batches; waits only while too many rows are on their way to storage. `page`
   * numbers where the rows came from, for `storedThrough`; `segment` is where they are stored.
   */
  add(groups: readonly ClassifiedGroup[], page = 0, segment = 0): Promise<void> {
    return this.addEntities(groups.map(toSnapshotEntity), page, segment);
  }

  /** `add` for rows already in stored form (a delta scan copying unchanged rows of its base). */
  async addEntities(entities: readonly SnapshotEntity[], page = 0, segment = 0): Promise<void> {
    if (!Number.isInteger(segment) || segment < 0) throw new RangeError(`Snapshot segment must be a whole number from 0, got ${segment}.`);
    this.segments = Math.max(this.segments, segment + 1);
    for (const entity of entities) {
      const shard = snapshotShard(entity.groupId);
      const key = `${segment}/${shard}${entity.partitionKey}`;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = { segment, shard, rows: [], firstPage: page }));
      buffer.rows.push(entity);
      this.bufferedRows += 1;
      if (buffer.rows.length === BATCH_SIZE) this.sendBuffer(key, buffer);
    }
    while (this.bufferedRows > this.maxBufferedRows) this.sendFullest(1);
    while (this.queuedRows > this.maxQueuedRows && this.failure === null) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Sends the buffers holding rows of pages up to `page` (partial batches included) and leaves the others to
   * fill. The promise settles once every row of those pages is stored, and rejects if a batch failed.
   */
  storedThrough(page: number): { stored: Promise<void> } {
    if (this.failure) throw this.failure;
    for (const [key, buffer] of this.buffers) {
      if (buffer.firstPage <= page) this.sendBuffer(key, buffer);
    }
    // Every batch still on its way: a superset of those holding rows of these pages.
    const stored = Promise.all([...this.inFlight]).then(() => {
      if (this.failure) throw this.failure;
    });
    return { stored };
  }

  /** Sends every partial batch; the promise it returns settles once every row added so far is stored. */
  seal(): { stored: Promise<void> } {
    return this.storedThrough(Number.POSITIVE_INFINITY);
  }

  /** Sends and waits for everything; rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.failure === null) this.seal().stored.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (this.failure) throw this.failure;
  }

  /** Sends the fullest buffer if it holds at least `minRows` rows. */
  private sendFullest(minRows: number): void {
    let fullest: [string, PartitionBuffer] | null = null;
    for (const entry of this.buffers) {
      if (!fullest || entry[1].rows.length > fullest[1].rows.length) fullest = entry;
    }
    if (fullest && fullest[1].rows.length >= minRows) this.sendBuffer(...fullest);
  }

  private sendBuffer(key: string, buffer: PartitionBuffer): void {
    this.buffers.delete(key);
    this.bufferedRows -= buffer.rows.length;
    this.send(buffer);
  }

  private send({ segment, shard, rows }: PartitionBuffer): void {
    this.queuedRows += rows.length;
    const batch = this.slots.take()
      .then(async () => {
        if (this.failure) throw this.failure; // after a failure, batches still waiting are not sent
        return storeBatch((await this.tables(segment)).get(shard)!, rows);
      })
      .then(
        () => {
          this.rowsWritten += rows.length;
          this.batches += 1;
        },
        (error: unknown) => {
          // The SDK has already retried (503 ServerBusy, timeouts) with backoff; this is final.
          this.failure ??= new WritebackWatchError(
            'StorageFailed',
            `Table Storage did not store snapshot rows of scan ${this.scanId} after retries: ${error instanceof Error ? error.message : String(error)}. Check the storage account's health and throttling; the next scan starts over.`,
            { statusCode: statusOf(error) },
            { cause: error },
          );
          throw this.failure;
        },
      )
      .finally(() => {
        this.slots.release();
        this.queuedRows -= rows.length;
        this.wake();
      });
    this.inFlight.add(batch);
    batch.then(
      () => this.inFlight.delete(batch),
      () => this.inFlight.delete(batch),
    );
  }

  private wake(): void {
    if (this.slots.running === 0 && this.failure === null) this.sendFullest(this.idleBatchRows);
    if (this.queuedRows <= this.maxQueuedRows || this.failure !== null) {
      for (const resolve of this.roomWaiters.splice(0)) resolve();
    }
  }
}

/**
 * Stores one batch (rows of one partition) as a single transaction, which applies all of it or nothing. A scan's
 * tables are new, so rows are inserted: inserting looks a row up once where replacing looks it up twice, which is
 * what Azurite spends most of its time on. A row can exist already only when the batch is replayed (a resumed
 * scan redoing pages after its checkpoint, or a retry whose first answer was lost after the batch was applied);
 * the service then refuses the whole batch with 409 EntityAlreadyExists, and it goes again as upserts, which
 * store the same rows however often they are replayed.
 */
async function storeBatch(table: TableClient, rows: readonly SnapshotEntity[]): Promise<void> {
  try {
    await submitStringBatch(table, 'create', rows);
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    await submitStringBatch(table, 'upsertReplace', rows);
  }
}

export interface SnapshotQuery {
  bucket?: Bucket;
  kind?: GroupKind;
  /** Only rows after this group id in snapshotSortKey order: where a paged listing continues. */
  after?: string;
}

const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

export class LegacySnapshotTables {
  readonly segmentRows: number;

  constructor(
    private readonly tables: TableFactory,
    options: SnapshotStoreOptions = {},
  ) {
    this.segmentRows = options.segmentRows ?? SEGMENT_ROWS;
    if (!Number.isInteger(this.segmentRows) || this.segmentRows < 1) throw new RangeError(`segmentRows must be a whole number from 1, got ${this.segmentRows}.`);
  }

  /** The segment for a page of a full scan, from the number of rows listed before it: the same on a resume. */
  segmentAfter(rowsBefore: number): number {
    return Math.floor(rowsBefore / this.segmentRows);
  }

  /**
   * Creates a writer for the scan, and segment 0's tables at once: every scan has them, even one of no groups,
   * and a storage problem shows before paging starts. Later segments' tables are created as their rows arrive,
   * all 17 at once (and those of any segment below not created yet), so each segment a scan used has every shard.
   */
  async createWriter(scanId: string, options?: SnapshotWriterOptions): Promise<SnapshotWriter> {
    const segments = new Map<number, Promise<SegmentTables>>();
    const tablesOf = (segment: number): Promise<SegmentTables> => {
      let tables = segments.get(segment);
      if (!tables) {
        // Every segment below exists too, so a scan's segment count always names tables that exist.
        const below = segment > 0 ? tablesOf(segment - 1) : Promise.resolve(null);
        tables = below.then(() => this.createSegmentTables(scanId, segment));
        tables.catch(() => segments.delete(segment)); // the next batch tries again
        segments.set(segment, tables);
      }
      return tables;
    };
    await tablesOf(0);
    return new SnapshotWriter(scanId, tablesOf, options);
  }

  private async createSegmentTables(scanId: string, segment: number): Promise<SegmentTables> {
    const clients = await Promise.all(
      SNAPSHOT_SHARDS.map(async (shard) => [shard, await this.tables.ensureTable(snapshotShardTableName(scanId, shard, segment))] as const),
    );
    return new Map(clients);
  }

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
