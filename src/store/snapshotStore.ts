/**
 * Snapshot rows of one scan, in tables of their own (see keys.ts for the layout and why). Writing fills
 * Table Storage transactions (at most 100 entities of one partition) across pages, with bounded concurrency;
 * reading streams rows in snapshotSortKey order so two scans can be merged without holding either.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import { WritebackWatchError } from '../errors';
import type { TableFactory } from './tableClients';
import { snapshotShardTableName } from './scanIds';
import { SNAPSHOT_SHARDS, snapshotAddress, snapshotShard } from './keys';
import { fromSnapshotEntity, toSnapshotEntity, type SnapshotEntity } from './snapshotEntity';

export const BATCH_SIZE = 100;

export interface SnapshotWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
}

type Upsert = TransactionAction;

/**
 * Accepts rows in any order. Each (table, partition) has a buffer that is sent as one transaction as soon as it
 * holds 100 rows, so batches stay full however the rows arrive; at most 256 buffers of 99 rows wait. `seal`
 * sends what is buffered and hands back a promise that settles when every row given so far is stored, which
 * is what a checkpoint waits for.
 */
export class SnapshotWriter {
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly buffers = new Map<string, { shard: string; actions: Upsert[] }>();
  private unsealed: Promise<void>[] = [];
  private failure: unknown = null;
  rowsWritten = 0;
  batches = 0;

  constructor(
    private readonly scanId: string,
    private readonly tables: ReadonlyMap<string, TableClient>,
    options: SnapshotWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
  }

  /** Buffers rows; returns once any full batches are sent (waiting only when too many are in flight). */
  async add(groups: readonly ClassifiedGroup[]): Promise<void> {
    for (const group of groups) {
      const entity = toSnapshotEntity(group);
      const shard = snapshotShard(group.id);
      const key = shard + entity.partitionKey;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = { shard, actions: [] }));
      buffer.actions.push(['upsert', entity as unknown as Record<string, unknown> & { partitionKey: string; rowKey: string }, 'Replace']);
      if (buffer.actions.length === BATCH_SIZE) {
        this.buffers.delete(key);
        await this.submit(buffer.shard, buffer.actions);
      }
    }
  }

  /** Sends every partial batch; the promise it returns settles once every row added so far is stored. */
  async seal(): Promise<{ stored: Promise<void> }> {
    const partial = [...this.buffers.values()];
    this.buffers.clear();
    for (const { shard, actions } of partial) await this.submit(shard, actions);
    const stored = Promise.all(this.unsealed).then(() => undefined);
    this.unsealed = [];
    // Promises nest only inside an object: an async function would flatten a returned promise.
    return { stored };
  }

  /** Sends and waits for everything; rethrows the first failure. */
  async flush(): Promise<void> {
    const { stored } = await this.seal();
    await stored.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (this.failure) throw this.failure;
  }

  private async submit(shard: string, actions: Upsert[]): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
    }
    // An upsert batch is atomic and idempotent: retried (by the SDK) or replayed after a resume, it never
    // leaves half a batch or a duplicate row.
    const batch = this.tables
      .get(shard)!
      .submitTransaction(actions)
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
            { statusCode: (error as { statusCode?: number }).statusCode },
            { cause: error },
          );
          throw this.failure;
        },
      );
    const tracked = batch.finally(() => this.inFlight.delete(tracked)).catch(() => undefined);
    this.inFlight.add(tracked);
    this.unsealed.push(batch);
  }
}

export interface SnapshotQuery {
  bucket?: Bucket;
  kind?: GroupKind;
}

const isNotFound = (error: unknown): boolean => (error as { statusCode?: number }).statusCode === 404;

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
    const filters: string[] = [];
    if (query.bucket) filters.push(odata`bucket eq ${query.bucket}`);
    if (query.kind) filters.push(odata`kind eq ${query.kind}`);
    const queryOptions = filters.length ? { filter: filters.join(' and ') } : undefined;
    for (const shard of SNAPSHOT_SHARDS) {
      const table = this.tables.table(snapshotShardTableName(scanId, shard));
      try {
        for await (const entity of table.listEntities<SnapshotEntity>({ queryOptions })) {
          yield fromSnapshotEntity(entity as unknown as Record<string, unknown>);
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
