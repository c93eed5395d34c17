/**
 * Puts stored attributions on the changes of a diff as they stream (diff JSON, CLI, workbook), and reads the
 * one an alert needs. The store lists a pair's records in the diff's own order (snapshot sort key), so the two
 * streams are merged side by side without holding either.
 */
import type { ChangeAttribution, GroupChange } from '../model';
import type { AlertCandidate } from '../alerts/candidate';
import { AttributionStore, attributionRowKey, type AttributionRecord } from '../store/attributionStore';
import type { TableFactory } from '../store/tableClients';

export async function* attachAttributions(
  store: AttributionStore,
  pair: { tenantId: string; fromScanId: string; toScanId: string },
  changes: AsyncIterable<GroupChange>,
): AsyncGenerator<GroupChange> {
  const records = store.listRecords(pair.tenantId, pair.fromScanId, pair.toScanId)[Symbol.asyncIterator]();
  let head: { key: string; record: AttributionRecord } | null | undefined;
  const advance = async (): Promise<void> => {
    const next = await records.next();
    head = next.done ? null : { key: attributionRowKey(next.value), record: next.value };
  };
  try {
    for await (const change of changes) {
      const key = attributionRowKey({ groupId: change.groupId, field: null });
      if (head === undefined) await advance();
      while (head && head.key < key) await advance();
      yield head && head.key === key ? { ...change, attribution: head.record.attribution } : { ...change, attribution: change.attribution ?? null };
    }
  } finally {
    await records.return?.(undefined);
  }
}

/** The diff's changes with their stored attributions (null where none is stored). */
export function attributedChanges(tables: TableFactory, tenantId: string, diff: { from: { id: string }; to: { id: string } }, changes: AsyncIterable<GroupChange>): AsyncGenerator<GroupChange> {
  return attachAttributions(new AttributionStore(tables), { tenantId, fromScanId: diff.from.id, toScanId: diff.to.id }, changes);
}

/** The tenant-wide attributions of a pair (for the diff JSON's tenant changes). */
export async function tenantAttributions(store: AttributionStore, pair: { tenantId: string; fromScanId: string; toScanId: string }): Promise<Record<string, ChangeAttribution>> {
  const out: Record<string, ChangeAttribution> = {};
  for await (const record of store.listRecords(pair.tenantId, pair.fromScanId, pair.toScanId)) {
    if (record.field) out[record.field] = record.attribution;
  }
  return out;
}

/** Tenant alert rules and the tenant-context field whose change they report. */
const TENANT_RULE_FIELDS: Record<string, 'newUnifiedGroupWritebackDefault' | 'groupWritebackFeatureEnabled'> = {
  'WBW-A06': 'newUnifiedGroupWritebackDefault',
  'WBW-A07': 'groupWritebackFeatureEnabled',
};

/** What an alert carries about who made the change (in `details.attribution`). */
export interface AlertAttribution {
  status: ChangeAttribution['status'];
  /** One line: the actor's rendering, or null when none was found. */
  changedBy: string | null;
  changedAt: string | null;
  actor: ChangeAttribution['actor'];
  activity: string | null;
  correlationId: string | null;
  eventId: string | null;
  note: string;
  window: ChangeAttribution['window'];
}

export function alertAttribution(attribution: ChangeAttribution): AlertAttribution {
  const headline = attribution.events.find((e) => e.activityDateTime === attribution.changedAt) ?? attribution.events[0] ?? null;
  return {
    status: attribution.status,
    changedBy: attribution.actor?.display ?? null,
    changedAt: attribution.changedAt,
    actor: attribution.actor,
    activity: headline?.activityDisplayName ?? null,
    correlationId: headline?.correlationId ?? null,
    eventId: headline?.id ?? null,
    note: attribution.note,
    window: attribution.window,
  };
}

/** Reads the attribution of an alert's change, by point read (alerts are few). Null when none is stored. */
export function alertAttributionLookup(tables: TableFactory): (candidate: AlertCandidate) => Promise<AlertAttribution | null> {
  const store = new AttributionStore(tables);
  return async (candidate) => {
    if (!candidate.fromScanId || !candidate.toScanId) return null;
    const field = TENANT_RULE_FIELDS[candidate.ruleId] ?? null;
    if (!candidate.groupId && !field) return null;
    const record = await store.getRecord(candidate.tenantId, candidate.fromScanId, candidate.toScanId, { groupId: candidate.groupId, field });
    return record ? alertAttribution(record.attribution) : null;
  };
}
