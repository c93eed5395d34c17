/**
 * Snapshot rows of one scan, in a table of their own (see keys.ts for why). Writing is batched per partition
 * (Table Storage transactions take at most 100 entities of one partition) with bounded concurrency; reading
 * streams rows in snapshotSortKey order so two scans can be merged without holding either.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Bucket, ClassifiedGroup, GroupKind } from '../model';
import type { TableFactory } from './tableClients';
import { snapshotTableName } from './scanIds';
import { fromSnapshotEntity, toSnapshotEntity, type SnapshotEntity } from './snapshotEntity';

export const BATCH_SIZE = 100;

export interface SnapshotWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
}

/**
 * Accepts rows a page at a time. `writePage` returns once the page's rows are buffered (waiting only when
 * too many batches are in flight) and hands back a promise that settles when every row of that page is stored,
 * which is what a checkpoint waits for.
 */
export class SnapshotWriter {
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  rowsWritten = 0;
  batches = 0;

  constructor(
    private readonly table: TableClient,
    options: SnapshotWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
  }

  async writePage(groups: readonly ClassifiedGroup[]): Promise<{ stored: Promise<void> }> {
    const byPartition = new Map<string, TransactionAction[]>();
    for (const group of groups) {
      const entity = toSnapshotEntity(group);
      let actions = byPartition.get(entity.partitionKey);
      if (!actions) byPartition.set(entity.partitionKey, (actions = []));
      actions.push(['upsert', entity as unknown as Record<string, unknown> & { partitionKey: string; rowKey: string }, 'Replace']);
    }
    const pageBatches: Promise<void>[] = [];
    for (const actions of byPartition.values()) {
      for (let i = 0; i < actions.length; i += BATCH_SIZE) {
        pageBatches.push((await this.submit(actions.slice(i, i + BATCH_SIZE))).stored);
      }
    }
    // Promises nest only inside an object: an async function would flatten a returned promise.
    return { stored: Promise.all(pageBatches).then(() => undefined) };
  }

  /** Waits for every batch; rethrows the first failure. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (this.failure) throw this.failure;
  }

  private async submit(actions: TransactionAction[]): Promise<{ stored: Promise<void> }> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
    }
    // An upsert batch is atomic and idempotent: retried (by the SDK) or replayed after a resume, it never
    // leaves half a batch or a duplicate row.
    const batch = this.table.submitTransaction(actions).then(
      () => {
        this.rowsWritten += actions.length;
        this.batches += 1;
      },
      (error: unknown) => {
        this.failure ??= error;
        throw error;
      },
    );
    const tracked = batch.finally(() => this.inFlight.delete(tracked)).catch(() => undefined);
    this.inFlight.add(tracked);
    return { stored: batch };
  }
}

export interface SnapshotQuery {
  bucket?: Bucket;
  kind?: GroupKind;
}

export class SnapshotStore {
  constructor(private readonly tables: TableFactory) {}

  async createWriter(scanId: string, options?: SnapshotWriterOptions): Promise<SnapshotWriter> {
    return new SnapshotWriter(await this.tables.ensureTable(snapshotTableName(scanId)), options);
  }

  /** Every row of a scan in snapshotSortKey order (Table Storage orders by PartitionKey, then RowKey). */
  async *readGroups(scanId: string, query: SnapshotQuery = {}): AsyncGenerator<ClassifiedGroup> {
    const table = this.tables.table(snapshotTableName(scanId));
    const filters: string[] = [];
    if (query.bucket) filters.push(odata`bucket eq ${query.bucket}`);
    if (query.kind) filters.push(odata`kind eq ${query.kind}`);
    const queryOptions = filters.length ? { filter: filters.join(' and ') } : undefined;
    for await (const entity of table.listEntities<SnapshotEntity>({ queryOptions })) {
      yield fromSnapshotEntity(entity as unknown as Record<string, unknown>);
    }
  }

  async readGroup(scanId: string, partitionKey: string, rowKey: string): Promise<ClassifiedGroup | null> {
    try {
      const entity = await this.tables.table(snapshotTableName(scanId)).getEntity(partitionKey, rowKey);
      return fromSnapshotEntity(entity);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  /** Retention: one DeleteTable call removes a whole scan, however many rows it has. */
  async deleteSnapshot(scanId: string): Promise<void> {
    try {
      await this.tables.deleteTable(snapshotTableName(scanId));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
}
