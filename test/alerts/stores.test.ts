import { describe, expect, it } from 'vitest';
import { AlertStore, alertRowKey, cappedJson } from '../../src/alerts/alertStore';
import { ApprovalStore } from '../../src/alerts/approvalStore';
import { parseApprovalRequest } from '../../src/alerts/approvals';
import { collectEvaluation } from '../../src/alerts/evaluate';
import { DEFAULT_ALERT_POLICY } from '../../src/alerts/policy';
import { WritebackWatchError } from '../../src/errors';
import type { ScanRecord } from '../../src/model';
import { createTableFactory } from '../../src/store/tableClients';
import { testSettings } from '../helpers/settings';
import { FROM, NOW, TENANT, change, groupId, m365, scan, stream, wb } from './fixtures';
import { APPROVER, CHANGE_SYSTEM } from '../helpers/principals';

async function candidatesFor(count: number, toScan: ScanRecord, fromScan: ScanRecord = FROM) {
  const changes = Array.from({ length: count }, (_, i) => change(m365(i + 1, wb(false)), m365(i + 1, wb(true))));
  const { candidates } = await collectEvaluation({ policy: DEFAULT_ALERT_POLICY, tenantId: TENANT, fromScan, toScan, changes: stream(changes), approvals: [], now: NOW });
  return candidates;
}

