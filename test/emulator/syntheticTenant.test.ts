import { describe, expect, it } from 'vitest';
import type { GraphGroup } from '../../src/model';
import {
  COVERAGE_PROFILES,
  ODD_DISPLAY_NAMES,
  syntheticGroup,
  syntheticGroupId,
  syntheticGroupIndex,
} from '../../dev/emulator/syntheticTenant';
import { EmulatedTenant } from '../../dev/emulator/tenant';
import { encodeToken } from '../../dev/emulator/tokens';
import { countingGenerator, emulator, getJson, type GraphPage } from './helpers';

/**
 * Row of the classification table (shared domain rules §3) a group falls in, computed from raw
 * fields here on purpose: the emulator's tests must not depend on the product's classifier.
 */
function tableRow(group: GraphGroup): number {
  if (group.onPremisesSyncEnabled === true) return 1;
  const types = (group.groupTypes ?? []).map((t) => t.toLowerCase());
  const kind = types.includes('unified')
    ? 'microsoft365'
    : group.securityEnabled === true && group.mailEnabled !== true
      ? 'security'
      : 'other';
  if (kind === 'other') return 2;
  const enabled = group.writebackConfiguration?.isEnabled ?? null;
  const type = group.writebackConfiguration?.onPremisesGroupType ?? null;
  if (kind === 'microsoft365') {
    if (enabled === false) return 3;
    if (enabled === true) return type === null ? 4 : 5;
    return type === null ? 6 : 7;
  }
  if (enabled === true) return type === null || type.toLowerCase() === 'universalsecuritygroup' ? 8 : 9;
  return enabled === false ? 10 : 11;
}

const writtenBackAsSecurityType = (group: GraphGroup): boolean => {
  const type = group.writebackConfiguration?.onPremisesGroupType?.toLowerCase() ?? null;
  const row = tableRow(group);
  return (row === 8 || row === 9 || ((row === 5 || row === 7) && (type === 'universalsecuritygroup' || type === 'universalmailenabledsecuritygroup')));
};
const writtenBack = (group: GraphGroup): boolean => [4, 5, 6, 7, 8, 9].includes(tableRow(group));

