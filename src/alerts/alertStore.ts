/**
 * The alerts table (`<prefix>alerts`). Two kinds of entity:
 *
 * - the alert itself: PartitionKey = tenant id, RowKey = `<inverted occurredAt ms, 16 digits>-<alert id>`,
 *   so a plain partition query lists newest first and pages with Table Storage's own continuation;
 * - a lookup entity: PartitionKey = `alertIds`, RowKey = alert id, pointing at the alert's keys, so
 *   "already recorded?" and acknowledging by id are point reads.
 *
 * The alert id is the dedupe key and `occurredAt` comes from the scans, not the clock, so a re-run computes
 * the same RowKey: recording is idempotent even when a crash left the alert without its lookup entity
 * (the create then answers 409, the existing alert is read, and the lookup entity is written again).
 * No number is stored as Int64 (attempt counts live in the deliveries JSON), so nothing comes back as bigint.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { WritebackWatchError } from '../errors';
import type { Severity } from '../model';
import { retryPolicy, withRetries } from '../retry/retryPolicy';
import { statusOf, type TableFactory } from '../store/tableClients';
import type { AlertCandidate, AlertState } from './candidate';
import type { AlertRuleId } from './rules';
import { actorColumns, actorFromColumns, recordPrincipal, type Actor } from '../auth/actor';
import { hasRole, type Principal } from '../auth/principal';

export const ALERTS_TABLE = 'alerts';
const LOOKUP_PARTITION = 'alertIds';
/** Largest millisecond a JavaScript Date can hold; inverted times count down from it. */
const MAX_TIME_MS = 8_640_000_000_000_000;
/** Table Storage strings hold 64 KiB (32K UTF-16 characters); stay well below. */
const MAX_JSON_CHARS = 30_000;
/**
 * A lost optimistic-concurrency race (412) is retried at once: the other writer has finished, so reading the
 * alert again and merging on top is all it takes.
 */
const MERGE_RETRY = retryPolicy({ maxAttempts: 5, baseDelayMs: 0, maxDelayMs: 0, retryAfter: 'replacesBackoff' });

export type AlertStatus = 'open' | 'acknowledged';

export interface DeliveryRecord {
  status: 'delivered' | 'failed';
  /** Attempts over every run that tried this channel. */
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string;
  deliveredAt: string | null;
}

export type Deliveries = Record<string, DeliveryRecord>;

export interface StoredAlert extends AlertCandidate {
  status: AlertStatus;
  recordedAt: Date;
  acknowledgedAt: Date | null;
  /** The signed-in principal that acknowledged it; `legacy` for a name recorded before sign-in existed. */
  acknowledgedBy: Actor | null;
  /** What the person who acknowledged the alert wrote, if anything. */
  acknowledgementNote: string | null;
  /** Per channel name. A channel missing here was never tried. */
  deliveries: Deliveries;
}

export interface AlertPage {
  items: StoredAlert[];
  /** Pass back as `continuation` for the next page; null on the last page. */
  continuation: string | null;
}

export interface ListAlertsOptions {
  tenantId: string;
  /** 1-1000, default 50. */
  top?: number;
  continuation?: string | null;
  /** Only alerts in this state (filtered on the server). */
  status?: AlertStatus;
}

interface AlertEntity {
  partitionKey: string;
  rowKey: string;
  alertId: string;
  ruleId: string;
  severity: string;
  groupId?: string;
  groupName?: string;
  title: string;
  before?: string;
  after?: string;
  details: string;
  fromScanId?: string;
  toScanId?: string;
  occurredAt: Date;
  recordedAt: Date;
  status: string;
  acknowledgedAt?: Date;
  /** Readable line; on alerts acknowledged before sign-in existed, the only record of who. */
  acknowledgedBy?: string;
  acknowledgementNote?: string;
  deliveries: string;
  // acknowledgedByKind, acknowledgedByObjectId, … (src/auth/actor.ts)
  [column: string]: unknown;
}

interface LookupEntity {
  partitionKey: string;
  rowKey: string;
  tenantId: string;
  alertRowKey: string;
}

export function alertRowKey(occurredAt: Date, id: string): string {
  return `${String(MAX_TIME_MS - occurredAt.getTime()).padStart(16, '0')}-${id}`;
}

export class AlertStore {
  private readonly ready: Promise<TableClient>;

  constructor(tables: TableFactory) {
    this.ready = tables.ensureTable(ALERTS_TABLE);
  }

