import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, parseFixture } from '../../dev/emulator/fixture';
import { GROUP_UNIFIED_TEMPLATE_ID } from '../../dev/emulator/tenant';
import { allPages, emulator, getJson, ids } from './helpers';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wbw-fixture-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixtureFile(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, 'utf8');
  return path;
}

const GROUPS = [
  { id: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'One', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, writebackConfiguration: { isEnabled: null, onPremisesGroupType: null } },
  { id: 'aaaaaaaa-0000-4000-8000-000000000002', displayName: 'Two', securityEnabled: true, mailEnabled: false },
  { id: 'AAAAAAAA-0000-4000-8000-000000000003', displayName: 'Three' },
];

describe('fixture loading', () => {
  it('accepts a Graph page, a plain array, and an object with groups and settings', async () => {
    const page = await loadFixture(await fixtureFile('page.json', JSON.stringify({ '@odata.context': 'x', value: GROUPS })));
    expect(page.groups.map((g) => g.displayName)).toEqual(['One', 'Two', 'Three']);
    expect(page.settings).toBeUndefined();

    const array = await loadFixture(await fixtureFile('array.json', `\uFEFF${JSON.stringify(GROUPS)}`));
    expect(array.groups).toHaveLength(3);

    const full = parseFixture({
      groups: GROUPS,
      settings: [{ id: 's1', displayName: 'Group.Unified', templateId: GROUP_UNIFIED_TEMPLATE_ID, values: [{ name: 'NewUnifiedGroupWritebackDefault', value: false }] }],
      groupWritebackEnabled: false,
      onPremisesLastSyncDateTime: null,
    });
    expect(full.settings?.[0]?.values).toEqual([{ name: 'NewUnifiedGroupWritebackDefault', value: 'false' }]);
    expect(full.groupWritebackEnabled).toBe(false);
  });

  it('explains what is wrong with a bad fixture', async () => {
    await expect(loadFixture(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json.*does not exist/);
    await expect(loadFixture(await fixtureFile('broken.json', '{ "value": [ '))).rejects.toThrow(/not valid JSON/);
    expect(() => parseFixture({ value: [{ displayName: 'No id' }] }, 'f.json')).toThrow(/f\.json: value\[0\] has no "id"/);
    expect(() => parseFixture({ value: [GROUPS[0], GROUPS[0]] })).toThrow(/repeats the id/);
    expect(() => parseFixture({ something: [] })).toThrow(/neither "value" nor "groups"/);
    expect(() => parseFixture('text')).toThrow(/expected an array/);
    expect(() => parseFixture([{ id: 'x', writebackConfiguration: true }])).toThrow(/writebackConfiguration/);
    expect(() => parseFixture({ groups: [], settings: {} })).toThrow(/"settings" must be an array/);
    expect(() => parseFixture({ groups: [], groupWritebackEnabled: 'yes' })).toThrow(/groupWritebackEnabled/);
  });

  it('serves fixture groups as they are, in file order, with its settings and signals', async () => {
    const path = await fixtureFile('tenant.json', JSON.stringify({
      groups: GROUPS,
      settings: [],
      groupWritebackEnabled: false,
      onPremisesLastSyncDateTime: '2024-01-02T03:04:05Z',
    }));
    const em = await emulator({ fixture: path });
    const pages = await allPages(em, '/beta/groups?$top=2&$select=displayName,writebackConfiguration');
    expect(ids(pages)).toEqual(GROUPS.map((g) => g.id));
    const values = pages.flatMap((p) => p.value);
    // Sparse fixture objects stay sparse: no invented writebackConfiguration.
    expect(values[1]).toEqual({ id: GROUPS[1]?.id, displayName: 'Two' });
    expect((await getJson<{ value: unknown[] }>(em, '/beta/settings')).value).toEqual([]);
    type SyncPage = { value: { features: { groupWriteBackEnabled: boolean } }[] };
    expect((await getJson<SyncPage>(em, '/beta/directory/onPremisesSynchronization')).value[0]?.features.groupWriteBackEnabled).toBe(false);
    // Ids are matched case-insensitively.
    expect((await getJson(em, '/beta/groups/aaaaaaaa-0000-4000-8000-000000000003')).displayName).toBe('Three');

    em.tenant.deleteGroup(GROUPS[0]?.id ?? '');
    expect(em.tenant.groupCount()).toBe(2);
  });
});
