import { describe, expect, it } from 'vitest';
import { GROUP_UNIFIED_TEMPLATE_ID } from '../../dev/emulator/tenant';
import { allPages, emulator, get, getJson, ids, send } from './helpers';

const m365 = (name: string) => ({
  displayName: name,
  mailNickname: name.replace(/\W/g, '').toLowerCase(),
  mailEnabled: true,
  securityEnabled: false,
  groupTypes: ['Unified'],
});

describe('group create, update and delete over HTTP', () => {
  it('creates a group with an id and createdDateTime, and lists it last', async () => {
    const em = await emulator({ groups: 5, now: () => Date.UTC(2024, 4, 1, 12, 0, 0) });
    const response = await send(em, 'POST', '/beta/groups', m365('Golf Assist'));
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, unknown>;
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.createdDateTime).toBe('2024-05-01T12:00:00Z');
    expect(created.mail).toBe('golfassist@contoso.onmicrosoft.com');
    expect(created.visibility).toBe('Public');
    expect(created.writebackConfiguration).toEqual({ isEnabled: null, onPremisesGroupType: null });

    const listed = ids(await allPages(em, '/beta/groups?$top=2'));
    expect(listed).toHaveLength(6);
    expect(listed.at(-1)).toBe(created.id);
    expect(em.tenant.groupCount()).toBe(6);
    expect((await send(em, 'PATCH', `/beta/groups/${String(created.id)}`, { createdDateTime: '2020-01-01T00:00:00Z' })).status).toBe(400);

    const missingField = await send(em, 'POST', '/beta/groups', { displayName: 'No nickname', mailEnabled: false, securityEnabled: true });
    expect(missingField.status).toBe(400);
    const unknownProperty = await send(em, 'POST', '/beta/groups', { ...m365('Odd'), colour: 'blue' });
    expect(unknownProperty.status).toBe(400);
    expect(((await unknownProperty.json()) as { error: { message: string } }).error.message).toContain("'colour'");
    const withOwners = await send(em, 'POST', '/beta/groups', {
      ...m365('With Owners'),
      'owners@odata.bind': ['https://graph.microsoft.com/beta/users/26be1845-4119-4801-a799-aea79d09f1a2'],
    });
    expect(withOwners.status).toBe(201);
    expect(Object.keys((await withOwners.json()) as object).some((k) => k.includes('odata.bind'))).toBe(false);
  });

  it('stamps isEnabled=false on new Microsoft 365 groups when NewUnifiedGroupWritebackDefault is false', async () => {
    const em = await emulator({ groups: 2, tenantDefault: 'False' });
    const unified = (await (await send(em, 'POST', '/beta/groups', m365('New Team'))).json()) as Record<string, unknown>;
    expect(unified.writebackConfiguration).toEqual({ isEnabled: false, onPremisesGroupType: null });

    const security = (await (
      await send(em, 'POST', '/beta/groups', { displayName: 'Sec', mailNickname: 'sec', mailEnabled: false, securityEnabled: true })
    ).json()) as Record<string, unknown>;
    expect(security.writebackConfiguration).toEqual({ isEnabled: null, onPremisesGroupType: null });

    const explicit = (await (
      await send(em, 'POST', '/beta/groups', { ...m365('Explicit'), writebackConfiguration: { isEnabled: true } })
    ).json()) as Record<string, unknown>;
    expect(explicit.writebackConfiguration).toEqual({ isEnabled: true, onPremisesGroupType: null });

    // The setting only affects new groups; switching it back changes nothing that exists.
    em.tenant.setTenantDefault('true');
    expect(em.tenant.getGroup(String(unified.id))?.writebackConfiguration).toEqual({ isEnabled: false, onPremisesGroupType: null });
    const later = (await (await send(em, 'POST', '/beta/groups', m365('Later'))).json()) as Record<string, unknown>;
    expect(later.writebackConfiguration).toEqual({ isEnabled: null, onPremisesGroupType: null });
  });

  it('treats a missing Group.Unified setting as true', async () => {
    const em = await emulator({ groups: 1, tenantDefault: null });
    const created = (await (await send(em, 'POST', '/beta/groups', m365('No Setting'))).json()) as Record<string, unknown>;
    expect(created.writebackConfiguration).toEqual({ isEnabled: null, onPremisesGroupType: null });
  });

  it('merges PATCH bodies, including nested writebackConfiguration, and answers 204', async () => {
    const em = await emulator({ groups: 30 });
    const target = [...em.tenant.allGroups()].find((g) => g.writebackConfiguration?.isEnabled === null && g.writebackConfiguration.onPremisesGroupType === null);
    expect(target).toBeDefined();
    const id = target?.id ?? '';

    const patched = await send(em, 'PATCH', `/beta/groups/${id}`, { writebackConfiguration: { isEnabled: true } });
    expect(patched.status).toBe(204);
    const afterEnable = await getJson(em, `/beta/groups/${id}?$select=writebackConfiguration,displayName`);
    expect(afterEnable.writebackConfiguration).toEqual({ isEnabled: true, onPremisesGroupType: null });
    expect(afterEnable.displayName).toBe(target?.displayName);
    expect(afterEnable['@odata.context']).toBe('https://graph.microsoft.com/beta/$metadata#groups(id,writebackConfiguration,displayName)/$entity');

    await send(em, 'PATCH', `/beta/groups/${id}`, { writebackConfiguration: { onPremisesGroupType: 'UniversalSecurityGroup' }, displayName: 'Renamed' });
    const afterType = await getJson(em, `/beta/groups/${id}`);
    expect(afterType.writebackConfiguration).toEqual({ isEnabled: true, onPremisesGroupType: 'UniversalSecurityGroup' });
    expect(afterType.displayName).toBe('Renamed');

    // The change shows in the listing too.
    const listed = (await allPages(em, '/beta/groups?$select=displayName&$top=999')).flatMap((p) => p.value);
    expect(listed.find((g) => g.id === id)?.displayName).toBe('Renamed');
  });

  it('refuses to set onPremisesGroupType back to null once set, and unknown types', async () => {
    const em = await emulator({ groups: 30 });
    const target = [...em.tenant.allGroups()].find((g) => typeof g.writebackConfiguration?.onPremisesGroupType === 'string');
    const id = target?.id ?? '';
    const reset = await send(em, 'PATCH', `/beta/groups/${id}`, { writebackConfiguration: { onPremisesGroupType: null } });
    expect(reset.status).toBe(400);
    const body = (await reset.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('Request_BadRequest');
    expect(body.error.message).toContain('onPremisesGroupType');
    expect(em.tenant.getGroup(id)?.writebackConfiguration?.onPremisesGroupType).toBe(target?.writebackConfiguration?.onPremisesGroupType);

    const unknownType = await send(em, 'PATCH', `/beta/groups/${id}`, { writebackConfiguration: { onPremisesGroupType: 'globalGroup' } });
    expect(unknownType.status).toBe(400);
    // Setting null when nothing was ever set is allowed.
    const fresh = em.tenant.createGroup({ displayName: 'Fresh', mailNickname: 'fresh', securityEnabled: true });
    expect((await send(em, 'PATCH', `/beta/groups/${fresh.id}`, { writebackConfiguration: { onPremisesGroupType: null } })).status).toBe(204);
  });

  it('deletes groups (204), after which they are gone from get and list', async () => {
    const em = await emulator({ groups: 12 });
    const victim = [...em.tenant.allGroups()][4]?.id ?? '';
    expect((await send(em, 'DELETE', `/beta/groups/${victim}`)).status).toBe(204);
    const gone = await get(em, `/beta/groups/${victim}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('Request_ResourceNotFound');
    expect(ids(await allPages(em, '/beta/groups?$top=5'))).not.toContain(victim);
    expect(em.tenant.groupCount()).toBe(11);
    expect((await send(em, 'DELETE', `/beta/groups/${victim}`)).status).toBe(404);
    expect((await send(em, 'PATCH', `/beta/groups/${victim}`, { displayName: 'x' })).status).toBe(404);
  });

  it('answers 404 for unknown group ids, in any case of the id', async () => {
    const em = await emulator({ groups: 3 });
    expect((await get(em, '/beta/groups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const first = [...em.tenant.allGroups()][0]?.id ?? '';
    expect((await getJson(em, `/beta/groups/${first.toUpperCase()}`)).id).toBe(first);
  });

  it('serves member counts as text/plain with ConsistencyLevel: eventual', async () => {
    const em = await emulator({ groups: 30 });
    const groups = [...em.tenant.allGroups()];
    const big = groups[4]?.id ?? '';
    const without = await get(em, `/beta/groups/${big}/members/$count`);
    expect(without.status).toBe(400);
    const response = await get(em, `/beta/groups/${big}/members/$count`, { ConsistencyLevel: 'eventual' });
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(Number(await response.text())).toBe(em.tenant.memberCount(big));
    em.tenant.setMemberCount(big, 12345);
    expect(await (await get(em, `/beta/groups/${big}/members/$count`, { ConsistencyLevel: 'eventual' })).text()).toBe('12345');
    expect((await get(em, '/beta/groups/00000000-0000-4000-8000-000000000000/members/$count', { ConsistencyLevel: 'eventual' })).status).toBe(404);
  });

  it('answers Graph-style errors for unknown routes, methods and bad JSON', async () => {
    const em = await emulator({ groups: 1 });
    expect((await get(em, '/beta/users')).status).toBe(400);
    expect((await send(em, 'PUT', '/beta/groups')).status).toBe(405);
    const badJson = await fetch(`${em.url}/beta/groups`, {
      method: 'POST',
      headers: { Authorization: 'Bearer emulator-token', 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect((await get(em, '/v1.0/groups')).status).toBe(400);
  });

  it('keeps the Group.Unified template id on the default setting', async () => {
    const em = await emulator({ groups: 1 });
    expect(em.tenant.listSettings()[0]?.templateId).toBe(GROUP_UNIFIED_TEMPLATE_ID);
  });
});
