/** The scan's progress callback, against the emulator and Azurite: pages and groups as they are stored, and Graph's count. */
import { afterEach, describe, expect, it } from 'vitest';
import { runScan, type ScanProgress } from '../../src/scan/runScan';
import { startWorld, type World } from '../helpers/world';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const GROUP_LIST = 'GET /beta/groups';

describe('scan progress', () => {
  it('reports every stored page with the groups so far, and the total from Graph\'s $count', async () => {
    world = await startWorld({ emulator: { groups: 1010, seed: 21 }, env: { GRAPH_PAGE_SIZE: '50' } });
    const seen: ScanProgress[] = [];
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli', onProgress: (progress) => seen.push({ ...progress }) });
    expect(outcome.status).toBe('complete');
    // One update before the first page, one per page (20 full pages and one of 10), and one when all is stored.
    const paging = seen.slice(0, -1);
    expect(paging.map((p) => p.pages)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect(paging.map((p) => p.groups)).toEqual([...Array.from({ length: 21 }, (_, i) => i * 50), 1010]);
    expect(paging.some((p) => p.finished)).toBe(false);
    expect(seen.at(-1)).toEqual({ pages: 21, groups: 1010, total: 1010, finished: true });
    // The count is asked alongside the first page; once it is in, every update carries it.
    const totals = seen.map((p) => p.total);
    const firstKnown = totals.findIndex((t) => t !== null);
    expect(firstKnown).toBeGreaterThanOrEqual(0);
    expect(totals.slice(firstKnown).every((t) => t === world!.emulator.tenant.groupCount())).toBe(true);
    // 21 pages, plus the one count request.
    expect(world.emulator.stats().byRoute[GROUP_LIST]).toBe(22);
  });

  it('asks Graph for no count when nobody listens', async () => {
    world = await startWorld({ emulator: { groups: 210, seed: 22 }, env: { GRAPH_PAGE_SIZE: '50' } });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('complete');
    expect(world.emulator.stats().byRoute[GROUP_LIST]).toBe(5);
  });

  it('goes on without a total when the count fails', async () => {
    world = await startWorld({ emulator: { groups: 120, seed: 23 }, env: { GRAPH_PAGE_SIZE: '50' } });
    const deps = world.services.scanDependencies();
    // The real reader, except that its count fails as a missing permission would.
    const reader = Object.assign(Object.create(deps.reader) as typeof deps.reader, {
      estimateGroupCount: () => Promise.reject(new Error('Insufficient privileges to complete the operation.')),
    });
    const seen: ScanProgress[] = [];
    const outcome = await runScan({ ...deps, reader }, { trigger: 'cli', onProgress: (progress) => seen.push({ ...progress }) });
    expect(outcome.status).toBe('complete');
    expect(seen.map((p) => p.groups)).toEqual([0, 50, 100, 120, 120]);
    expect(seen.at(-1)?.finished).toBe(true);
    expect(seen.every((p) => p.total === null)).toBe(true);
  });

  it('counts a delta scan\'s stored changes against the changes Graph reported, without asking for a count', async () => {
    world = await startWorld({ emulator: { groups: 2500, seed: 25, deltaPageSize: 999 }, env: { DELTA_ENABLED: 'true' } });
    const first = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(first.status).toBe('complete');
    const groupsNow = [...world.emulator.tenant.allGroups()];
    for (const [index, group] of groupsNow.slice(0, 1500).entries()) world.emulator.tenant.updateGroup(group.id, { displayName: `Renamed for the delta ${index}` });
    world.emulator.resetStats();
    const seen: ScanProgress[] = [];
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli', onProgress: (progress) => seen.push({ ...progress }) });
    expect(outcome.status === 'complete' && outcome.scan.mode).toBe('delta');
    expect(seen[0]).toEqual({ pages: 2, groups: 0, total: 1500, finished: false });
    expect(seen.at(-1)).toEqual({ pages: 2, groups: 1500, total: 1500, finished: true });
    const groups = seen.map((p) => p.groups);
    expect(groups).toEqual([...groups].sort((a, b) => a - b));
    expect(groups.length).toBeGreaterThan(2);
    expect(world.emulator.stats().byRoute[GROUP_LIST]).toBeUndefined();
  });

  it('reads the count the way Graph gives it: $count with ConsistencyLevel eventual', async () => {
    world = await startWorld({ emulator: { groups: 321, seed: 24 } });
    expect(await world.services.scanDependencies().reader.estimateGroupCount()).toBe(321);
  });
});
