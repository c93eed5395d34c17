import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/emulator/server';
import { emulator, get, getJson, onEmulator, send, type GraphPage } from './helpers';

interface Round {
  pages: GraphPage[];
  items: Record<string, unknown>[];
  deltaLink: string;
}

/** Follows a delta round from `path` to its deltaLink. */
async function round(em: RunningEmulator, path: string): Promise<Round> {
  const pages: GraphPage[] = [];
  let next: string | undefined = path;
  for (;;) {
    const page: GraphPage = await getJson<GraphPage>(em, next);
    pages.push(page);
    if (page['@odata.nextLink']) {
      expect(page['@odata.deltaLink']).toBeUndefined();
      next = onEmulator(page['@odata.nextLink']);
      continue;
    }
    const deltaLink = page['@odata.deltaLink'];
    if (!deltaLink) throw new Error('a delta page had neither nextLink nor deltaLink');
    return { pages, items: pages.flatMap((p) => p.value), deltaLink };
  }
}

describe('GET /beta/groups/delta', () => {
  it('returns every group in the initial round, then only changes and removals', async () => {
    let clock = Date.UTC(2024, 0, 1);
    const em = await emulator({ groups: 45, deltaPageSize: 10, now: () => clock });
    const initial = await round(em, '/beta/groups/delta?$select=displayName,writebackConfiguration');
    expect(initial.pages).toHaveLength(5);
    expect(initial.items.map((g) => g.id)).toEqual([...em.tenant.allGroups()].map((g) => g.id));
    for (const item of initial.items) {
      expect(Object.keys(item).every((k) => ['id', 'displayName', 'writebackConfiguration'].includes(k))).toBe(true);
    }
    const nextLink = new URL(initial.pages[0]?.['@odata.nextLink'] ?? '');
    expect(`${nextLink.origin}${nextLink.pathname}`).toBe('https://graph.microsoft.com/beta/groups/delta');
    expect(nextLink.searchParams.get('$select')).toBeNull(); // carried in the token, as Graph does
    expect(initial.deltaLink).toMatch(/^https:\/\/graph\.microsoft\.com\/beta\/groups\/delta\?\$deltatoken=/);

    // Nothing changed: an empty round.
    clock += 60_000;
    const quiet = await round(em, onEmulator(initial.deltaLink));
    expect(quiet.items).toEqual([]);

    // Change two groups (one twice), delete one, soft-delete one over HTTP, create one.
    const all = [...em.tenant.allGroups()];
    const [a, b, c, d] = [all[20]?.id ?? '', all[21]?.id ?? '', all[22]?.id ?? '', all[23]?.id ?? ''];
    em.tenant.updateGroup(a, { displayName: 'Changed once' });
    em.tenant.updateGroup(b, { displayName: 'Changed' });
    em.tenant.updateGroup(a, { displayName: 'Changed twice' });
    em.tenant.deleteGroup(c);
    expect((await send(em, 'DELETE', `/beta/groups/${d}`)).status).toBe(204);
    const created = em.tenant.createGroup({ displayName: 'Brand new', mailNickname: 'new', securityEnabled: true });

    clock += 60_000;
    const changes = await round(em, onEmulator(quiet.deltaLink));
    expect(changes.items).toEqual([
      { id: b, displayName: 'Changed', writebackConfiguration: all[21]?.writebackConfiguration },
      { id: a, displayName: 'Changed twice', writebackConfiguration: all[20]?.writebackConfiguration },
      { id: c, '@removed': { reason: 'deleted' } },
      { id: d, '@removed': { reason: 'changed' } },
      { id: created.id, displayName: 'Brand new', writebackConfiguration: { isEnabled: null, onPremisesGroupType: null } },
    ].map((item) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined))));

    // The older deltaLink still works and replays everything since it was issued.
    const replay = await round(em, onEmulator(initial.deltaLink));
    expect(replay.items.map((g) => g.id)).toEqual([b, a, c, d, created.id]);

    const after = await round(em, onEmulator(changes.deltaLink));
    expect(after.items).toEqual([]);
  });

  it('pages a changes round and reports a change made mid-round in the next round', async () => {
    const em = await emulator({ groups: 30, deltaPageSize: 2 });
    const initial = await round(em, '/beta/groups/delta?$select=displayName');
    const all = [...em.tenant.allGroups()];
    for (const group of all.slice(0, 5)) em.tenant.updateGroup(group.id, { displayName: `${group.displayName} v2` });

    const first = await getJson<GraphPage>(em, onEmulator(initial.deltaLink));
    expect(first.value).toHaveLength(2);
    // Changed after the round started: this round does not report the newer state, the next one does.
    em.tenant.updateGroup(all[4]?.id ?? '', { displayName: 'v3' });
    const rest = await round(em, onEmulator(first['@odata.nextLink'] ?? ''));
    const roundIds = [...first.value, ...rest.items].map((g) => g.id);
    expect(roundIds).toEqual(all.slice(0, 4).map((g) => g.id));
    const next = await round(em, onEmulator(rest.deltaLink));
    expect(next.items).toEqual([{ id: all[4]?.id, displayName: 'v3' }]);
  });

  it('answers 410 syncStateNotFound for a token older than the maximum age', async () => {
    let clock = Date.UTC(2024, 0, 1);
    const em = await emulator({ groups: 5, now: () => clock });
    const initial = await round(em, '/beta/groups/delta?$select=displayName');
    clock += 7 * 24 * 3_600_000 + 1;
    const expired = await get(em, onEmulator(initial.deltaLink));
    expect(expired.status).toBe(410);
    const body = (await expired.json()) as { error: { code: string } };
    expect(body.error.code).toBe('syncStateNotFound');
    const location = new URL(expired.headers.get('location') ?? '');
    expect(location.pathname).toBe('/beta/groups/delta');
    expect(location.searchParams.get('$select')).toBe('displayName');

    // The Location starts a fresh full round.
    const fresh = await round(em, onEmulator(location.toString()));
    expect(fresh.items).toHaveLength(5);
  });

  it('answers 410 resyncRequired for every outstanding token after expireDeltaTokens()', async () => {
    const em = await emulator({ groups: 12, deltaPageSize: 5 });
    const initial = await round(em, '/beta/groups/delta');
    const midRound = await getJson<GraphPage>(em, '/beta/groups/delta');
    em.tenant.expireDeltaTokens();
    for (const link of [initial.deltaLink, midRound['@odata.nextLink'] ?? '']) {
      const response = await get(em, onEmulator(link));
      expect(response.status).toBe(410);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('resyncRequired');
    }
    const restarted = await round(em, '/beta/groups/delta');
    expect(restarted.items).toHaveLength(12);
  });

  it('supports $deltatoken=latest and the fully qualified function name', async () => {
    const em = await emulator({ groups: 8 });
    const latest = await getJson<GraphPage>(em, '/beta/groups/delta?$deltatoken=latest');
    expect(latest.value).toEqual([]);
    const group = [...em.tenant.allGroups()][2];
    em.tenant.updateGroup(group?.id ?? '', { description: 'x' });
    const changes = await round(em, onEmulator(latest['@odata.deltaLink'] ?? ''));
    expect(changes.items.map((g) => g.id)).toEqual([group?.id]);

    const qualified = await round(em, '/beta/groups/microsoft.graph.delta()?$select=displayName');
    expect(qualified.items).toHaveLength(8);
  });

  it('rejects malformed tokens with 400', async () => {
    const em = await emulator({ groups: 2 });
    expect((await get(em, '/beta/groups/delta?$deltatoken=nonsense')).status).toBe(400);
    expect((await get(em, '/beta/groups/delta?$skiptoken=nonsense')).status).toBe(400);
    expect(em.stats().pages.delta).toBe(0);
  });
});
