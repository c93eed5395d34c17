import { describe, expect, it } from 'vitest';
import { GROUP_UNIFIED_TEMPLATE_ID } from '../../dev/emulator/tenant';
import { parseAuditFilter, type AuditEvent } from '../../dev/emulator/auditLog';
import { emulator, onEmulator, send } from './helpers';

const ADA = { user: { id: '2c940657-1026-4386-bcfd-3176637ba01f', displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.com', ipAddress: '203.0.113.7' } };

async function audits(url: string, path: string, token = 'emulator-token'): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const q = (filter: string, extra = ''): string => `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}${extra}`;

describe('emulated directory audit log', () => {
  it('records a group PATCH as "Update group" by the caller, with JSON-text values and Included Updated Properties', async () => {
    let now = Date.UTC(2026, 2, 2, 14, 7, 55);
    const em = await emulator({ groups: 3, seed: 4, now: () => now, callers: { 'ada-token': ADA } });
    const groupId = em.tenant.groupAtPosition(0)!.id;
    const response = await fetch(`${em.url}/beta/groups/${groupId}`, {
      method: 'PATCH',
      headers: { Authorization: 'Bearer ada-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } }),
    });
    expect(response.status).toBe(204);
    now += 1000;
    const { status, body } = await audits(em.url, q(`targetResources/any(t: t/id eq '${groupId}')`));
    expect(status).toBe(200);
    const [event] = body.value as AuditEvent[];
    expect(event).toMatchObject({
      activityDisplayName: 'Update group',
      category: 'GroupManagement',
      loggedByService: 'Core Directory',
      operationType: 'Update',
      result: 'success',
      activityDateTime: '2026-03-02T14:07:55.000Z',
      initiatedBy: { user: ADA.user, app: null },
    });
    const target = event!.targetResources[0]!;
    expect(target).toMatchObject({ id: groupId, type: 'Group' });
    const writeback = target.modifiedProperties.find((p) => p.displayName === 'WritebackConfiguration')!;
    expect(JSON.parse(writeback.newValue!)).toEqual([{ isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' }]);
    const included = target.modifiedProperties.find((p) => p.displayName === 'Included Updated Properties')!;
    expect(JSON.parse(included.newValue!)).toBe('WritebackConfiguration');
  });

  it('records creates, deletes and setting writes, with the default token as an app initiator', async () => {
    const em = await emulator({ groups: 2 });
    const created = (await (
      await send(em, 'POST', '/beta/groups', { displayName: 'New', mailNickname: 'new', mailEnabled: false, securityEnabled: true })
    ).json()) as { id: string };
    await send(em, 'DELETE', `/beta/groups/${created.id}`);
    const setting = em.tenant.listSettings().find((s) => s.templateId === GROUP_UNIFIED_TEMPLATE_ID)!;
    // PATCH replaces the whole values list, as Graph's does.
    const values = setting.values.map((v) => (v.name === 'NewUnifiedGroupWritebackDefault' ? { ...v, value: 'false' } : v));
    await send(em, 'PATCH', `/beta/settings/${setting.id}`, { values });
    const activities = em.audit.all().map((e) => e.activityDisplayName);
    expect(activities).toEqual(['Add group', 'Delete group', 'Update group settings']);
    expect(em.audit.all()[0]!.initiatedBy.app?.displayName).toBe('Graph emulator client');
    const settingChange = em.audit.all()[2]!.targetResources[0]!.modifiedProperties;
    expect(settingChange).toEqual([{ displayName: 'NewUnifiedGroupWritebackDefault', oldValue: '["true"]', newValue: '["false"]' }]);
  });

  it('filters with the documented operators, pages with nextLink and rejects undocumented filters', async () => {
    const start = Date.UTC(2026, 0, 1);
    const em = await emulator({ groups: 1, now: () => start + 3_600_000 });
    for (let i = 0; i < 5; i += 1) {
      em.audit.record({
        activityDisplayName: i % 2 ? 'Update group' : 'Add member to group',
        activityDateTime: new Date(start + i * 60_000).toISOString(),
        targetResources: [{ id: `g${i}`, displayName: null, type: 'Group', userPrincipalName: null, groupType: null, modifiedProperties: [] }],
      });
    }
    const filter = `activityDateTime ge ${new Date(start).toISOString()} and activityDateTime le ${new Date(start + 4 * 60_000).toISOString()} and loggedByService eq 'Core Directory' and (activityDisplayName eq 'Update group' or startswith(activityDisplayName, 'Add member'))`;
    const first = await audits(em.url, q(filter, '&$top=2'));
    expect((first.body.value as AuditEvent[]).map((e) => e.targetResources[0]!.id)).toEqual(['g4', 'g3']);
    const second = await audits(em.url, onEmulator(String(first.body['@odata.nextLink'])));
    const third = await audits(em.url, onEmulator(String(second.body['@odata.nextLink'])));
    expect([...(second.body.value as AuditEvent[]), ...(third.body.value as AuditEvent[])].map((e) => e.targetResources[0]!.id)).toEqual(['g2', 'g1', 'g0']);
    expect(third.body['@odata.nextLink']).toBeUndefined();
    expect(String(first.body['@odata.nextLink'])).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/auditLogs\/directoryAudits\?/);

    expect((await audits(em.url, q("category eq 'GroupManagement'"))).status).toBe(400);
    expect((await audits(em.url, q("activityDisplayName ge 'A'"))).status).toBe(400);
  });

  it('hides events younger than the latency, answers 403 without permission or licence, and throttles at its own limit', async () => {
    let now = Date.UTC(2026, 0, 1);
    const em = await emulator({ groups: 1, now: () => now, audit: { latencyMs: 600_000, throttleLimit: 1, throttleWindowMs: 10_000 } });
    em.audit.record({ activityDisplayName: 'Update group', targetResources: [] });
    expect((await audits(em.url, '/v1.0/auditLogs/directoryAudits')).body.value).toEqual([]);
    now += 600_000;
    expect((await audits(em.url, '/v1.0/auditLogs/directoryAudits')).body.value).toHaveLength(1);
    const throttled = await audits(em.url, '/v1.0/auditLogs/directoryAudits');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    em.audit.controls.throttleLimit = 100;
    em.audit.controls.access = 'denied';
    const denied = await audits(em.url, '/v1.0/auditLogs/directoryAudits');
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toContain('Read all audit log data');
    em.audit.controls.access = 'noLicence';
    expect(JSON.stringify((await audits(em.url, '/v1.0/auditLogs/directoryAudits')).body)).toContain('premium license');
  });

  it('parses correlationId, initiator and target display-name filters', () => {
    const event = {
      correlationId: 'c1',
      activityDisplayName: 'Update group',
      activityDateTime: '2026-01-01T00:00:00Z',
      loggedByService: 'Core Directory',
      initiatedBy: { user: ADA.user, app: null },
      targetResources: [{ id: 'x', displayName: 'Sales Team', type: 'Group', userPrincipalName: null, groupType: null, modifiedProperties: [] }],
    } as unknown as AuditEvent;
    expect(parseAuditFilter("correlationId eq 'c1'")(event)).toBe(true);
    expect(parseAuditFilter(`initiatedBy/user/id eq '${ADA.user.id}'`)(event)).toBe(true);
    expect(parseAuditFilter("targetResources/any(x: startswith(x/displayName, 'sales'))")(event)).toBe(true);
    expect(parseAuditFilter("targetResources/any(t: t/id eq 'y')")(event)).toBe(false);
    expect(() => parseAuditFilter('activityDateTime ge yesterday')).toThrow(/date literal/);
  });

  it('takes its controls over HTTP too', async () => {
    const em = await emulator({ groups: 1 });
    const post = (body: unknown) => fetch(`${em.url}/_emulator/audit`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ access: 'denied', latencyMs: 5 })).status).toBe(200);
    expect(em.audit.controls).toMatchObject({ access: 'denied', latencyMs: 5 });
    expect((await post({ access: 'maybe' })).status).toBe(400);
    em.audit.record({ activityDisplayName: 'Update group', targetResources: [] });
    expect((await fetch(`${em.url}/_emulator/audit/clear`, { method: 'POST' })).status).toBe(200);
    expect(em.audit.all()).toEqual([]);
  });
});
