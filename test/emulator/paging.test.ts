import { describe, expect, it } from 'vitest';
import { allPages, emulator, get, getJson, ids, onEmulator, type GraphPage } from './helpers';

describe('GET /beta/groups paging', () => {
  it('pages with $top and absolute https nextLinks that keep the query options', async () => {
    const em = await emulator({ groups: 25, seed: 3 });
    const first = await getJson<GraphPage>(em, '/beta/groups?$select=displayName,writebackConfiguration&$top=10');
    expect(first.value).toHaveLength(10);
    expect(first['@odata.context']).toBe(
      'https://graph.microsoft.com/beta/$metadata#groups(id,displayName,writebackConfiguration)',
    );
    const next = new URL(first['@odata.nextLink'] ?? '');
    expect(`${next.origin}${next.pathname}`).toBe('https://graph.microsoft.com/beta/groups');
    expect(next.searchParams.get('$select')).toBe('displayName,writebackConfiguration');
    expect(next.searchParams.get('$top')).toBe('10');
    expect(next.searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);

    const pages = await allPages(em, '/beta/groups?$select=displayName,writebackConfiguration&$top=10');
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5]);
    const all = ids(pages);
    expect(new Set(all).size).toBe(25);
    expect(all).toEqual([...em.tenant.allGroups()].map((g) => g.id));
  });

  it('uses a default page size of 100 and ends with an empty page when the count is a multiple of $top', async () => {
    const em = await emulator({ groups: 250 });
    const first = await getJson<GraphPage>(em, '/beta/groups');
    expect(first.value).toHaveLength(100);

    const pages = await allPages(em, '/beta/groups?$top=50');
    expect(pages.map((p) => p.value.length)).toEqual([50, 50, 50, 50, 50, 0]);
    expect(pages.at(-1)?.['@odata.nextLink']).toBeUndefined();
  });

  it('serves the emulator origin in links when asked to', async () => {
    const em = await emulator({ groups: 5, links: 'emulator' });
    const page = await getJson<GraphPage>(em, '/beta/groups?$top=2');
    expect(page['@odata.nextLink']?.startsWith(`${em.url}/beta/groups?`)).toBe(true);
  });

  it('returns only the selected properties plus id, and writebackConfiguration only when selected', async () => {
    const em = await emulator({ groups: 30 });
    const narrow = await getJson<GraphPage>(em, '/beta/groups?$select=displayName&$top=30');
    for (const group of narrow.value) expect(Object.keys(group).sort()).toEqual(['displayName', 'id']);

    const withWriteback = await getJson<GraphPage>(em, '/beta/groups?$select=DISPLAYNAME,writebackconfiguration&$top=30');
    const keys = new Set(withWriteback.value.flatMap((g) => Object.keys(g)));
    expect([...keys].sort()).toEqual(['displayName', 'id', 'writebackConfiguration']);
    // The synthetic tenant has sparse groups without a writebackConfiguration object at all.
    expect(withWriteback.value.some((g) => !('writebackConfiguration' in g))).toBe(true);

    const unselectedKnown = await getJson<GraphPage>(em, '/beta/groups?$select=uniqueName&$top=1');
    expect(unselectedKnown.value[0]).toEqual({ id: unselectedKnown.value[0]?.id, uniqueName: null });

    // Without $select, beta returns its default set, writebackConfiguration included.
    const full = await getJson<GraphPage>(em, '/beta/groups?$top=1');
    expect(full.value[0]).toHaveProperty('writebackConfiguration');
    expect(full.value[0]).toHaveProperty('onPremisesSyncEnabled');
  });

  it('accepts query options without the $ prefix, as beta does', async () => {
    const em = await emulator({ groups: 10 });
    const page = await getJson<GraphPage>(em, '/beta/groups?select=displayName&top=3');
    expect(page.value).toHaveLength(3);
    expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(['displayName', 'id']);
  });

  it('rejects $top over 999, unknown properties and $filter like Graph', async () => {
    const em = await emulator({ groups: 5 });
    const tooBig = await get(em, '/beta/groups?$top=1000');
    expect(tooBig.status).toBe(400);
    const body = (await tooBig.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('Request_UnsupportedQuery');
    expect(body.error.message).toContain('Must be between 1 and 999');
    expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);

    expect((await get(em, '/beta/groups?$top=999')).status).toBe(200);
    expect((await get(em, '/beta/groups?$top=0')).status).toBe(400);
    expect((await get(em, '/beta/groups?$select=displayName,notAProperty')).status).toBe(400);
    const filtered = await get(em, "/beta/groups?$filter=writebackConfiguration/isEnabled eq true");
    expect(filtered.status).toBe(400);
    expect(((await filtered.json()) as { error: { message: string } }).error.message).toContain('writebackConfiguration');
    expect((await get(em, '/beta/groups?$skiptoken=garbage')).status).toBe(400);
  });

  it('answers $count only with ConsistencyLevel: eventual', async () => {
    const em = await emulator({ groups: 42 });
    expect((await get(em, '/beta/groups?$count=true&$top=5')).status).toBe(400);
    const page = await getJson<GraphPage>(em, '/beta/groups?$count=true&$top=5', { ConsistencyLevel: 'eventual' });
    expect(page['@odata.count']).toBe(42);
    const text = await get(em, '/beta/groups/$count', { ConsistencyLevel: 'eventual' });
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toBe('42');
  });

  it('requires the bearer token on every /beta request', async () => {
    const em = await emulator({ groups: 3 });
    const missing = await fetch(`${em.url}/beta/groups`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    const wrong = await fetch(`${em.url}/beta/settings`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const custom = await emulator({ groups: 3, token: 'other-token' });
    expect((await fetch(`${custom.url}/beta/groups`, { headers: { Authorization: 'Bearer other-token' } })).status).toBe(200);
    expect((await get(custom, '/beta/groups')).status).toBe(401);
  });

  it('echoes client-request-id and sends a request-id', async () => {
    const em = await emulator({ groups: 1 });
    const response = await get(em, '/beta/groups', { 'client-request-id': 'abc-123' });
    expect(response.headers.get('client-request-id')).toBe('abc-123');
    expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps paging stable while groups are deleted and added mid-scan', async () => {
    const em = await emulator({ groups: 40, seed: 9 });
    const before = [...em.tenant.allGroups()].map((g) => g.id);

    const first = await getJson<GraphPage>(em, '/beta/groups?$top=10&$select=displayName');
    const seenFirst = first.value.map((g) => String(g.id));
    // Mid-scan: delete one group already served and two not yet served, and add a new one.
    em.tenant.deleteGroup(seenFirst[3] ?? '');
    em.tenant.deleteGroup(before[15] ?? '');
    em.tenant.deleteGroup(before[31] ?? '');
    const added = em.tenant.createGroup({ displayName: 'Added mid-scan', mailNickname: 'added', securityEnabled: true });

    const rest = await allPages(em, onEmulator(first['@odata.nextLink'] ?? ''));
    const seen = [...seenFirst, ...ids(rest)];
    expect(new Set(seen).size).toBe(seen.length);
    const expected = before.filter((id) => id !== before[15] && id !== before[31]);
    expect(seen).toEqual([...expected, added.id]);
    // Page 2 resumes exactly after the last group of page 1, whatever was deleted before that point.
    expect(rest[0]?.value.map((g) => g.id)).toEqual(before.slice(10, 21).filter((id) => id !== before[15]));
  });

  it('can return an empty page with a nextLink across a run of deleted groups', async () => {
    const em = await emulator({ groups: 30, pageScanLimit: 10 });
    const all = [...em.tenant.allGroups()].map((g) => g.id);
    for (const id of all.slice(10, 20)) em.tenant.deleteGroup(id);
    const pages = await allPages(em, '/beta/groups?$top=10');
    expect(pages.map((p) => p.value.length)).toEqual([10, 0, 10, 0]);
    expect(pages[1]?.['@odata.nextLink']).toBeDefined();
    expect(ids(pages)).toEqual([...all.slice(0, 10), ...all.slice(20)]);
  });

  it('counts pages and routes in stats', async () => {
    const em = await emulator({ groups: 25 });
    await allPages(em, '/beta/groups?$top=10');
    await get(em, `/beta/groups/${em.tenant.allGroups()[Symbol.iterator]().next().value?.id ?? ''}`);
    const stats = em.stats();
    expect(stats.pages.groups).toBe(3);
    expect(stats.itemsServed).toBe(25);
    expect(stats.byRoute['GET /beta/groups']).toBe(3);
    expect(stats.byRoute['GET /beta/groups/{id}']).toBe(1);
    expect(stats.byStatus['200']).toBe(4);
    em.resetStats();
    expect(em.stats().requests).toBe(0);
  });
});
