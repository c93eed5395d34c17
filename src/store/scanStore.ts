/**
 * The scans table: one entity per scan under PartitionKey = tenant id, newest first. It holds status,
 * counts, tenant context, the resume checkpoint and the failure reason. Only a scan marked complete (after
 * every row is written) is ever used as a baseline.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { ScanCounts, ScanRecord, ScanStatus, ScanTrigger, TenantContext } from '../model';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import { assertScanId, scanIdFromRowKey, scanRowKey } from './scanIds';
import { LeaseLostError } from './scanLease';
import { randomUUID } from 'node:crypto';
import { emptyCounts } from '../classify/counts';
import { CloudSyncAssignmentStore } from './cloudSyncAssignmentStore';

/**
 * A tenant context longer than this keeps its Cloud Sync assignment lists in the assignments table (a string
 * property holds 32,767 characters; the rest of the context is far below that).
 */
const INLINE_CONTEXT_CHARS = 28_000;

export const SCANS_TABLE = 'scans';

export interface ScanCheckpoint {
  /** The Graph link of the next page to read; null once paging finished. */
  nextLink: string | null;
  pages: number;
  rowsWritten: number;
  counts: ScanCounts;
  at: Date;
}

export type SnapshotLayout = 'versions' | 'tables';

export interface StoredScan extends ScanRecord {
  checkpoint: ScanCheckpoint | null;
  /** How often the scan was resumed after an interruption or a paused invocation. */
  resumes: number;
  /** Where the next delta round starts (taken before a full scan pages, or at the end of a delta round). */
  deltaLink: string | null;
  deltaLinkAt: Date | null;
  /** Start of the last full scan this snapshot descends from (itself, for a full scan). */
  fullScanAt: Date | null;
  /**
   * How the snapshot is stored: `versions` (group versions and change chunks, see docs/storage.md) or `tables`,
   * the per-scan tables of earlier releases (legacySnapshotTables.ts), still read until retention removes them.
   */
  snapshotLayout: SnapshotLayout;
  /**
   * The complete scan this one's changes are relative to (the newest complete one when it started); null when it
   * had none in the versions layout, so it stored every group.
   */
  comparedWithScanId: string | null;
  /** Segments of a `tables` snapshot (legacySnapshotTables.ts); 1 for every other scan. */
  snapshotSegments: number;
  /** Optimistic concurrency: the record's ETag when read or last written by this process. */
  etag?: string | null;
  /** Counts saves, so a save whose answer was lost can recognise itself. */
  revision?: number;
}

interface ScanEntity {
  partitionKey: string;
  rowKey: string;
  scanId: string;
  trigger: string;
  status: string;
  startedAt: Date;
  finishedAt?: Date;
  counts: string;
  tenantContext?: string;
  /** JSON array, one entry per Cloud Sync job: true when its assigned groups are stored apart. */
  cloudSyncAssignmentsApart?: string;
  pages: number;
  retries: number;
  error?: string;
  checkpointNextLink?: string;
  checkpointPages?: number;
  checkpointRows?: number;
  checkpointCounts?: string;
  checkpointAt?: Date;
  resumes: number;
  mode?: string;
  baseScanId?: string;
  deltaLink?: string;
  deltaLinkAt?: Date;
  fullScanAt?: Date;
  revision?: number;
  writerId?: string;
  snapshotSegments?: number;
  snapshotLayout?: string;
  comparedWithScanId?: string;
}

/** What decides a new scan; everything else starts empty. */
export type NewScan = Pick<StoredScan, 'id' | 'tenantId' | 'trigger' | 'startedAt' | 'mode' | 'baseScanId' | 'fullScanAt'> & Partial<Pick<StoredScan, 'comparedWithScanId'>>;