  /** Records the alert unless its dedupe key is already stored. `created` says which happened. */
  async recordAlert(candidate: AlertCandidate, options: { now: Date }): Promise<{ alert: StoredAlert; created: boolean }> {
    const existing = await this.getAlert(candidate.id);
    if (existing) return { alert: existing, created: false };
    const table = await this.ready;
    const entity = toEntity(candidate, options.now);
    let created = true;
    try {
      await table.createEntity(entity);
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      created = false;
    }
    const lookup: LookupEntity = {
      partitionKey: LOOKUP_PARTITION,
      rowKey: candidate.id,
      tenantId: candidate.tenantId,
      alertRowKey: entity.rowKey,
    };
    await table.upsertEntity(lookup, 'Replace');
    if (created) return { alert: fromEntity(entity), created };
    const stored = await table.getEntity<AlertEntity>(entity.partitionKey, entity.rowKey);
    return { alert: fromEntity(stored), created };
  }

  async getAlert(id: string): Promise<StoredAlert | null> {
    const found = await this.findEntity(id);
    return found ? fromEntity(found) : null;
  }

  /** Newest first, one page at a time. */
  async listAlerts(options: ListAlertsOptions): Promise<AlertPage> {
    const top = options.top ?? 50;
    if (!Number.isInteger(top) || top < 1 || top > 1000) {
      throw new WritebackWatchError('InvalidInput', `top must be a whole number from 1 to 1000 (got ${top}).`, { field: 'top' });
    }
    const table = await this.ready;
    const pages = table
      .listEntities<AlertEntity>({
        queryOptions: {
          filter: options.status ? odata`PartitionKey eq ${options.tenantId} and status eq ${options.status}` : odata`PartitionKey eq ${options.tenantId}`,
        },
      })
      .byPage({ maxPageSize: top, ...(options.continuation ? { continuationToken: options.continuation } : {}) });
    let page;
    try {
      page = await pages.next();
    } catch (error) {
      if (options.continuation && statusOf(error) === undefined) {
        throw new WritebackWatchError('InvalidInput', 'continuation is not a token returned by a previous page of alerts.', { field: 'continuation' });
      }
      throw error;
    }
    if (page.done || !page.value) return { items: [], continuation: null };
    return { items: page.value.map(fromEntity), continuation: page.value.continuationToken ?? null };
  }

  /** Merges per-channel delivery records into the alert's (channels not named keep theirs). */
  async updateDeliveries(id: string, deliveries: Deliveries): Promise<StoredAlert> {
    const table = await this.ready;
    const result = await withRetries(MERGE_RETRY, async () => {
      const entity = await this.requireEntity(id);
      const merged: Deliveries = { ...parseJson<Deliveries>(entity.deliveries, {}), ...deliveries };
      try {
        await table.updateEntity(
          { partitionKey: entity.partitionKey, rowKey: entity.rowKey, deliveries: JSON.stringify(merged) },
          'Merge',
          { etag: entity.etag },
        );
        return { ok: true, value: fromEntity({ ...entity, deliveries: JSON.stringify(merged) }) };
      } catch (error) {
        // 412: someone else updated the alert meanwhile; read it again and merge on top.
        return { ok: false, failure: { retryable: statusOf(error) === 412, retryAfterMs: null, error } };
      }
    });
    if (!result.ok) throw result.failure.error;
    return result.value;
  }

  /** Marks the alert acknowledged by `by` (an Approver, signed in), with when and an optional note. */
  async acknowledgeAlert(id: string, options: { by: Principal; note?: string | null; now?: Date }): Promise<StoredAlert> {
    if (!hasRole(options.by, 'Approver')) throw new WritebackWatchError('Forbidden', 'Acknowledging an alert needs the Approver role of this app.');
    const table = await this.ready;
    const entity = await this.requireEntity(id);
    const change: Pick<AlertEntity, 'partitionKey' | 'rowKey' | 'status' | 'acknowledgedAt'> & Record<string, unknown> = {
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      status: 'acknowledged',
      acknowledgedAt: options.now ?? new Date(),
      ...actorColumns('acknowledgedBy', recordPrincipal(options.by)),
    };
    const note = options.note?.trim();
    if (note) change.acknowledgementNote = note.slice(0, 1_000);
    await table.updateEntity(change, 'Merge');
    return fromEntity({ ...entity, ...change });
  }

