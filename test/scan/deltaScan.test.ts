/**
 * Delta scans against the emulator and Azurite: the snapshot equals a full scan's of the same tenant, with
 * far fewer Graph requests; expired tokens and oversized change sets fall back to a full scan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';
import { loadSettings } from '../../src/config/settings';
import { createServices, type Services } from '../../src/app/services';
import { silentLogger } from '../../src/observability/logger';
import { runScan, type ScanOutcome } from '../../src/scan/runScan';
import { uniqueTablePrefix } from '../helpers/settings';
import type { ClassifiedGroup } from '../../src/model';
import { addToCounts, emptyCounts } from '../../src/classify/counts';
import { isCloudOnlySecurityGroup } from '../../dev/emulator/groupShape';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function rows(services: Services, scanId: string): Promise<ClassifiedGroup[]> {
  const out: ClassifiedGroup[] = [];
  for await (const group of services.snapshots.readGroups(await services.scans.require(services.settings.tenantId, scanId))) out.push(group);
  return out;
}

function complete(outcome: ScanOutcome): Extract<ScanOutcome, { status: 'complete' }> {
  if (outcome.status !== 'complete') throw new Error(`scan ended ${outcome.status}: ${'error' in outcome ? outcome.error : ''}`);
  return outcome;
}

/** A full scan of the same emulated tenant into tables of its own: what a delta scan must equal. */
async function fullScanRows(w: World): Promise<ClassifiedGroup[]> {
  const services = createServices(loadSettings({ ...w.env, TABLE_PREFIX: uniqueTablePrefix(), DELTA_ENABLED: 'false' }), { log: silentLogger });
  const outcome = complete(await runScan(services.scanDependencies(), { trigger: 'cli' }));
  expect(outcome.scan.mode).toBe('full');
  return rows(services, outcome.scan.id);
}

/** What admins do between two nights: enable writeback, retarget, create, delete, soft-delete. */
function changeTenant(w: World, seed: number): { changed: number } {
  const tenant = w.emulator.tenant;
  const groups = [...tenant.allGroups()];
  const pick = (i: number) => groups[(seed * 7 + i * 13) % groups.length]!;
  const cloudSecurity = groups.filter(isCloudOnlySecurityGroup);
  tenant.updateGroup(cloudSecurity[seed % cloudSecurity.length]!.id, { writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } });
  tenant.updateGroup(cloudSecurity[(seed + 1) % cloudSecurity.length]!.id, { writebackConfiguration: { isEnabled: false } });
  tenant.updateGroup(pick(3).id, { displayName: `Renamed ${seed}` });
  tenant.deleteGroup(pick(4).id);
  tenant.deleteGroup(pick(5).id, { reason: 'changed' });
  tenant.createGroup({ displayName: `New team ${seed}`, groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, mailNickname: `team${seed}` });
  tenant.createGroup({ displayName: `New security ${seed}`, securityEnabled: true, mailEnabled: false, writebackConfiguration: { isEnabled: true } });
  return { changed: 7 };
}

