/**
 * The attributions table (`<prefix>attributions`): who made each change of a diff, kept beside the diff because
 * the audit log ages out (7 or 30 days) and the record must not. Two kinds of entity:
 *
 * - per change: PartitionKey = `<tenant>_<from scan>_<to scan>`, RowKey = the group's snapshot sort key, so a
 *   partition lists in the order the diff streams its changes and the two can be joined without holding either;
 *   tenant-wide changes use `~tenant~<field>`, which sorts after every group;
 * - per scan pair: PartitionKey = `pairs_<tenant>`, RowKey = `<from>_<to>`, with the window, the counts per status
 *   and whether some of its lookups are to be repeated on the next run (pending, throttled).
 *
 * Every property is a string (JSON for structures): nothing comes back as bigint.
 */
import type { TableClient } from '@azure/data-tables';
import type { AttributionStatus, ChangeAttribution, ChangeType, TenantContextChange } from '../model';
import { snapshotSortKey } from './keys';
import type { TableFactory } from './tableClients';
import { statusOf } from './tableClients';
import { MAX_BATCH_ENTITIES, submitStringBatch } from './tableTransaction';
import { deleteKeys } from './versionStore';

export const ATTRIBUTIONS_TABLE = 'attributions';
/** Table Storage strings hold 32K UTF-16 characters; stay below. */
const MAX_JSON_CHARS = 30_000;
const TENANT_ROW_PREFIX = '~tenant~';

export interface AttributionRecord {
  /** The group, or null for a tenant-wide change. */
  groupId: string | null;
  /** The tenant-context field, for tenant-wide changes. */
  field: TenantContextChange['field'] | null;
  changeTypes: ChangeType[];
  attribution: ChangeAttribution;
  /** Looked up again on the next run (pending, throttled, or a candidate whose window was young). */
  retry: boolean;
  matcherVersion: number;
}

export interface AttributionPair {
  fromScanId: string;
  toScanId: string;
  /** ISO times of the two scans, so a retry needs no scan lookup. */
  fromStartedAt: string;
  toStartedAt: string;
  toFinishedAt: string | null;
  counts: Partial<Record<AttributionStatus, number>>;
  retry: boolean;
  updatedAt: string;
}

interface RecordEntity {
  partitionKey: string;
  rowKey: string;
  groupId?: string;
  field?: string;
  changeTypes: string;
  status: string;
  attribution: string;
  retry: string;
  matcherVersion: string;
}

interface PairEntity {
  partitionKey: string;
  rowKey: string;
  fromScanId: string;
  toScanId: string;
  fromStartedAt: string;
  toStartedAt: string;
  toFinishedAt?: string;
  counts: string;
  retry: string;
  updatedAt: string;
}

export const changePartition = (tenantId: string, fromScanId: string, toScanId: string): string => `${tenantId.toLowerCase()}_${fromScanId}_${toScanId}`;
const pairPartition = (tenantId: string): string => `pairs_${tenantId.toLowerCase()}`;

/** The row key of a change: the snapshot sort key of its group, or the tenant field. */
export function attributionRowKey(record: { groupId: string | null; field: string | null }): string {
  return record.groupId ? snapshotSortKey(record.groupId) : `${TENANT_ROW_PREFIX}${record.field ?? 'unknown'}`;
}

/** Fits an attribution into one string property: raw modified properties go first, then the oldest events. */
export function fitAttribution(attribution: ChangeAttribution): string {
  let fitted = attribution;
  let text = JSON.stringify(fitted);
  if (text.length <= MAX_JSON_CHARS) return text;
  fitted = { ...fitted, events: fitted.events.map((e) => ({ ...e, modifiedProperties: `${e.modifiedProperties.slice(0, 500)}…` })) };
  text = JSON.stringify(fitted);
  while (text.length > MAX_JSON_CHARS && fitted.events.length > 1) {
    fitted = { ...fitted, events: fitted.events.slice(0, -1) };
    text = JSON.stringify(fitted);
  }
  return text;
}

function toEntity(partitionKey: string, record: AttributionRecord): RecordEntity {
  return {
    partitionKey,
    rowKey: attributionRowKey(record),
    groupId: record.groupId ?? undefined,
    field: record.field ?? undefined,
    changeTypes: JSON.stringify(record.changeTypes),
    status: record.attribution.status,
    attribution: fitAttribution(record.attribution),
    retry: String(record.retry),
    matcherVersion: String(record.matcherVersion),
  };
}

function fromEntity(entity: RecordEntity): AttributionRecord {
  return {
    groupId: entity.groupId ?? null,
    field: (entity.field as AttributionRecord['field']) ?? null,
    changeTypes: JSON.parse(entity.changeTypes) as ChangeType[],
    attribution: JSON.parse(entity.attribution) as ChangeAttribution,
    retry: entity.retry === 'true',
    matcherVersion: Number(entity.matcherVersion),
  };
}

export class AttributionStore {
  private readonly ready: Promise<TableClient>;

  constructor(tables: TableFactory) {
    this.ready = tables.ensureTable(ATTRIBUTIONS_TABLE);
    this.ready.catch(() => undefined); // reported by the first call that awaits it
  }