/** The record of a scan that is just starting: running, nothing read or counted yet. */
export function newScanRecord(init: NewScan): StoredScan {
  return {
    comparedWithScanId: null,
    ...init,
    status: 'running',
    finishedAt: null,
    counts: emptyCounts(),
    tenantContext: null,
    pages: 0,
    retries: 0,
    error: null,
    checkpoint: null,
    resumes: 0,
    deltaLink: null,
    deltaLinkAt: null,
    snapshotLayout: 'versions',
    snapshotSegments: 1,
  };
}

export interface ListScansOptions {
  status?: ScanStatus;
  /** Only scans that started before this id's start (for paging and "previous scan" look-ups). */
  before?: string;
  top?: number;
  /** Also scans retention retired (hidden from every reader; the storage layer still needs their records). */
  includeRetired?: boolean;
}

export class ScanStore {
  private readonly ready: Promise<TableClient>;
  /** Tells this process's writes from another instance's. */
  private readonly writerId = randomUUID();
  private readonly assignments: CloudSyncAssignmentStore;
  /** Contexts whose assignment lists are already in the assignments table (written, or read from it). */
  private readonly storedApart = new WeakSet<object>();

  constructor(tables: TableFactory) {
    this.ready = tables.ensureTable(SCANS_TABLE);
    this.ready.catch(() => undefined); // surfaced on first use, not as an unhandled rejection
    this.assignments = new CloudSyncAssignmentStore(tables);
  }

  /** The scan as an entity; a large Cloud Sync assignment list is written apart first (once per scan). */
  private async entityOf(scan: StoredScan): Promise<ScanEntity> {
    const entity = toEntity(scan);
    const cloudSync = scan.tenantContext?.cloudSync;
    if (!cloudSync || !entity.tenantContext || entity.tenantContext.length <= INLINE_CONTEXT_CHARS) return entity;
    const apart = cloudSync.jobs.map((job) => job.assignedGroupIds !== null);
    if (!this.storedApart.has(cloudSync)) {
      await this.assignments.save(scan.tenantId, scan.id, cloudSync.jobs.map((job) => job.assignedGroupIds));
      this.storedApart.add(cloudSync);
    }
    const jobs = cloudSync.jobs.map((job) => ({ ...job, assignedGroupIds: job.assignedGroupIds && [] }));
    entity.tenantContext = JSON.stringify({ ...scan.tenantContext, cloudSync: { ...cloudSync, jobs } });
    entity.cloudSyncAssignmentsApart = JSON.stringify(apart);
    return entity;
  }

  /** The record with the assignment lists stored apart read back in. */
  private async hydrate(entity: TableEntityResult<ScanEntity>): Promise<StoredScan> {
    const scan = fromEntity(entity);
    const cloudSync = scan.tenantContext?.cloudSync;
    if (!entity.cloudSyncAssignmentsApart || !cloudSync) return scan;
    const apart = JSON.parse(entity.cloudSyncAssignmentsApart) as boolean[];
    const lists = await this.assignments.load(scan.tenantId, scan.id, cloudSync.jobs.length);
    cloudSync.jobs.forEach((job, index) => {
      if (apart[index]) job.assignedGroupIds = lists[index] ?? [];
    });
    this.storedApart.add(cloudSync);
    return scan;
  }

  async create(scan: StoredScan): Promise<void> {
    const table = await this.ready;
    const entity = { ...(await this.entityOf(scan)), revision: 0, writerId: this.writerId };
    try {
      scan.etag = (await table.createEntity(entity)).etag ?? null;
    } catch (error) {
      // Our own create, applied and retried after its answer was lost, meets itself: the id is random per scan.
      if (statusOf(error) !== 409) throw error;
      const existing = await this.get(scan.tenantId, scan.id);
      if (existing?.startedAt.getTime() !== scan.startedAt.getTime()) throw error;
      scan.etag = existing.etag ?? null;
    }
    scan.revision = 0;
  }

