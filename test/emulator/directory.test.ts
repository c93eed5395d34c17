import { describe, expect, it } from 'vitest';
import { GROUP_UNIFIED_TEMPLATE_ID, WRITEBACK_DEFAULT_SETTING_NAME } from '../../dev/emulator/tenant';
import { emulator, get, getJson, send } from './helpers';

interface SettingsPage {
  '@odata.context': string;
  value: { id: string; displayName: string | null; templateId: string | null; values: { name: string; value: string }[] }[];
}

const writebackDefault = (page: SettingsPage): string | undefined =>
  page.value
    .find((s) => s.templateId === GROUP_UNIFIED_TEMPLATE_ID)
    ?.values.find((v) => v.name === WRITEBACK_DEFAULT_SETTING_NAME)?.value;

describe('directory settings', () => {
  it('lists the Group.Unified setting with NewUnifiedGroupWritebackDefault as a string', async () => {
    const em = await emulator({ groups: 1, tenantDefault: 'False' });
    const page = await getJson<SettingsPage>(em, '/beta/settings');
    expect(page['@odata.context']).toBe('https://graph.microsoft.com/beta/$metadata#settings');
    expect(page.value).toHaveLength(1);
    expect(page.value[0]?.displayName).toBe('Group.Unified');
    expect(writebackDefault(page)).toBe('False');
  });

  it('can have no Group.Unified setting at all', async () => {
    const em = await emulator({ groups: 1, tenantDefault: null });
    expect((await getJson<SettingsPage>(em, '/beta/settings')).value).toEqual([]);
  });

  it('supports create, get, patch and delete of settings', async () => {
    const em = await emulator({ groups: 1, tenantDefault: null });
    const created = await send(em, 'POST', '/beta/settings', {
      templateId: GROUP_UNIFIED_TEMPLATE_ID,
      values: [{ name: WRITEBACK_DEFAULT_SETTING_NAME, value: 'false' }],
    });
    expect(created.status).toBe(201);
    const setting = (await created.json()) as SettingsPage['value'][number];
    expect(setting.displayName).toBe('Group.Unified');

    const duplicate = await send(em, 'POST', '/beta/settings', { templateId: GROUP_UNIFIED_TEMPLATE_ID, values: [] });
    expect(duplicate.status).toBe(400);

    expect(em.tenant.tenantDefault()).toBe('false');
    const patched = await send(em, 'PATCH', `/beta/settings/${setting.id}`, {
      values: [{ name: WRITEBACK_DEFAULT_SETTING_NAME, value: 'True' }],
    });
    expect(patched.status).toBe(204);
    const fetched = await getJson<SettingsPage['value'][number]>(em, `/beta/settings/${setting.id}`);
    expect(fetched.values).toEqual([{ name: WRITEBACK_DEFAULT_SETTING_NAME, value: 'True' }]);

    // A values list without the entry leaves the setting present but the entry missing.
    await send(em, 'PATCH', `/beta/settings/${setting.id}`, { values: [{ name: 'EnableGroupCreation', value: 'true' }] });
    expect(em.tenant.tenantDefault()).toBeNull();

    expect((await send(em, 'DELETE', `/beta/settings/${setting.id}`)).status).toBe(204);
    expect((await getJson<SettingsPage>(em, '/beta/settings')).value).toEqual([]);
    expect((await get(em, `/beta/settings/${setting.id}`)).status).toBe(404);
    expect((await send(em, 'POST', '/beta/settings', { values: [] })).status).toBe(400);
  });

  it('changes the tenant default from code, including removing it', async () => {
    const em = await emulator({ groups: 1 });
    em.tenant.setTenantDefault('false');
    expect(writebackDefault(await getJson<SettingsPage>(em, '/beta/settings'))).toBe('false');
    em.tenant.setTenantDefault('');
    expect(writebackDefault(await getJson<SettingsPage>(em, '/beta/settings'))).toBe('');
    em.tenant.setTenantDefault(null);
    expect((await getJson<SettingsPage>(em, '/beta/settings')).value).toEqual([]);
    em.tenant.setTenantDefault('TRUE');
    expect(writebackDefault(await getJson<SettingsPage>(em, '/beta/settings'))).toBe('TRUE');
  });

  it('answers 403 Authorization_RequestDenied without the settings permission', async () => {
    const em = await emulator({ groups: 1, permissions: { settings: false } });
    const response = await get(em, '/beta/settings');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
  });
});

describe('onPremisesSynchronization and organization', () => {
  it('reports features.groupWriteBackEnabled and follows changes', async () => {
    const em = await emulator({ groups: 1 });
    type SyncPage = { value: { id: string; features: { groupWriteBackEnabled: boolean } }[] };
    const page = await getJson<SyncPage>(em, '/beta/directory/onPremisesSynchronization');
    expect(page.value).toHaveLength(1);
    expect(page.value[0]?.features.groupWriteBackEnabled).toBe(true);
    expect(page.value[0]?.id).toBe(em.tenant.tenantId);

    em.tenant.setGroupWritebackFeature(false);
    const off = await getJson<SyncPage>(em, '/beta/directory/onPremisesSynchronization');
    expect(off.value[0]?.features.groupWriteBackEnabled).toBe(false);
    const entity = await getJson<SyncPage['value'][number]>(em, `/beta/directory/onPremisesSynchronization/${em.tenant.tenantId}`);
    expect(entity.features.groupWriteBackEnabled).toBe(false);

    em.tenant.setGroupWritebackFeature(null);
    expect((await getJson<SyncPage>(em, '/beta/directory/onPremisesSynchronization')).value).toEqual([]);
  });

  it('answers 403 without OnPremDirectorySynchronization.Read.All', async () => {
    const em = await emulator({ groups: 1, permissions: { onPremSync: false } });
    const response = await get(em, '/beta/directory/onPremisesSynchronization');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
  });

  it('reports onPremisesLastSyncDateTime on the organization', async () => {
    const em = await emulator({ groups: 1, tenantId: '11111111-2222-3333-4444-555555555555' });
    em.tenant.setLastDirectorySync('2024-06-01T02:03:04Z');
    type OrgPage = { value: { id: string; onPremisesLastSyncDateTime: string | null; onPremisesSyncEnabled: boolean | null }[] };
    const page = await getJson<OrgPage>(em, '/beta/organization');
    expect(page.value[0]).toMatchObject({
      id: '11111111-2222-3333-4444-555555555555',
      onPremisesLastSyncDateTime: '2024-06-01T02:03:04Z',
      onPremisesSyncEnabled: true,
    });
    em.tenant.setLastDirectorySync(null);
    expect((await getJson<OrgPage>(em, '/beta/organization')).value[0]?.onPremisesLastSyncDateTime).toBeNull();
    expect((await get(em, '/beta/organization/11111111-2222-3333-4444-555555555555')).status).toBe(200);

    const denied = await emulator({ groups: 1, permissions: { organization: false } });
    expect((await get(denied, '/beta/organization')).status).toBe(403);
  });
});
