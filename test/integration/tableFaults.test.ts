/**
 * Table Storage faults in the middle of a scan's snapshot writes, through a real proxy in front of Azurite:
 * ServerBusy answers and connections cut after a batch was committed are retried, and the stored snapshot is
 * exactly what a scan without faults stores. When storage never recovers, the scan fails and stays out of the
 * baseline.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { classifyGroup } from '../../src/classify/classifyGroup';
import { buildEngineContext } from '../../src/classify/engines/engineContext';
import { addToCounts, emptyCounts } from '../../src/classify/counts';
import { loadSettings } from '../../src/config/settings';
import { createServices, type Services } from '../../src/app/services';
import { silentLogger } from '../../src/observability/logger';
import { compareSnapshotOrder } from '../../src/store/keys';
import { runScan } from '../../src/scan/runScan';
import type { ClassifiedGroup } from '../../src/model';
import { startWorld, type World } from '../helpers/world';
import { churnTenant } from '../../dev/emulator/controlRoutes';
import { faultAlways, faultsAt, isBatchRequest, SERVER_BUSY_MESSAGE, startTableFaultProxy, type TableFaultProxy } from '../helpers/tableFaultProxy';

let world: World | undefined;
let proxy: TableFaultProxy | undefined;
afterEach(async () => {
  await world?.close();
  await proxy?.close();
  world = undefined;
  proxy = undefined;
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Services on the same tables but straight to Azurite, so what was stored is read without the proxy. */
function directServices(world: World): Services {
  const settings = loadSettings({ ...world.env, TABLE_STORAGE_CONNECTION_STRING: inject('tablesConnectionString') });
  return createServices(settings, { log: silentLogger });
}

async function startProxiedWorld(groups: number, env: Record<string, string> = {}): Promise<{ world: World; proxy: TableFaultProxy }> {
  proxy = await startTableFaultProxy(inject('tablesConnectionString'));
  world = await startWorld({ emulator: { groups }, env: { TABLE_STORAGE_CONNECTION_STRING: proxy.connectionString, ...env } });
  return { world, proxy };
}

describe('Table Storage faults while a scan writes its snapshot', () => {
  it('a Table Storage fault mid-batch loses nothing', async () => {
    const { world, proxy } = await startProxiedWorld(2500, { GRAPH_PAGE_SIZE: '500' });
    const direct = directServices(world);

    // The tenant's first scan, which stores every group. Among its batches: several answered 503, several applied and then cut off, one slow.
    proxy.setFaults(
      faultsAt({
        2: { kind: 'serverBusy' },
        3: { kind: 'dropAfterApply' },
        5: { kind: 'serverBusy' },
        6: { kind: 'delay', ms: 300 },
        8: { kind: 'dropAfterApply' },
        9: { kind: 'serverBusy' },
        13: { kind: 'dropAfterApply' },
        17: { kind: 'serverBusy' },
      }),
    );
    const faulted = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(faulted.status).toBe('complete');
    if (faulted.status !== 'complete') return;

    // The faults really fired, and every faulted request was sent again.
    expect(proxy.stats.serverBusy).toBe(4);
    expect(proxy.stats.droppedAfterApply).toBe(3);
    expect(proxy.stats.delayed).toBe(1);
    expect(proxy.stats.droppedStatuses).toEqual([202, 202, 202]); // committed by storage before the cut
    expect(proxy.stats.replays).toBeGreaterThanOrEqual(7);

    const groups = world.emulator.tenant.allGroups();
    // Classified as the scan classifies: with the configured engines and the Cloud Sync context it recorded.
    const engines = buildEngineContext(world.settings.engines, faulted.scan.tenantContext?.cloudSync ?? null);
    const expected: ClassifiedGroup[] = [...groups].map((g) => classifyGroup(g, { engines })).sort((a, b) => compareSnapshotOrder(a.id, b.id));
    const faultedRows = await collect(direct.snapshots.readGroups(faulted.scan));
    expect(faultedRows.length).toBe(2500);
    expect(new Set(faultedRows.map((g) => g.id)).size).toBe(2500);
    expect(faultedRows).toEqual(expected);

    const counts = emptyCounts(world.settings.engines);
    for (const row of faultedRows) addToCounts(counts, row);
    expect(counts.total).toBe(2500);
    expect(faulted.scan.counts).toEqual(counts);
    const record = await direct.scans.get(world.settings.tenantId, faulted.scan.id);
    expect(record?.status).toBe('complete');
    expect(record?.counts).toEqual(counts);
    expect((await direct.scans.latest(world.settings.tenantId, 'complete'))?.id).toBe(faulted.scan.id);
  });

  it('fails the scan, naming the storage error, when every batch keeps answering ServerBusy', { timeout: 30_000 }, async () => {
    const { world, proxy } = await startProxiedWorld(300);
    const first = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(first.status).toBe('complete');

    // A scan stores only what changed: half the tenant changes, so this one has batches to write.
    churnTenant(world.emulator.tenant, 0.5, 4);
    proxy.setFaults(faultAlways({ kind: 'serverBusy' }));
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error).toMatch(/^Table Storage did not store the changes of scan \S+ after retries/);
    expect(outcome.error).toContain(SERVER_BUSY_MESSAGE);

    // Retried before giving up: no batch reached storage, and at least as many re-sends as distinct batches.
    const distinctBatches = proxy.stats.matched - proxy.stats.replays;
    expect(distinctBatches).toBeGreaterThan(0);
    expect(proxy.stats.serverBusy).toBe(proxy.stats.matched);
    expect(proxy.stats.replays).toBeGreaterThanOrEqual(distinctBatches);

    proxy.setFaults(null);
    const stored = await world.services.scans.get(world.settings.tenantId, outcome.scan.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toBe(outcome.error);
    const latest = await world.services.scans.latest(world.settings.tenantId, 'complete');
    expect(latest?.id).not.toBe(outcome.scan.id);
    expect(latest?.id).toBe(first.status === 'complete' ? first.scan.id : undefined);
  });

  it('goes on when the answer to its own lease or scan-record write is lost after the write was applied', async () => {
    const { world, proxy } = await startProxiedWorld(1200, { GRAPH_PAGE_SIZE: '300', SCAN_CHECKPOINT_PAGES: '1' });
    // Writes to the lease and the scan record (not snapshot rows): take, renew, create, checkpoint, release.
    const recordWrites = (r: { method: string; path: string }): boolean =>
      r.method !== 'GET' && !isBatchRequest({ ...r, headers: {} }) && /(leases|scans)(\(|$)/.test(r.path);
    proxy.setFaults({ match: recordWrites, faultFor: (ordinal) => (ordinal <= 6 ? { kind: 'dropAfterApply' } : null) });
    const outcome = await runScan(world.services.scanDependencies(), { trigger: 'cli' });
    expect(proxy.stats.droppedAfterApply).toBe(6);
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;
    expect(outcome.scan.counts.total).toBe(1200);
    const scans = await collect(world.services.scans.list(world.settings.tenantId));
    expect(scans.map((s) => [s.id, s.status])).toEqual([[outcome.scan.id, 'complete']]);
    // The lease was released, not left to expire: the next scan starts at once.
    proxy.setFaults(null);
    expect((await runScan(world.services.scanDependencies(), { trigger: 'cli' })).status).toBe('complete');
  });
});
