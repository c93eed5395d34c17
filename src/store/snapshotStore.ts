/**
 * Snapshot rows of one scan, in tables of their own (see keys.ts for the layout and why). Writing fills
 * Table Storage transactions (at most 100 entities of one partition) across pages, with bounded concurrency;
 * reading streams rows in snapshotSortKey order so two scans can be merged without holding either.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import { snapshotShardTableName } from './scanIds';
import { SNAPSHOT_SHARDS, snapshotAddress, snapshotShard } from './keys';
import { fromSnapshotEntity, snapshotEntityOf, toSnapshotEntity, type SnapshotEntity } from './snapshotEntity';

export const BATCH_SIZE = 100;

export interface SnapshotWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Rows handed to batches but not yet stored above which `add` waits (memory bound). */
  maxQueuedRows?: number;
}

type Upsert = TransactionAction;

/**
 * Accepts rows in any order. Each (table, partition) has a buffer that is sent as one transaction as soon as it
 * holds 100 rows, so batches stay full however the rows arrive; at most 256 buffers of 99 rows wait. `seal`
 * hands what is buffered to batches without waiting for them, and returns a promise that settles when every
 * row given so far is stored, which is what a checkpoint waits for: the scan goes on paging meanwhile.
 * Batches run at most `concurrency` at a time, first come first served; `add` waits while more than
 * `maxQueuedRows` rows are handed over but not stored, so memory stays bounded when storage is slower than Graph.
 */
export class SnapshotWriter {
  private readonly concurrency: number;
  private readonly maxQueuedRows: number;
  private readonly buffers = new Map<string, { shard: string; actions: Upsert[] }>();
  /** Batches waiting for a slot, in order. */
  private readonly waiting: Array<() => void> = [];
  private readonly roomWaiters: Array<() => void> = [];
  private readonly pending = new Set<Promise<void>>();
  private unsealed: Promise<void>[] = [];
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
    this.maxQueuedRows = options.maxQueuedRows ?? 10_000;
  }

  /** Buffers rows and sends full batches; waits only while too many rows are on their way to storage. */
  add(groups: readonly ClassifiedGroup[]): Promise<void> {
    return this.addEntities(groups.map(toSnapshotEntity));
  }

  /** `add` for rows already in stored form (a delta scan copying unchanged rows of its base). */
  async addEntities(entities: readonly SnapshotEntity[]): Promise<void> {
    for (const entity of entities) {
      const shard = snapshotShard(entity.groupId);
      const key = shard + entity.partitionKey;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = { shard, actions: [] }));
      buffer.actions.push(['upsert', entity as unknown as Record<string, unknown> & { partitionKey: string; rowKey: string }, 'Replace']);
      if (buffer.actions.length === BATCH_SIZE) {
        this.buffers.delete(key);
        this.send(buffer.shard, buffer.actions);
      }
    }
    while (this.queuedRows > this.maxQueuedRows && this.failure === null) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** Sends every partial batch; the promise it returns settles once every row added so far is stored. */
  seal(): { stored: Promise<void> } {
    if (this.failure) throw this.failure;
    for (const { shard, actions } of this.buffers.values()) this.send(shard, actions);
    this.buffers.clear();
    const stored = Promise.all(this.unsealed).then(() => undefined);
    this.unsealed = [];
    return { stored };
  }

  /** Sends and waits for everything; rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.failure === null) this.seal().stored.catch(() => undefined);
    await Promise.allSettled([...this.pending]);
    if (this.failure) throw this.failure;
  }

  private send(shard: string, actions: Upsert[]): void {
    this.queuedRows += actions.length;
    // An upsert batch is atomic and idempotent: retried (by the SDK) or replayed after a resume, it never
    // leaves half a batch or a duplicate row.
    const batch = this.slot()
      .then(() => {
        if (this.failure) throw this.failure; // after a failure, batches still waiting are not sent
        return this.tables.get(shard)!.submitTransaction(actions);
      })
      .then(
        () => {
          this.rowsWritten += actions.length;
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
        this.queuedRows -= actions.length;
        this.wake();
      });
    const tracked = batch.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    this.unsealed.push(batch);
  }

  /** Resolves when a slot is free, first come first served. */
  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running += 1;
        resolve();
      }),
    );
  }

  private wake(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) this.waiting.shift()!();
    if (this.queuedRows <= this.maxQueuedRows || this.failure !== null) {
      for (const resolve of this.roomWaiters.splice(0)) resolve();
    }
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
