/**
 * The groups assigned to a scan's Cloud Sync jobs, when they are too many for the scan record: a "selected
 * groups" job may have 10,000 of them (Microsoft's documented limit), 370 KB of ids, while one string property
 * of a table entity holds 64 KB. They go to a table of their own, one partition per scan, a few hundred ids
 * per row, so the scan record stays small enough to list scans cheaply.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { TableFactory } from './tableClients';
import { statusOf } from './tableClients';

export const CLOUD_SYNC_ASSIGNMENTS_TABLE = 'cloudsyncassignments';

/** 800 GUIDs and commas: 29,600 characters, within the 32,767 characters of one string property. */
const IDS_PER_ROW = 800;
const TRANSACTION_ROWS = 100;

type AssignmentRow = {
  partitionKey: string;
  rowKey: string;
  job: number;
  ids: string;
};

const partitionOf = (tenantId: string, scanId: string): string => `${tenantId}_${scanId}`;
const rowKeyOf = (job: number, chunk: number): string => `${String(job).padStart(4, '0')}_${String(chunk).padStart(6, '0')}`;

export class CloudSyncAssignmentStore {
  private readonly ready: Promise<TableClient>;

  constructor(tables: TableFactory) {
    this.ready = tables.ensureTable(CLOUD_SYNC_ASSIGNMENTS_TABLE);
    this.ready.catch(() => undefined); // surfaced on first use
  }

  /** Stores each job's list (by the job's position in the context); `null` entries are jobs without one. */
  async save(tenantId: string, scanId: string, lists: readonly (readonly string[] | null)[]): Promise<void> {
    const table = await this.ready;
    const partitionKey = partitionOf(tenantId, scanId);
    const actions: TransactionAction[] = [];
    lists.forEach((ids, job) => {
      if (!ids) return;
      for (let chunk = 0; chunk * IDS_PER_ROW < ids.length; chunk += 1) {
        const row: AssignmentRow = { partitionKey, rowKey: rowKeyOf(job, chunk), job, ids: ids.slice(chunk * IDS_PER_ROW, (chunk + 1) * IDS_PER_ROW).join(',') };
        actions.push(['upsert', row, 'Replace']);
      }
    });
    for (let i = 0; i < actions.length; i += TRANSACTION_ROWS) await table.submitTransaction(actions.slice(i, i + TRANSACTION_ROWS));
  }

  /** Each job's ids by job position; a job with no rows gets an empty list. */
  async load(tenantId: string, scanId: string, jobs: number): Promise<string[][]> {
    const table = await this.ready;
    const lists: string[][] = Array.from({ length: jobs }, () => []);
    const filter = odata`PartitionKey eq ${partitionOf(tenantId, scanId)}`;
    for await (const row of table.listEntities<AssignmentRow>({ queryOptions: { filter } })) {
      const job = Number(row.job);
      if (row.ids && lists[job]) lists[job]!.push(...row.ids.split(','));
    }
    return lists;
  }

  async delete(tenantId: string, scanId: string): Promise<void> {
    const table = await this.ready;
    const filter = odata`PartitionKey eq ${partitionOf(tenantId, scanId)}`;
    const actions: TransactionAction[] = [];
    for await (const row of table.listEntities<AssignmentRow>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      actions.push(['delete', { partitionKey: row.partitionKey, rowKey: row.rowKey }]);
    }
    for (let i = 0; i < actions.length; i += TRANSACTION_ROWS) {
      try {
        await table.submitTransaction(actions.slice(i, i + TRANSACTION_ROWS));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
  }
}