describe('delta scans', () => {
  it('apply Graph changes to the last snapshot and store exactly what a full scan stores', async () => {
    world = await startWorld({ emulator: { groups: 2600, seed: 5, deltaPageSize: 999 }, env: { DELTA_ENABLED: 'true' } });
    const first = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(first.scan.mode).toBe('full');
    expect(first.scan.deltaLink).toMatch(/^https:\/\/graph\.microsoft\.com\/beta\/groups\/delta\?/);

    for (const night of [1, 2]) {
      changeTenant(world, night);
      world.emulator.resetStats();
      const delta = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
      const stats = world.emulator.stats();
      expect(delta.scan.mode).toBe('delta');
      expect(delta.scan.baseScanId).not.toBeNull();
      // The tenant context (3 reads), Cloud Sync discovery (one read per application template: none found) and
      // one page of changes; no group list at all.
      expect(stats.pages.groups).toBe(0);
      expect(stats.pages.delta).toBe(1);
      expect(stats.requests).toBeLessThanOrEqual(6);
      const expected = await fullScanRows(world);
      const actual = await rows(world.services, delta.scan.id);
      expect(actual).toHaveLength(world.emulator.tenant.groupCount());
      expect(actual).toEqual(expected);
      const counts = emptyCounts(world.settings.engines);
      for (const group of expected) addToCounts(counts, group);
      expect(delta.scan.counts).toEqual(counts);
    }
  });

  it('stores only the changes Graph reports, and reads back what a full scan stores', async () => {
    world = await startWorld({ emulator: { groups: 2600, seed: 9, deltaPageSize: 999 }, env: { DELTA_ENABLED: 'true', GRAPH_PAGE_SIZE: '100' } });
    const first = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    changeTenant(world, 1);
    const delta = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(delta.scan.mode).toBe('delta');
    expect(delta.scan.comparedWithScanId).toBe(first.scan.id);
    const actual = await rows(world.services, delta.scan.id);
    expect(actual).toEqual(await fullScanRows(world));
    // A change per group whose row differs (a retarget, a rename, deletions, new groups), nothing of the base copied.
    const before = new Map((await rows(world.services, first.scan.id)).map((g) => [g.id, JSON.stringify(g)]));
    const differing = actual.filter((g) => before.get(g.id) !== JSON.stringify(g)).length + [...before.keys()].filter((id) => !actual.some((g) => g.id === id)).length;
    const entries: string[] = [];
    for await (const chunk of world.services.snapshots.changeLog.readChunks(world.settings.tenantId, delta.scan.id)) entries.push(...chunk.entries.map((e) => e.id));
    expect(differing).toBeGreaterThanOrEqual(5);
    expect(entries.sort()).toEqual([...new Set(entries)].sort());
    expect(entries).toHaveLength(differing);
  });

  it('falls back to a full scan when Graph forgot the token (410), and resumes delta after it', async () => {
    world = await startWorld({ emulator: { groups: 1200, seed: 6 }, env: { DELTA_ENABLED: 'true' } });
    complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    changeTenant(world, 3);
    world.emulator.tenant.expireDeltaTokens();
    world.emulator.resetStats();
    const fallback = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(fallback.scan.mode).toBe('full');
    expect(fallback.scan.baseScanId).toBeNull();
    expect(world.emulator.stats().byStatus['410']).toBe(1);
    expect(world.emulator.stats().pages.groups).toBe(2);
    expect(await rows(world.services, fallback.scan.id)).toEqual(await fullScanRows(world));

    changeTenant(world, 4);
    const next = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(next.scan.mode).toBe('delta');
    expect(next.scan.baseScanId).toBe(fallback.scan.id);
    expect(await rows(world.services, next.scan.id)).toEqual(await fullScanRows(world));
  });

  it('runs a full verification scan once the last full scan is FULL_SCAN_INTERVAL_DAYS old', async () => {
    world = await startWorld({ emulator: { groups: 300, seed: 8 }, env: { DELTA_ENABLED: 'true', FULL_SCAN_INTERVAL_DAYS: '7' } });
    let clock = Date.parse('2026-11-01T02:00:00Z');
    const deps = { ...world.services.scanDependencies(), now: () => new Date(clock) };
    const modes: string[] = [];
    for (let day = 0; day < 9; day++) {
      changeTenant(world, day);
      modes.push(complete(await runScan(deps, { trigger: 'timer' })).scan.mode);
      clock += 24 * 3_600_000;
    }
    expect(modes).toEqual(['full', 'delta', 'delta', 'delta', 'delta', 'delta', 'delta', 'full', 'delta']);
  });

  it('reads a changed group whole when delta sends only part of it', async () => {
    world = await startWorld({
      emulator: { groups: 500, seed: 9, deltaOmitFromChanges: ['securityEnabled', 'writebackConfiguration'] },
      env: { DELTA_ENABLED: 'true' },
    });
    complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    changeTenant(world, 5); // 5 groups changed or created, 2 removed
    world.emulator.resetStats();
    const delta = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(delta.scan.mode).toBe('delta');
    expect(world.emulator.stats().byRoute['GET /beta/groups/{id}']).toBe(5);
    expect(await rows(world.services, delta.scan.id)).toEqual(await fullScanRows(world));
  });
});