  /** Writes (replaces) the records of one scan pair, 100 per transaction. */
  async saveRecords(tenantId: string, fromScanId: string, toScanId: string, records: readonly AttributionRecord[]): Promise<void> {
    const table = await this.ready;
    const partitionKey = changePartition(tenantId, fromScanId, toScanId);
    for (let i = 0; i < records.length; i += MAX_BATCH_ENTITIES) {
      await submitStringBatch(table, 'upsertReplace', records.slice(i, i + MAX_BATCH_ENTITIES).map((r) => toEntity(partitionKey, r)));
    }
  }

  /** Every record of a scan pair, in diff order (groups by snapshot sort key, then tenant-wide changes). */
  async *listRecords(tenantId: string, fromScanId: string, toScanId: string, options: { retryOnly?: boolean } = {}): AsyncGenerator<AttributionRecord> {
    const table = await this.ready;
    const partition = changePartition(tenantId, fromScanId, toScanId);
    const filter = `PartitionKey eq '${partition}'${options.retryOnly ? " and retry eq 'true'" : ''}`;
    for await (const entity of table.listEntities<RecordEntity>({ queryOptions: { filter } })) yield fromEntity(entity);
  }

  /** One change's record (alerts read the few they need by key). */
  async getRecord(tenantId: string, fromScanId: string, toScanId: string, key: { groupId: string | null; field: string | null }): Promise<AttributionRecord | null> {
    const table = await this.ready;
    try {
      return fromEntity(await table.getEntity<RecordEntity>(changePartition(tenantId, fromScanId, toScanId), attributionRowKey(key)));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async savePair(tenantId: string, pair: AttributionPair): Promise<void> {
    const table = await this.ready;
    const entity: PairEntity = {
      partitionKey: pairPartition(tenantId),
      rowKey: `${pair.fromScanId}_${pair.toScanId}`,
      fromScanId: pair.fromScanId,
      toScanId: pair.toScanId,
      fromStartedAt: pair.fromStartedAt,
      toStartedAt: pair.toStartedAt,
      toFinishedAt: pair.toFinishedAt ?? undefined,
      counts: JSON.stringify(pair.counts),
      retry: String(pair.retry),
      updatedAt: pair.updatedAt,
    };
    await table.upsertEntity(entity, 'Replace');
  }

  async getPair(tenantId: string, fromScanId: string, toScanId: string): Promise<AttributionPair | null> {
    const table = await this.ready;
    try {
      return pairFromEntity(await table.getEntity<PairEntity>(pairPartition(tenantId), `${fromScanId}_${toScanId}`));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** Every scan pair of the tenant (one small entity each: one per complete scan that had a predecessor). */
  async *listPairs(tenantId: string): AsyncGenerator<{ fromScanId: string; toScanId: string }> {
    const table = await this.ready;
    const filter = `PartitionKey eq '${pairPartition(tenantId)}'`;
    for await (const entity of table.listEntities<PairEntity>({ queryOptions: { filter, select: ['fromScanId', 'toScanId'] } })) {
      yield { fromScanId: entity.fromScanId, toScanId: entity.toScanId };
    }
  }

  /**
   * Deletes a scan pair: its change records first, then the pair, so a pass cut short leaves the pair listed
   * and the next one finishes it. Work grows with the pair's records (at most MAX_ATTRIBUTED_CHANGES and the
   * tenant-wide ones), not with the tenant.
   */
  async deletePair(tenantId: string, fromScanId: string, toScanId: string): Promise<void> {
    const table = await this.ready;
    const partitionKey = changePartition(tenantId, fromScanId, toScanId);
    await this.deleteRecords(`PartitionKey eq '${partitionKey}'`);
    try {
      await table.deleteEntity(pairPartition(tenantId), `${fromScanId}_${toScanId}`);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  /**
   * Deletes the change records of every pair that starts at `fromScanId`, with or without a pair entity: records
   * go out before their pair (saveRecords, then savePair), so an attribution stage cut short leaves records that
   * no pair lists. One range of partition keys.
   */
  async deleteRecordsFrom(tenantId: string, fromScanId: string): Promise<void> {
    const prefix = changePartition(tenantId, fromScanId, '');
    await this.deleteRecords(`PartitionKey ge '${prefix}' and PartitionKey lt '${prefix}~'`);
  }

  private async deleteRecords(filter: string): Promise<void> {
    const table = await this.ready;
    const byPartition = new Map<string, string[]>();
    for await (const entity of table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      const rows = byPartition.get(entity.partitionKey!) ?? [];
      rows.push(entity.rowKey!);
      byPartition.set(entity.partitionKey!, rows);
    }
    for (const [partitionKey, rowKeys] of byPartition) await deleteKeys(table, partitionKey, rowKeys);
  }

  /** Scan pairs with lookups to repeat, oldest first. */
  async listRetryPairs(tenantId: string): Promise<AttributionPair[]> {
    const table = await this.ready;
    const pairs: AttributionPair[] = [];
    const filter = `PartitionKey eq '${pairPartition(tenantId)}' and retry eq 'true'`;
    for await (const entity of table.listEntities<PairEntity>({ queryOptions: { filter } })) pairs.push(pairFromEntity(entity));
    return pairs;
  }
}

function pairFromEntity(entity: PairEntity): AttributionPair {
  return {
    fromScanId: entity.fromScanId,
    toScanId: entity.toScanId,
    fromStartedAt: entity.fromStartedAt,
    toStartedAt: entity.toStartedAt,
    toFinishedAt: entity.toFinishedAt ?? null,
    counts: JSON.parse(entity.counts) as AttributionPair['counts'],
    retry: entity.retry === 'true',
    updatedAt: entity.updatedAt,
  };
}
