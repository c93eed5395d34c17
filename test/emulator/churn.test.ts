import { describe, expect, it } from 'vitest';
import type { GraphGroup } from '../../src/model';
import type { RunningEmulator } from '../../dev/emulator/server';
import { allPages, countingGenerator, emulator, getJson, onEmulator, send, type GraphPage } from './helpers';

interface ChurnResponse {
  changed: number;
  created: number;
  deleted: number;
  total: number;
}

async function churn(em: RunningEmulator, body: unknown): Promise<ChurnResponse> {
  const response = await send(em, 'POST', '/_emulator/tenant/churn', body);
  if (response.status !== 200) throw new Error(`churn answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ChurnResponse;
}

/** Every live group, read through GET /beta/groups, by id. */
async function listAll(em: RunningEmulator): Promise<Map<string, Record<string, unknown>>> {
  const pages = await allPages(em, '/beta/groups?$top=999');
  return new Map(pages.flatMap((page) => page.value.map((group) => [String(group.id), group] as const)));
}

async function latestDeltaLink(em: RunningEmulator): Promise<string> {
  const page = await getJson<GraphPage>(em, '/beta/groups/delta?$deltatoken=latest');
  return page['@odata.deltaLink'] ?? '';
}

/** Follows a delta round from a deltaLink to its next deltaLink; returns its items. */
async function deltaRound(em: RunningEmulator, deltaLink: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = onEmulator(deltaLink);
  while (next !== undefined) {
    const page: GraphPage = await getJson<GraphPage>(em, next);
    items.push(...page.value);
    next = page['@odata.nextLink'] ? onEmulator(page['@odata.nextLink']) : undefined;
  }
  return items;
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();
const isRemoval = (item: Record<string, unknown>): boolean => item['@removed'] !== undefined;

function writeback(group: Record<string, unknown> | undefined): GraphGroup['writebackConfiguration'] {
  return (group?.writebackConfiguration ?? null) as GraphGroup['writebackConfiguration'];
}

describe('POST /_emulator/tenant/churn', () => {
  it('changes round(fraction × groups) groups, and the next delta round reports exactly those', async () => {
    const em = await emulator({ groups: 2000, seed: 5, deltaPageSize: 999 });
    const before = await listAll(em);
    const deltaLink = await latestDeltaLink(em);

    const result = await churn(em, { fraction: 0.05, seed: 1 });
    expect(result).toEqual({ changed: 100, created: 5, deleted: 5, total: 110 });

    // What changed, seen through plain listing rather than through delta.
    const after = await listAll(em);
    const deleted = [...before.keys()].filter((id) => !after.has(id));
    const created = [...after.keys()].filter((id) => !before.has(id));
    const changed = [...before.keys()].filter((id) => after.has(id) && JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id)));
    expect([changed.length, created.length, deleted.length]).toEqual([100, 5, 5]);
    const health = await (await send(em, 'GET', '/_emulator/health')).json();
    expect(health).toMatchObject({ groups: 2000, changeSequence: 110 });

    const items = await deltaRound(em, deltaLink);
    expect(items).toHaveLength(110);
    expect(sorted(items.filter(isRemoval).map((item) => String(item.id)))).toEqual(sorted(deleted));
    expect(items.filter(isRemoval).every((item) => JSON.stringify(item['@removed']) === '{"reason":"changed"}')).toBe(true);
    const reported = items.filter((item) => !isRemoval(item));
    expect(sorted(reported.map((item) => String(item.id)))).toEqual(sorted([...changed, ...created]));
    for (const item of reported) expect(item).toEqual(after.get(String(item.id)));

    // Admin changes: a rename or a writeback switch, nothing else; enabling only on cloud-only security groups.
    let renames = 0;
    let enabled = 0;
    let disabled = 0;
    for (const id of changed) {
      const [old, now] = [before.get(id)!, after.get(id)!];
      const touched = Object.keys({ ...old, ...now }).filter((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]));
      expect(touched).toHaveLength(1);
      if (touched[0] === 'displayName') {
        renames++;
        continue;
      }
      expect(touched[0]).toBe('writebackConfiguration');
      expect(old.onPremisesSyncEnabled).not.toBe(true);
      if (writeback(now)?.isEnabled === true) {
        enabled++;
        expect(writeback(now)?.onPremisesGroupType).toBe('universalSecurityGroup');
        expect(old).toMatchObject({ securityEnabled: true, groupTypes: [] });
        expect(old.mailEnabled).not.toBe(true);
        expect(old.onPremisesSyncEnabled ?? null).toBeNull();
      } else {
        disabled++;
        expect(writeback(now)).toEqual({ isEnabled: false, onPremisesGroupType: writeback(old)?.onPremisesGroupType ?? null });
      }
    }
    expect(renames).toBeGreaterThan(0);
    expect(enabled).toBeGreaterThan(0);
    expect(disabled).toBeGreaterThan(0);
  });

  it('makes the same changes for the same seed and other changes for another', async () => {
    const options = { groups: 1000, seed: 2, deltaPageSize: 999 };
    const ems = [await emulator(options), await emulator(options), await emulator(options)];
    const original = await listAll(ems[0]!);
    const links = await Promise.all(ems.map(latestDeltaLink));
    const results = await Promise.all(ems.map((em, i) => churn(em, { fraction: 0.03, seed: i === 2 ? 5 : 4 })));
    expect(results[0]).toEqual({ changed: 30, created: 2, deleted: 2, total: 34 });
    const rounds = await Promise.all(ems.map((em, i) => deltaRound(em, links[i]!)));
    expect(rounds[0]).toHaveLength(34);
    expect(rounds[1]).toEqual(rounds[0]);
    // Created groups get the same ids in every tenant (ids come from the tenant's seed); compare the rest.
    const existing = (items: Record<string, unknown>[]): string[] => sorted(items.map((item) => String(item.id)).filter((id) => original.has(id)));
    expect(existing(rounds[2]!)).not.toEqual(existing(rounds[0]!));
  });

  it('with fraction 1 changes every live group once, and never a deleted one', async () => {
    const em = await emulator({ groups: 40, seed: 8 });
    const initial = [...(await listAll(em)).keys()];
    for (const id of initial.slice(10, 13)) expect((await send(em, 'DELETE', `/beta/groups/${id}`)).status).toBe(204);
    const live = await listAll(em);
    const deltaLink = await latestDeltaLink(em);

    // No group is left to delete once all of them changed.
    expect(await churn(em, { fraction: 1, seed: 3 })).toEqual({ changed: 37, created: 2, deleted: 0, total: 39 });
    const items = await deltaRound(em, deltaLink);
    const ids = items.map((item) => String(item.id));
    expect(new Set(ids).size).toBe(39);
    expect(items.some(isRemoval)).toBe(false);
    expect(sorted(ids.filter((id) => live.has(id)))).toEqual(sorted(live.keys()));
    expect((await listAll(em)).size).toBe(39);
  });

  it('builds only the groups it touches in a large lazy tenant', async () => {
    const counting = countingGenerator();
    const em = await emulator({ groups: 200_000, seed: 11, generate: counting.generate });
    expect(await churn(em, { fraction: 0.001, seed: 1 })).toEqual({ changed: 200, created: 10, deleted: 10, total: 220 });
    expect(em.tenant.groupCount()).toBe(200_000);
    expect(em.tenant.changeSequence()).toBe(220);
    // A few reads per touched group, not one per group of the tenant.
    expect(counting.generated()).toBeLessThan(2_000);
  });

  it('refuses bad bodies with 400 and changes nothing', async () => {
    const em = await emulator({ groups: 50 });
    const cases: [unknown, RegExp][] = [
      [{ fraction: 0, seed: 1 }, /"fraction"/],
      [{ fraction: 1.5, seed: 1 }, /"fraction"/],
      [{ fraction: '0.1', seed: 1 }, /"fraction"/],
      [{ seed: 1 }, /"fraction"/],
      [{ fraction: 0.1 }, /"seed"/],
      [{ fraction: 0.1, seed: 1.5 }, /"seed"/],
      [{ fraction: 0.1, seed: '1' }, /"seed"/],
      [[0.1, 1], /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await send(em, 'POST', '/_emulator/tenant/churn', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { message: string } }).error;
      expect(error.message).toMatch(message);
    }
    expect(em.tenant.changeSequence()).toBe(0);
    expect(em.tenant.groupCount()).toBe(50);
  });
});
