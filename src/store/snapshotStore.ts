/**
 * Snapshot rows of one scan, in tables of their own (see keys.ts for the layout and why). Writing fills
 * Table Storage transactions (at most 100 entities of one partition) across pages, with bounded concurrency;
 * reading streams rows in snapshotSortKey order so two scans can be merged without holding either.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import { snapshotShardTableName } from './scanIds';
import { SNAPSHOT_SHARDS, snapshotAddress, snapshotShard } from './keys';
import { fromSnapshotEntity, snapshotEntityOf, toSnapshotEntity, type SnapshotEntity } from './snapshotEntity';
import { submitStringBatch } from './tableTransaction';

export const BATCH_SIZE = 100;

export interface SnapshotWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Rows handed to batches but not yet stored above which `add` waits (memory bound). */
  maxQueuedRows?: number;
  /** Rows waiting in partial batches above which the fullest is sent part-filled. */
  maxBufferedRows?: number;
  /** When storage has nothing to do, the fullest partial batch is sent if it holds at least this many rows. */
  idleBatchRows?: number;
}

interface PartitionBuffer {
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
 * Rows are added with the number of the Graph page they came from: `storedThrough(page)` sends the buffers
 * holding rows of that page or earlier and returns a promise that settles when those rows are stored, which is
 * what a checkpoint waits for while the scan goes on paging. Batches run at most `concurrency` at a time, first
 * come first served; `add` waits while more than `maxQueuedRows` rows are handed over but not stored, so memory
 * stays bounded when storage is slower than Graph.
 */
export class SnapshotWriter {
  private readonly concurrency: number;
  private readonly maxQueuedRows: number;
  private readonly maxBufferedRows: number;
  private readonly idleBatchRows: number;
  private readonly buffers = new Map<string, PartitionBuffer>();
  private bufferedRows = 0;
  /** Batches waiting for a slot, in order. */
  private readonly waiting: Array<() => void> = [];
  private readonly roomWaiters: Array<() => void> = [];
  /** Batches sent and not yet settled. */
  private readonly inFlight = new Set<Promise<void>>();
  private running = 0;
  private queuedRows = 0;
  private failure: unknown = null;
  rowsWritten = 0;
  batches = 0;

  constructor(
    private readonly scanId: string,
    private readonly tables: ReadonlyMap<string, TableClient>,
    options: SnapshotWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.maxQueuedRows = options.maxQueuedRows ?? 4_000;
    this.maxBufferedRows = options.maxBufferedRows ?? 12_000;
    this.idleBatchRows = options.idleBatchRows ?? 20;
  }

  /**
   * Buffers rows and sends full batches; waits only while too many rows are on their way to storage. `page`
   * numbers where the rows came from, for `storedThrough`.
   */
  add(groups: readonly ClassifiedGroup[], page = 0): Promise<void> {
    return this.addEntities(groups.map(toSnapshotEntity), page);
  }

  /** `add` for rows already in stored form (a delta scan copying unchanged rows of its base). */
  async addEntities(entities: readonly SnapshotEntity[], page = 0): Promise<void> {
    for (const entity of entities) {
      const shard = snapshotShard(entity.groupId);
      const key = shard + entity.partitionKey;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = { shard, rows: [], firstPage: page }));
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
    this.send(buffer.shard, buffer.rows);
  }

  private send(shard: string, rows: SnapshotEntity[]): void {
    this.queuedRows += rows.length;
    const batch = this.slot()
      .then(() => {
        if (this.failure) throw this.failure; // after a failure, batches still waiting are not sent
        return storeBatch(this.tables.get(shard)!, rows);
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
        this.running -= 1;
        this.queuedRows -= rows.length;
        this.wake();
      });
    this.inFlight.add(batch);
    batch.then(
      () => this.inFlight.delete(batch),
      () => this.inFlight.delete(batch),
    );
  }

  /**
   * Resolves when a slot is free, first come first served. Each batch starts in a turn of the event loop of its
   * own, so that building transactions (a few milliseconds each) does not hold up the arrival of the next Graph
   * page in one long stretch.
   */
  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running += 1;
        setImmediate(resolve);
      }),
    );
  }

  private wake(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) this.waiting.shift()!();
    if (this.running === 0 && this.failure === null) this.sendFullest(this.idleBatchRows);
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
}

const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

export class SnapshotStore {
  constructor(private readonly tables: TableFactory) {}

  /** Creates the scan's tables (all of them, so a complete scan always has every shard) and a writer. */
  async createWriter(scanId: string, options?: SnapshotWriterOptions): Promise<SnapshotWriter> {
    const clients = await Promise.all(
      SNAPSHOT_SHARDS.map(async (shard) => [shard, await this.tables.ensureTable(snapshotShardTableName(scanId, shard))] as const),
    );
    return new SnapshotWriter(scanId, new Map(clients), options);
  }

  /** Every row of a scan in snapshotSortKey order: shard by shard, each ordered by PartitionKey, then RowKey. */
  async *readGroups(scanId: string, query: SnapshotQuery = {}): AsyncGenerator<ClassifiedGroup> {
    for await (const entity of this.readEntities(scanId, query)) yield fromSnapshotEntity(entity as unknown as Record<string, unknown>);
  }

  /** `readGroups` in stored form, for copying rows without decoding them. */
  async *readEntities(scanId: string, query: SnapshotQuery = {}): AsyncGenerator<SnapshotEntity> {
    const filters: string[] = [];
    if (query.bucket) filters.push(odata`bucket eq ${query.bucket}`);
    if (query.kind) filters.push(odata`kind eq ${query.kind}`);
    const queryOptions = filters.length ? { filter: filters.join(' and ') } : undefined;
    for (const shard of SNAPSHOT_SHARDS) {
      const table = this.tables.table(snapshotShardTableName(scanId, shard));
      try {
        for await (const entity of table.listEntities<SnapshotEntity>({ queryOptions })) {
          yield snapshotEntityOf(entity as unknown as Record<string, unknown>);
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
        throw new WritebackWatchError('NotFound', `The rows of scan ${scanId} are gone (table ${table.tableName} is missing); retention may have deleted the scan. List the scans that remain with GET /api/scans.`, undefined, { cause: error });
      }
    }
  }

  async readGroup(scanId: string, groupId: string): Promise<ClassifiedGroup | null> {
    const { shard, partitionKey, rowKey } = snapshotAddress(groupId);
    try {
      const entity = await this.tables.table(snapshotShardTableName(scanId, shard)).getEntity(partitionKey, rowKey);
      return fromSnapshotEntity(entity);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Retention: one DeleteTable call per shard removes a whole scan, however many rows it has. */
  async deleteSnapshot(scanId: string): Promise<void> {
    for (const shard of SNAPSHOT_SHARDS) {
      try {
        await this.tables.deleteTable(snapshotShardTableName(scanId, shard));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}