describe('synthetic tenant', () => {
  it('covers every classification row and every finding with 50 groups', () => {
    const tenant = new EmulatedTenant({ groups: 50, seed: 123 });
    const groups = [...tenant.allGroups()];
    expect(groups).toHaveLength(50);
    const rows = new Set(groups.map(tableRow));
    expect([...rows].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // Every kind of row 2, and formerly synced groups.
    expect(groups.some((g) => g.securityEnabled === true && g.mailEnabled === true)).toBe(true);
    expect(groups.some((g) => g.securityEnabled === false && g.mailEnabled === true && !(g.groupTypes ?? []).includes('Unified'))).toBe(true);
    expect(groups.some((g) => !('securityEnabled' in g) && !('mailEnabled' in g))).toBe(true);
    expect(groups.some((g) => g.onPremisesSyncEnabled === false)).toBe(true);

    // Findings (domain rules §5).
    expect(groups.some((g) => g.isAssignableToRole === true && writtenBack(g))).toBe(true);
    expect(groups.some((g) => g.visibility === 'Public' && (g.groupTypes ?? []).includes('Unified') && writtenBackAsSecurityType(g))).toBe(true);
    expect(groups.some((g) => (g.groupTypes ?? []).includes('DynamicMembership') && writtenBackAsSecurityType(g) && tableRow(g) === 8)).toBe(true);
    expect(groups.some((g) => (g.groupTypes ?? []).includes('DynamicMembership') && writtenBackAsSecurityType(g) && tableRow(g) === 5)).toBe(true);
    const knownTypes = ['universaldistributiongroup', 'universalsecuritygroup', 'universalmailenabledsecuritygroup'];
    expect(groups.some((g) => {
      const type = g.writebackConfiguration?.onPremisesGroupType;
      return typeof type === 'string' && !knownTypes.includes(type.toLowerCase());
    })).toBe(true);
    expect(groups.some((g) => tableRow(g) === 5 && (tenant.memberCount(g.id) ?? 0) > 50_000)).toBe(true);
    expect(groups.some((g) => tableRow(g) === 8 && (tenant.memberCount(g.id) ?? 0) > 250_000)).toBe(true);
  });

  it('includes enum casing variants, sparse objects and odd display names', () => {
    const groups = [...new EmulatedTenant({ groups: 50, seed: 5 }).allGroups()];
    expect(groups.some((g) => g.writebackConfiguration?.onPremisesGroupType === 'UniversalSecurityGroup')).toBe(true);
    expect(groups.some((g) => !('writebackConfiguration' in g))).toBe(true);
    const names = groups.map((g) => g.displayName);
    for (const odd of ODD_DISPLAY_NAMES) expect(names).toContain(odd);
    expect(names.some((n) => n?.startsWith('='))).toBe(true);
    expect(names.some((n) => n?.length === 256)).toBe(true);
    expect(names.some((n) => /\p{Extended_Pictographic}/u.test(n ?? ''))).toBe(true);
    expect(groups.some((g) => (g.resourceProvisioningOptions ?? []).includes('Team'))).toBe(true);
  });

  it('keeps a realistic mix past the coverage groups', () => {
    const groups = [...new EmulatedTenant({ groups: 5_000, seed: 8 }).allGroups()].slice(COVERAGE_PROFILES.length);
    const share = (test: (g: GraphGroup) => boolean) => groups.filter(test).length / groups.length;
    expect(share((g) => (g.groupTypes ?? []).includes('Unified'))).toBeGreaterThan(0.3);
    expect(share((g) => g.onPremisesSyncEnabled === true)).toBeGreaterThan(0.05);
    expect(share((g) => tableRow(g) === 6)).toBeGreaterThan(0.1);
    const rows = new Set(groups.map(tableRow));
    expect(rows.size).toBe(11);
  });

  it('is deterministic per seed, with lowercase GUID ids that map back to their index', () => {
    expect(syntheticGroup(77, 1234)).toEqual(syntheticGroup(77, 1234));
    expect(syntheticGroup(78, 1234).id).not.toBe(syntheticGroup(77, 1234).id);
    const ids = new Set<string>();
    for (let index = 0; index < 5_000; index++) {
      const id = syntheticGroupId(77, index);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(5_000);
    for (const index of [0, 1, 25, 499_999, 123_456]) {
      expect(syntheticGroupIndex(77, syntheticGroupId(77, index), 500_000)).toBe(index);
    }
    expect(syntheticGroupIndex(77, syntheticGroupId(77, 10), 10)).toBeUndefined();
    expect(syntheticGroupIndex(78, syntheticGroupId(77, 10), 500_000)).toBeUndefined();
  });

  it('serves a page of a 500,000-group tenant without generating the tenant', async () => {
    const counting = countingGenerator();
    const generated = counting.generated;
    const em = await emulator({ groups: 500_000, seed: 11, generate: counting.generate });
    expect(em.tenant.groupCount()).toBe(500_000);
    expect(generated()).toBe(0);

    const first = await getJson<GraphPage>(em, '/beta/groups?$top=999&$select=displayName,writebackConfiguration');
    expect(first.value).toHaveLength(999);
    expect(generated()).toBe(999);

    const last = await getJson<GraphPage>(em, `/beta/groups?$top=999&$skiptoken=${encodeToken({ k: 'l', p: 499_500 })}`);
    expect(last.value).toHaveLength(500);
    expect(last.value.at(-1)?.id).toBe(syntheticGroupId(11, 499_999));
    expect(generated()).toBe(999 + 500);

    const before = generated();
    const id = syntheticGroupId(11, 400_000);
    await getJson(em, `/beta/groups/${id}`);
    em.tenant.updateGroup(id, { displayName: 'Changed' });
    expect(em.tenant.getGroup(id)?.displayName).toBe('Changed');
    expect(generated() - before).toBeLessThanOrEqual(3);
    expect(em.tenant.groupCount()).toBe(500_000);
  });
});
