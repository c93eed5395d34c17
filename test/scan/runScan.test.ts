import { afterEach, describe, expect, it } from 'vitest';
import { classifyGroup } from '../../src/classify/classifyGroup';
import { addToCounts, emptyCounts } from '../../src/classify/counts';
import { compareSnapshotOrder } from '../../src/store/keys';
import { runScan } from '../../src/scan/runScan';
import { churnTenant } from '../../dev/emulator/controlRoutes';
import type { ClassifiedGroup, GraphGroup, TenantContext } from '../../src/model';
import { buildEngineContext } from '../../src/classify/engines/engineContext';
import { instantClock, startWorld, type World } from '../helpers/world';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Classified as the scan classifies: with the engines configured and the Cloud Sync context the scan recorded. */
function expectedSnapshot(groups: Iterable<GraphGroup>, scan: { tenantContext: TenantContext | null }): ClassifiedGroup[] {
  const engines = buildEngineContext(world!.settings.engines, scan.tenantContext?.cloudSync ?? null);
  return [...groups].map((g) => classifyGroup(g, { engines })).sort((a, b) => compareSnapshotOrder(a.id, b.id));
}

describe('runScan against the emulator and Azurite', () => {
  it('stores exactly the direct classification of every group, across many pages', async () => {
    world = await startWorld({ emulator: { groups: 3000, seed: 11 }, env: { GRAPH_PAGE_SIZE: '97' } });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;
    const expected = expectedSnapshot(world.emulator.tenant.allGroups(), outcome.scan);
    const stored = await collect(world.services.snapshots.readGroups(outcome.scan));
    expect(stored.length).toBe(3000);
    expect(new Set(stored.map((g) => g.id)).size).toBe(3000);
    expect(stored).toEqual(expected);
    const counts = emptyCounts(world.settings.engines);
    for (const group of expected) addToCounts(counts, group);
    expect(outcome.scan.counts).toEqual(counts);
    expect(outcome.scan.pages).toBe(Math.ceil(3000 / 97));
    const reread = await world.services.scans.get(world.settings.tenantId, outcome.scan.id);
    expect(reread?.status).toBe('complete');
    expect(reread?.counts).toEqual(counts);
    expect(reread?.tenantContext?.newUnifiedGroupWritebackDefault).toBe(true);
  });

  it('stores only what changed on a later full scan, the same however often it pauses and resumes', async () => {
    world = await startWorld({
      emulator: { groups: 3000, seed: 12 },
      env: { GRAPH_PAGE_SIZE: '97', SCAN_CHECKPOINT_PAGES: '2', SCAN_TIME_BUDGET_SECONDS: '60' },
    });
    const first = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(first.status).toBe('complete');
    if (first.status !== 'complete') return;
    const change = churnTenant(world.emulator.tenant, 0.05, 3);
    let t = Date.parse('2026-11-26T02:00:00Z');
    const now = (): Date => new Date((t += 7_000)); // the budget runs out every few pages
    let outcome = await runScan({ ...world.services.scanDependencies(), now }, { trigger: 'cli' });
    let invocations = 1;
    while (outcome.status === 'paused' && invocations < 100) {
      outcome = await runScan({ ...world.services.scanDependencies(), now }, { trigger: 'timer', resumeOnly: true });
      invocations += 1;
    }
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;
    expect(invocations).toBeGreaterThan(3);
    expect(outcome.scan.resumes).toBeGreaterThan(2);
    expect(outcome.scan.comparedWithScanId).toBe(first.scan.id);
    const stored = await collect(world.services.snapshots.readGroups(outcome.scan));
    expect(stored).toEqual(expectedSnapshot(world.emulator.tenant.allGroups(), outcome.scan));
    // What it stored: a change per group that changed, came or went (a replayed page added none), and a manifest
    // page per Graph page.
    const before = new Map((await collect(world.services.snapshots.readGroups(first.scan))).map((g) => [g.id, JSON.stringify(g)]));
    const differing = stored.filter((g) => before.get(g.id) !== JSON.stringify(g)).length + [...before.keys()].filter((id) => !stored.some((g) => g.id === id)).length;
    const changed = new Set<string>();
    for await (const chunk of world.services.snapshots.changeLog.readChunks(world.settings.tenantId, outcome.scan.id)) for (const entry of chunk.entries) changed.add(entry.id);
    expect(differing).toBeGreaterThan(change.changed / 2);
    expect(changed.size).toBe(differing);
    expect(await collect(world.services.snapshots.changeLog.readManifest(world.settings.tenantId, outcome.scan.id))).toHaveLength(outcome.scan.pages);
  });

  it('gives the same snapshot through a storm of 429 and 503 answers with Retry-After', async () => {
    const clock = instantClock();
    world = await startWorld({
      emulator: { groups: 1500, seed: 5, faults: { rate429: 0.3, rate503: 0.15, rateDrop: 0.05, rateTruncate: 0.05, retryAfterSeconds: 2, seed: 3 } },
      env: { GRAPH_PAGE_SIZE: '100', GRAPH_MAX_ATTEMPTS: '30' },
      clock,
    });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;
    expect(outcome.scan.retries).toBeGreaterThan(0);
    expect(clock.slept).toContain(2000); // Retry-After honoured
    world.emulator.faults.clear();
    const stored = await collect(world.services.snapshots.readGroups(outcome.scan));
    expect(stored).toEqual(expectedSnapshot(world.emulator.tenant.allGroups(), outcome.scan));
  });

  it('marks the scan failed with its reason, never complete, when the retry budget is spent', async () => {
    const clock = instantClock();
    world = await startWorld({ emulator: { groups: 500 }, env: { GRAPH_PAGE_SIZE: '100', GRAPH_MAX_ATTEMPTS: '4' }, clock });
    world.emulator.faults.failAlways({ status: 503, retryAfterSeconds: 1 });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error).toMatch(/failed 4 times.*HTTP 503/);
    const stored = await world.services.scans.get(world.settings.tenantId, outcome.scan.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toMatch(/HTTP 503/);
    expect(await world.services.scans.latest(world.settings.tenantId, 'complete')).toBeNull();
  });

  it('fails a scan whose wait would pass the retry budget, naming the setting', async () => {
    world = await startWorld({ emulator: { groups: 300 }, env: { GRAPH_PAGE_SIZE: '100', GRAPH_RETRY_BUDGET_SECONDS: '5' }, clock: instantClock() });
    world.emulator.faults.failAlways({ status: 429, retryAfterSeconds: 60 });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('failed');
    if (outcome.status === 'failed') expect(outcome.error).toMatch(/GRAPH_RETRY_BUDGET_SECONDS/);
  });

  it('fails a page after the first and keeps the scan out of the baseline', async () => {
    world = await startWorld({ emulator: { groups: 400 }, env: { GRAPH_PAGE_SIZE: '100', GRAPH_MAX_ATTEMPTS: '2' }, clock: instantClock() });
    const first = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(first.status).toBe('complete');
    world.emulator.faults.failAlways({ status: 500 });
    const second = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(second.status).toBe('failed');
    const latest = await world.services.scans.latest(world.settings.tenantId, 'complete');
    expect(latest?.id).toBe(first.status === 'complete' ? first.scan.id : undefined);
  });

  it('does not start a second scan while one holds the tenant lease', async () => {
    world = await startWorld({ emulator: { groups: 600, latencyMs: 30 }, env: { GRAPH_PAGE_SIZE: '50' } });
    const [a, b] = await Promise.all([
      runScan(world.services.scanDependencies(), { trigger: 'timer' }),
      runScan(world.services.scanDependencies(), { trigger: 'http' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['complete', 'skipped']);
    const all = await collect(world.services.scans.list(world.settings.tenantId));
    expect(all).toHaveLength(1);
  });

  it('reads the tenant default from the Group.Unified setting', async () => {
    world = await startWorld({ emulator: { groups: 50 } });
    world.emulator.tenant.setTenantDefault('False');
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status === 'complete' && outcome.scan.tenantContext).toMatchObject({
      newUnifiedGroupWritebackDefault: false,
      newUnifiedGroupWritebackDefaultRaw: 'False',
      newUnifiedGroupWritebackDefaultSource: 'setting',
    });
  });
});