  /**
   * Replaces the stored scan record if nobody else wrote it since this process read or wrote it. An instance
   * that stalled past its lease, while another one carried the scan on, gets LeaseLostError instead of
   * overwriting the newer record.
   */
  async save(scan: StoredScan): Promise<void> {
    const table = await this.ready;
    const revision = (scan.revision ?? 0) + 1;
    const entity = { ...(await this.entityOf(scan)), revision, writerId: this.writerId };
    try {
      scan.etag = (await table.updateEntity(entity, 'Replace', { etag: scan.etag ?? '*' })).etag ?? null;
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
      // Our own save, applied and retried after its answer was lost, finds itself; anything else is another writer.
      const current = await table.getEntity<ScanEntity>(scan.tenantId, scanRowKey(scan.id));
      if (current.writerId !== this.writerId || Number(current.revision) !== revision) throw new LeaseLostError();
      scan.etag = current.etag ?? null;
    }
    scan.revision = revision;
  }

  async get(tenantId: string, scanId: string): Promise<StoredScan | null> {
    const table = await this.ready;
    try {
      const entity = await table.getEntity<ScanEntity>(tenantId, scanRowKey(scanId));
      if (entity.status === 'retired') return null; // deleted, as far as anyone asking is concerned
      return await this.hydrate(entity);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async require(tenantId: string, scanId: string): Promise<StoredScan> {
    const scan = await this.get(tenantId, assertScanId(scanId));
    if (!scan) throw new WritebackWatchError('NotFound', `Scan ${scanId} does not exist for this tenant. List scans with GET /api/scans.`);
    return scan;
  }

  /** `latest` (the newest complete scan) or a scan id; NotFound when there is none. */
  async resolve(tenantId: string, idOrLatest: string | null | undefined): Promise<StoredScan> {
    if (!idOrLatest) throw new WritebackWatchError('InvalidInput', 'A scan id (or "latest") is required.');
    if (idOrLatest.toLowerCase() === 'latest') {
      const latest = await this.latest(tenantId, 'complete');
      if (!latest) throw new WritebackWatchError('NotFound', 'No scan has completed yet. Start one with POST /api/scans.');
      return latest;
    }
    return this.require(tenantId, idOrLatest);
  }

  /** Newest first. Filters are built with the odata helper (values quoted), never from raw input. */
  async *list(tenantId: string, options: ListScansOptions = {}): AsyncGenerator<StoredScan> {
    const table = await this.ready;
    let filter = odata`PartitionKey eq ${tenantId}`;
    if (options.status) filter += odata` and status eq ${options.status}`;
    if (options.before) filter += odata` and RowKey gt ${scanRowKey(options.before)}`;
    let remaining = options.top ?? Number.POSITIVE_INFINITY;
    for await (const entity of table.listEntities<ScanEntity>({ queryOptions: { filter } })) {
      if (entity.status === 'retired' && !options.includeRetired) continue;
      if (remaining-- <= 0) return;
      yield await this.hydrate(entity);
    }
  }

  async latest(tenantId: string, status?: ScanStatus): Promise<StoredScan | null> {
    for await (const scan of this.list(tenantId, { status, top: 1 })) return scan;
    return null;
  }

  /** The newest complete scan that started before `scanId` (the baseline a diff or alert compares with). */
  async previousComplete(tenantId: string, scanId: string): Promise<StoredScan | null> {
    for await (const scan of this.list(tenantId, { status: 'complete', before: scanId, top: 1 })) return scan;
    return null;
  }

  async delete(tenantId: string, scanId: string): Promise<void> {
    const table = await this.ready;
    await table.deleteEntity(tenantId, scanRowKey(scanId));
    await this.assignments.delete(tenantId, scanId);
  }
}

function toEntity(scan: StoredScan): ScanEntity {
  const entity: ScanEntity = {
    partitionKey: scan.tenantId,
    rowKey: scanRowKey(scan.id),
    scanId: scan.id,
    trigger: scan.trigger,
    status: scan.status,
    startedAt: scan.startedAt,
    counts: JSON.stringify(scan.counts),
    pages: scan.pages,
    retries: scan.retries,
    resumes: scan.resumes,
    snapshotSegments: scan.snapshotSegments,
    snapshotLayout: scan.snapshotLayout,
  };
  if (scan.comparedWithScanId) entity.comparedWithScanId = scan.comparedWithScanId;
  entity.mode = scan.mode;
  if (scan.baseScanId) entity.baseScanId = scan.baseScanId;
  if (scan.deltaLink) entity.deltaLink = scan.deltaLink;
  if (scan.deltaLinkAt) entity.deltaLinkAt = scan.deltaLinkAt;
  if (scan.fullScanAt) entity.fullScanAt = scan.fullScanAt;
  if (scan.finishedAt) entity.finishedAt = scan.finishedAt;
  if (scan.tenantContext) entity.tenantContext = JSON.stringify(scan.tenantContext);
  if (scan.error) entity.error = scan.error.slice(0, 30_000);
  const cp = scan.checkpoint;
  if (cp) {
    if (cp.nextLink) entity.checkpointNextLink = cp.nextLink;
    entity.checkpointPages = cp.pages;
    entity.checkpointRows = cp.rowsWritten;
    entity.checkpointCounts = JSON.stringify(cp.counts);
    entity.checkpointAt = cp.at;
  }
  return entity;
}

function fromEntity(entity: TableEntityResult<ScanEntity>): StoredScan {
  const date = (value: unknown): Date | null => (value ? new Date(value as string | Date) : null);
  return {
    id: entity.scanId ?? scanIdFromRowKey(entity.rowKey),
    tenantId: entity.partitionKey,
    trigger: entity.trigger as ScanTrigger,
    status: entity.status as ScanStatus,
    startedAt: date(entity.startedAt)!,
    finishedAt: date(entity.finishedAt),
    counts: JSON.parse(entity.counts) as ScanCounts,
    tenantContext: entity.tenantContext ? readTenantContext(entity.tenantContext) : null,
    pages: Number(entity.pages ?? 0),
    retries: Number(entity.retries ?? 0),
    error: entity.error ?? null,
    resumes: Number(entity.resumes ?? 0),
    mode: entity.mode === 'delta' ? 'delta' : 'full',
    baseScanId: entity.baseScanId ?? null,
    deltaLink: entity.deltaLink ?? null,
    deltaLinkAt: date(entity.deltaLinkAt),
    fullScanAt: date(entity.fullScanAt),
    etag: entity.etag ?? null,
    revision: Number(entity.revision ?? 0),
    snapshotSegments: Number(entity.snapshotSegments ?? 1),
    // Records written before the layout was recorded are per-scan tables.
    snapshotLayout: entity.snapshotLayout === 'versions' ? 'versions' : 'tables',
    comparedWithScanId: entity.comparedWithScanId ?? null,
    checkpoint:
      entity.checkpointCounts !== undefined
        ? {
            nextLink: entity.checkpointNextLink ?? null,
            pages: Number(entity.checkpointPages ?? 0),
            rowsWritten: Number(entity.checkpointRows ?? 0),
            counts: JSON.parse(entity.checkpointCounts) as ScanCounts,
            at: date(entity.checkpointAt)!,
          }
        : null,
  };
}

/** A stored tenant context; fields added since older scans were stored read as unknown (null). */
function readTenantContext(json: string): TenantContext {
  const stored = JSON.parse(json) as Partial<TenantContext>;
  return { groupWritebackFeatureUnknownReason: null, cloudSync: null, ...stored } as TenantContext;
}

/** A failed or running scan is never read as a result or used as a baseline. `use` says what it was wanted for. */
export function requireCompleteScan(scan: StoredScan, use = 'used'): StoredScan {
  if (scan.status !== 'complete') {
    const why = scan.status === 'failed' ? `it failed: ${scan.error ?? 'no reason recorded'}` : 'it is still running';
    throw new WritebackWatchError('ScanNotComplete', `Scan ${scan.id} cannot be ${use} because ${why}. Use a complete scan (GET /api/scans?status=complete).`);
  }
  return scan;
}