  /** Scan ids referenced by open alerts: retention keeps these scans so the alerts' reports still open. */
  async listOpenAlertScanIds(tenantId: string): Promise<Set<string>> {
    const table = await this.ready;
    const ids = new Set<string>();
    const entities = table.listEntities<Pick<AlertEntity, 'fromScanId' | 'toScanId'>>({
      queryOptions: { filter: odata`PartitionKey eq ${tenantId} and status eq ${'open'}`, select: ['fromScanId', 'toScanId'] },
    });
    for await (const entity of entities) {
      if (entity.fromScanId) ids.add(entity.fromScanId);
      if (entity.toScanId) ids.add(entity.toScanId);
    }
    return ids;
  }

  private async findEntity(id: string): Promise<TableEntityResult<AlertEntity> | null> {
    if (!/^[0-9a-f]{32}$/.test(id)) return null;
    const table = await this.ready;
    let lookup: LookupEntity;
    try {
      lookup = await table.getEntity<LookupEntity>(LOOKUP_PARTITION, id);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
    try {
      return await table.getEntity<AlertEntity>(lookup.tenantId, lookup.alertRowKey);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  private async requireEntity(id: string): Promise<TableEntityResult<AlertEntity>> {
    const entity = await this.findEntity(id);
    if (!entity) throw new WritebackWatchError('NotFound', `Alert ${id.slice(0, 64)} does not exist. List alerts to find its id.`);
    return entity;
  }
}

function toEntity(alert: AlertCandidate, recordedAt: Date): AlertEntity {
  const entity: AlertEntity = {
    partitionKey: alert.tenantId,
    rowKey: alertRowKey(alert.occurredAt, alert.id),
    alertId: alert.id,
    ruleId: alert.ruleId,
    severity: alert.severity,
    title: alert.title.slice(0, 2_000),
    details: cappedJson(alert.details),
    occurredAt: alert.occurredAt,
    recordedAt,
    status: 'open',
    deliveries: '{}',
  };
  if (alert.groupId) entity.groupId = alert.groupId;
  if (alert.groupName) entity.groupName = alert.groupName.slice(0, 1_000);
  if (alert.before) entity.before = JSON.stringify(alert.before);
  if (alert.after) entity.after = JSON.stringify(alert.after);
  if (alert.fromScanId) entity.fromScanId = alert.fromScanId;
  if (alert.toScanId) entity.toScanId = alert.toScanId;
  return entity;
}

/**
 * The details JSON within the property size limit. Only a mass change's example list can grow; it is
 * shortened first, and a marker says so.
 */
export function cappedJson(details: Record<string, unknown>): string {
  let json = JSON.stringify(details);
  if (json.length <= MAX_JSON_CHARS) return json;
  const examples = Array.isArray(details.examples) ? [...(details.examples as unknown[])] : [];
  while (examples.length > 0) {
    examples.splice(Math.floor(examples.length / 2));
    json = JSON.stringify({ ...details, examples, truncated: true });
    if (json.length <= MAX_JSON_CHARS) return json;
  }
  return JSON.stringify({ truncated: true, fields: Object.keys(details) });
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function fromEntity(entity: AlertEntity): StoredAlert {
  const date = (value: unknown): Date | null => (value ? new Date(value as string | Date) : null);
  return {
    id: entity.alertId,
    dedupeKey: entity.alertId,
    tenantId: entity.partitionKey,
    ruleId: entity.ruleId as AlertRuleId,
    severity: entity.severity as Severity,
    groupId: entity.groupId ?? null,
    groupName: entity.groupName ?? null,
    title: entity.title,
    before: parseJson<AlertState | null>(entity.before, null),
    after: parseJson<AlertState | null>(entity.after, null),
    details: parseJson<Record<string, unknown>>(entity.details, {}),
    fromScanId: entity.fromScanId ?? null,
    toScanId: entity.toScanId ?? null,
    occurredAt: date(entity.occurredAt)!,
    recordedAt: date(entity.recordedAt)!,
    status: entity.status === 'acknowledged' ? 'acknowledged' : 'open',
    acknowledgedAt: date(entity.acknowledgedAt),
    acknowledgedBy: actorFromColumns('acknowledgedBy', entity),
    acknowledgementNote: entity.acknowledgementNote ?? null,
    deliveries: parseJson<Deliveries>(entity.deliveries, {}),
  };
}
