/**
 * The writer of the per-scan snapshot tables earlier releases stored (the product only reads and deletes those now:
 * src/store/legacySnapshotTables.ts). Tests use it to store a tenant the old way, as the reference the version
 * layout must read back identically, and to build old-layout scans for the reader's own tests.
 *
 * A full scan stored its rows in segments: the groups Graph listed first went to segment 0, the next SEGMENT_ROWS to
 * segment 1, and so on, each segment a set of 17 tables of its own, so that no partition grew with the tenant.
 */
import type { TableClient } from '@azure/data-tables';
import type { ClassifiedGroup } from '../../src/model';
import { WritebackWatchError } from '../../src/errors';
import { Slots } from '../../src/store/slots';
import { statusOf, type TableFactory } from '../../src/store/tableClients';
import { snapshotShardTableName } from '../../src/store/scanIds';
import { SNAPSHOT_SHARDS, snapshotShard } from '../../src/store/keys';
import { toSnapshotEntity, type SnapshotEntity } from '../../src/store/snapshotEntity';
import { MAX_BATCH_ENTITIES, submitStringBatch } from '../../src/store/tableTransaction';
import { LegacySnapshotTables } from '../../src/store/legacySnapshotTables';

/** Rows a writer puts in one transaction: all the service takes. */
export const BATCH_SIZE = MAX_BATCH_ENTITIES;
/** Groups per segment, in the order Graph lists them. */
export const SEGMENT_ROWS = 50_000;

export interface SnapshotStoreOptions {
  /** Groups per segment (SEGMENT_ROWS); smaller only to exercise several segments with a small tenant. */
  segmentRows?: number;
}

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

/** The old layout's tables with their writer: reads as the product reads them, writes as earlier releases wrote them. */
export class LegacySnapshotTablesWithWriter extends LegacySnapshotTables {
  readonly segmentRows: number;

  constructor(tables: TableFactory, options: SnapshotStoreOptions = {}) {
    super(tables);
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
}