describe('AlertStore (Azurite)', () => {
  it('records idempotently and finds an alert by id with a point read', async () => {
    const store = new AlertStore(createTableFactory(testSettings()));
    const [candidate] = await candidatesFor(1, scan('20261125T020000Z-bbbbbb'));
    const first = await store.recordAlert(candidate!, { now: NOW });
    const again = await store.recordAlert(candidate!, { now: new Date(NOW.getTime() + 60_000) });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.alert.recordedAt).toEqual(NOW);
    expect(await store.getAlert(candidate!.id)).toMatchObject({
      id: candidate!.id,
      tenantId: TENANT,
      ruleId: 'WBW-A01',
      severity: 'medium',
      groupId: groupId(1),
      groupName: 'Team 1',
      title: candidate!.title,
      before: candidate!.before,
      after: candidate!.after,
      details: candidate!.details,
      status: 'open',
      deliveries: {},
      occurredAt: candidate!.occurredAt,
    });
    expect(await store.getAlert('0'.repeat(32))).toBeNull();
    expect(await store.getAlert("' or true")).toBeNull();
  });

  it('lists newest first, page by page', async () => {
    const store = new AlertStore(createTableFactory(testSettings()));
    const older = await candidatesFor(2, scan('20261125T020000Z-bbbbbb'));
    const newer = await candidatesFor(2, scan('20261126T020000Z-cccccc'), scan('20261125T020000Z-bbbbbb'));
    for (const c of [...older, ...newer]) await store.recordAlert(c, { now: NOW });
    const first = await store.listAlerts({ tenantId: TENANT, top: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.continuation).not.toBeNull();
    const second = await store.listAlerts({ tenantId: TENANT, top: 3, continuation: first.continuation });
    expect(second.items).toHaveLength(1);
    const all = [...first.items, ...second.items];
    expect(all.map((a) => a.toScanId)).toEqual(['20261126T020000Z-cccccc', '20261126T020000Z-cccccc', '20261125T020000Z-bbbbbb', '20261125T020000Z-bbbbbb']);
    expect(new Set(all.map((a) => a.id)).size).toBe(4);
    expect((await store.listAlerts({ tenantId: '99999999-2222-3333-4444-555555555555' })).items).toEqual([]);
    await expect(store.listAlerts({ tenantId: TENANT, top: 0 })).rejects.toThrow(/top must be/);
  });

  it('merges concurrent delivery updates: a writer that loses the race (412) reads again and merges on top', async () => {
    const settings = testSettings();
    const [a] = await candidatesFor(1, scan('20261125T020000Z-bbbbbb'));
    await new AlertStore(createTableFactory(settings)).recordAlert(a!, { now: NOW });
    const record = (attempts: number) => ({ status: 'failed' as const, attempts, lastError: 'POST answered 500', lastAttemptAt: NOW.toISOString(), deliveredAt: null });
    const channels = ['email', 'teams', 'webhook'];
    // Separate stores, as separate processes would be: each reads the alert, then merges with its ETag.
    await Promise.all(channels.map((name, i) => new AlertStore(createTableFactory(settings)).updateDeliveries(a!.id, { [name]: record(i + 1) })));
    const deliveries = (await new AlertStore(createTableFactory(settings)).getAlert(a!.id))!.deliveries;
    expect(Object.fromEntries(Object.entries(deliveries).map(([name, d]) => [name, d.attempts]))).toEqual({ email: 1, teams: 2, webhook: 3 });
  });

  it('merges delivery records, acknowledges, and reports the scans open alerts reference', async () => {
    const store = new AlertStore(createTableFactory(testSettings()));
    const [a] = await candidatesFor(1, scan('20261125T020000Z-bbbbbb'));
    const [b] = await candidatesFor(1, scan('20261126T020000Z-cccccc'), scan('20261125T020000Z-bbbbbb'));
    await store.recordAlert(a!, { now: NOW });
    await store.recordAlert(b!, { now: NOW });
    const webhook = { status: 'failed' as const, attempts: 4, lastError: 'POST answered 500', lastAttemptAt: NOW.toISOString(), deliveredAt: null };
    const teams = { status: 'delivered' as const, attempts: 1, lastError: null, lastAttemptAt: NOW.toISOString(), deliveredAt: NOW.toISOString() };
    await store.updateDeliveries(a!.id, { webhook });
    const updated = await store.updateDeliveries(a!.id, { teams });
    expect(updated.deliveries).toEqual({ webhook, teams });
    expect((await store.getAlert(a!.id))!.deliveries).toEqual({ webhook, teams });

    expect([...(await store.listOpenAlertScanIds(TENANT))].sort()).toEqual([FROM.id, '20261125T020000Z-bbbbbb', '20261126T020000Z-cccccc']);
    const recorded = { kind: 'user', objectId: APPROVER.objectId, tenantId: TENANT, name: 'Alice Admin', userPrincipalName: 'alice@contoso.example', appId: null };
    await expect(store.acknowledgeAlert(b!.id, { by: { ...APPROVER, roles: ['Reader'] }, now: NOW })).rejects.toMatchObject({ code: 'Forbidden' });
    const acknowledged = await store.acknowledgeAlert(b!.id, { by: APPROVER, note: '  Expected: CHG-1042  ', now: NOW });
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: recorded, acknowledgementNote: 'Expected: CHG-1042', acknowledgedAt: NOW });
    expect(await store.getAlert(b!.id)).toMatchObject({ status: 'acknowledged', acknowledgedBy: recorded, acknowledgementNote: 'Expected: CHG-1042' });
    expect([...(await store.listOpenAlertScanIds(TENANT))].sort()).toEqual([FROM.id, '20261125T020000Z-bbbbbb']);
    await expect(store.acknowledgeAlert('f'.repeat(32), { by: APPROVER })).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('keeps the details of a huge mass-change alert within the property limit', () => {
    const examples = Array.from({ length: 500 }, (_, i) => ({ groupId: groupId(i), title: 'x'.repeat(200) }));
    const json = cappedJson({ alertingGroups: 500, examples });
    expect(json.length).toBeLessThanOrEqual(30_000);
    const parsed = JSON.parse(json) as { examples: unknown[]; truncated: boolean; alertingGroups: number };
    expect(parsed.truncated).toBe(true);
    expect(parsed.alertingGroups).toBe(500);
    expect(parsed.examples.length).toBeGreaterThan(0);
  });
});

describe('ApprovalStore (Azurite)', () => {
  it('creates, lists, lists live ones and deletes', async () => {
    const store = new ApprovalStore(createTableFactory(testSettings()));
    const body = (n: number, expiresAt: string) => ({ groupId: groupId(n), expect: { bucket: 'writtenBack' }, reason: `change ${n}`, expiresAt });
    const longer = parseApprovalRequest(body(1, '2026-12-20T00:00:00Z'), { tenantId: TENANT, now: NOW, requestedBy: APPROVER });
    const shorter = parseApprovalRequest(body(2, '2026-11-26T00:00:00Z'), { tenantId: TENANT, now: NOW, requestedBy: CHANGE_SYSTEM });
    await store.create(longer);
    await store.create(shorter);
    expect(await store.list(TENANT)).toEqual([shorter, longer]);
    expect(await store.get(TENANT, longer.id)).toEqual(longer);
    expect((await store.listLive(TENANT, NOW)).map((a) => a.id)).toEqual([shorter.id, longer.id]);
    expect((await store.listLive(TENANT, new Date('2026-11-27T00:00:00Z'))).map((a) => a.id)).toEqual([longer.id]);
    // Not live before it was created.
    expect(await store.listLive(TENANT, new Date('2026-11-01T00:00:00Z'))).toEqual([]);
    expect(await store.delete(TENANT, shorter.id)).toBe(true);
    expect(await store.delete(TENANT, shorter.id)).toBe(false);
    expect(await store.delete(TENANT, "x' or PartitionKey ne '")).toBe(false);
    expect(await store.list(TENANT)).toEqual([longer]);
    expect(await store.list('99999999-2222-3333-4444-555555555555')).toEqual([]);
    await expect(store.create({ ...longer, id: 'bad/id' })).rejects.toBeInstanceOf(WritebackWatchError);
  });

  it('revokes with who and when, keeps the revoked approval listed, and no longer counts it live', async () => {
    const store = new ApprovalStore(createTableFactory(testSettings()));
    const approval = parseApprovalRequest(
      { groupId: groupId(3), expect: { bucket: 'writtenBack' }, reason: 'change 3', expiresAt: '2026-12-20T00:00:00Z' },
      { tenantId: TENANT, now: NOW, requestedBy: APPROVER },
    );
    await store.create(approval);
    const later = new Date(NOW.getTime() + 60_000);
    await expect(store.revoke(TENANT, approval.id, { by: { ...APPROVER, roles: ['Reader'] }, now: later })).rejects.toMatchObject({ code: 'Forbidden' });
    const revoked = await store.revoke(TENANT, approval.id, { by: CHANGE_SYSTEM, now: later });
    const revokedBy = { kind: 'app', objectId: CHANGE_SYSTEM.objectId, tenantId: TENANT, name: 'Change system', userPrincipalName: null, appId: CHANGE_SYSTEM.appId };
    expect(revoked).toMatchObject({ revokedAt: later, revokedBy });
    expect(await store.get(TENANT, approval.id)).toEqual({ ...approval, revokedAt: later, revokedBy });
    expect(await store.listLive(TENANT, new Date(later.getTime() + 1))).toEqual([]);
    // A second revoke changes nothing: the first revoker stays on record.
    expect((await store.revoke(TENANT, approval.id, { by: APPROVER, now: new Date(later.getTime() + 5) }))!.revokedBy).toEqual(revokedBy);
    expect(await store.revoke(TENANT, '00000000-0000-0000-0000-000000000000', { by: APPROVER })).toBeNull();
  });

  it('reads an approval stored before sign-in (a typed requestedBy only) as a legacy record', async () => {
    const settings = testSettings();
    const tables = createTableFactory(settings);
    const store = new ApprovalStore(tables);
    const table = await tables.ensureTable('approvals');
    await table.createEntity({
      partitionKey: TENANT,
      rowKey: 'legacy-1',
      groupId: groupId(4),
      expect: JSON.stringify({ bucket: 'writtenBack' }),
      requestedBy: 'alice@contoso.com',
      reason: 'CHG-1042',
      createdAt: NOW,
      expiresAt: new Date('2026-12-20T00:00:00Z'),
    });
    expect(await store.get(TENANT, 'legacy-1')).toMatchObject({ requestedBy: { kind: 'legacy', name: 'alice@contoso.com' }, revokedAt: null, revokedBy: null });
    expect((await store.listLive(TENANT, NOW)).map((a) => a.id)).toEqual(['legacy-1']);
  });

  it('reads an alert acknowledged before sign-in (a typed acknowledgedBy only) as a legacy record', async () => {
    const tables = createTableFactory(testSettings());
    const store = new AlertStore(tables);
    const [a] = await candidatesFor(1, scan('20261125T020000Z-dddddd'));
    await store.recordAlert(a!, { now: NOW });
    const table = await tables.ensureTable('alerts');
    const row = await table.getEntity(TENANT, alertRowKey(a!.occurredAt, a!.id));
    await table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, status: 'acknowledged', acknowledgedAt: NOW, acknowledgedBy: 'bob@contoso.com' }, 'Merge');
    expect(await store.getAlert(a!.id)).toMatchObject({ status: 'acknowledged', acknowledgedBy: { kind: 'legacy', name: 'bob@contoso.com' }, acknowledgementNote: null });
  });
});
