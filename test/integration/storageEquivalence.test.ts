/**
 * Scans stored as group versions read back exactly as the per-scan tables of earlier releases store the same
 * tenant: after each scan (full, delta, resumed full) the emulated tenant is also paged, classified and stored the
 * old way (legacySnapshotTables.ts, a full copy), and the two must be equal. A scan also stores only what changed,
 * the change-log diff equals the two-snapshot merge for every pair, and group history matches the snapshots.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorld, type World } from '../helpers/world';
import type { ClassifiedGroup } from '../../src/model';
import { runScan, type ScanOutcome } from '../../src/scan/runScan';
import type { StoredScan } from '../../src/store/scanStore';
import { LegacySnapshotTablesWithWriter } from '../helpers/legacySnapshotWriter';
import { classifyGroups } from '../../src/scan/classifyGroups';
import { buildEngineContext } from '../../src/classify/engines/engineContext';
import { newScanId } from '../../src/store/scanIds';
import { churnTenant } from '../../dev/emulator/controlRoutes';
import { openScanDiff } from '../../src/diff/scanDiff';
import { diffSnapshots } from '../../src/diff/diffSnapshots';
import { applyRetention } from '../../src/scan/retention';
import { VERSION_SHARDS } from '../../src/store/versionKeys';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

function complete(outcome: ScanOutcome): StoredScan {
  if (outcome.status !== 'complete') throw new Error(`scan ended ${outcome.status}: ${'error' in outcome ? outcome.error : ''}`);
  return outcome.scan;
}

describe('snapshots stored as versions', () => {
  let world: World;
  /** Per scan: its snapshot as the old layout stores the tenant at that moment. */
  const reference = new Map<string, ClassifiedGroup[]>();
  const scans: StoredScan[] = [];

  /** The old design's snapshot of the tenant now: every group paged, classified and stored in a scan's own tables. */
  async function legacySnapshot(scan: StoredScan): Promise<ClassifiedGroup[]> {
    const deps = world.services.scanDependencies();
    const engines = buildEngineContext(world.settings.engines, scan.tenantContext?.cloudSync ?? null);
    const legacy = new LegacySnapshotTablesWithWriter(world.services.tables, { segmentRows: 700 });
    const id = newScanId(new Date(Date.parse('2001-01-01T00:00:00Z') + reference.size * 1000));
    const writer = await legacy.createWriter(id);
    let rows = 0;
    let page = 0;
    for await (const groups of deps.reader.listGroupPages()) {
      page += 1;
      const classified = await classifyGroups(deps, groups.groups, engines);
      await writer.add(classified, page, legacy.segmentAfter(rows));
      rows += classified.length;
    }
    await writer.flush();
    return collect(legacy.readGroups({ id, snapshotSegments: writer.segments }));
  }

  async function scanAndRecord(env: Record<string, string> = {}): Promise<StoredScan> {
    const deps = { ...world.services.scanDependencies(), settings: { ...world.settings, scan: { ...world.settings.scan, ...scanSettings(env) } } };
    let outcome = await runScan(deps, { trigger: 'cli' });
    for (let resumes = 0; outcome.status === 'paused' && resumes < 50; resumes += 1) outcome = await runScan(deps, { trigger: 'timer', resumeOnly: true });
    const scan = complete(outcome);
    scans.push(scan);
    reference.set(scan.id, await legacySnapshot(scan));
    return scan;
  }

  function scanSettings(env: Record<string, string>): Partial<World['settings']['scan']> {
    return env.pause ? { timeBudgetMs: 1, checkpointPages: 2 } : {};
  }

  /** Group versions stored, over every version table. */
  async function countVersions(): Promise<number> {
    let versions = 0;
    for (const shard of VERSION_SHARDS) {
      try {
        for await (const _ of world.services.tables.table(`gv${shard}`).listEntities({ queryOptions: { select: ['RowKey'] } })) versions += 1;
      } catch {
        // a shard no group id starts with
      }
    }
    return versions;
  }

  beforeAll(async () => {
    world = await startWorld({ emulator: { groups: 2500, seed: 21 }, env: { DELTA_ENABLED: 'true', GRAPH_PAGE_SIZE: '100' } });
  });
  afterAll(() => world?.close());

  it('reads back every scan as the old layout stores it: first full, deltas, a paused and resumed full scan', { timeout: 240_000 }, async () => {
    const first = await scanAndRecord();
    expect(first.mode).toBe('full');
    expect(first.comparedWithScanId).toBeNull();
    churnTenant(world.emulator.tenant, 0.02, 1);
    const delta1 = await scanAndRecord();
    expect(delta1.mode).toBe('delta');
    churnTenant(world.emulator.tenant, 0.03, 2);
    const delta2 = await scanAndRecord();
    expect(delta2.mode).toBe('delta');
    churnTenant(world.emulator.tenant, 0.02, 3);
    // A full scan (delta off), paused after every page and resumed, compared with the delta scan before it.
    world.settings = { ...world.settings, scan: { ...world.settings.scan, deltaEnabled: false } };
    const full = await scanAndRecord({ pause: '1' });
    expect(full.mode).toBe('full');
    expect(full.resumes).toBeGreaterThan(3);
    expect(full.comparedWithScanId).toBe(delta2.id);

    for (const scan of scans) {
      const stored = await collect(world.services.snapshots.readGroups(scan));
      expect(stored.length, scan.id).toBe(reference.get(scan.id)!.length);
      expect(stored, `scan ${scan.id} (${scan.mode})`).toEqual(reference.get(scan.id));
    }
  });

  it('stores only what changed: one version per group of the first scan, then one per change', async () => {
    const versions = await countVersions();
    let expected = reference.get(scans[0]!.id)!.length;
    for (let i = 1; i < scans.length; i += 1) {
      const before = new Map(reference.get(scans[i - 1]!.id)!.map((g) => [g.id, JSON.stringify(g)]));
      const after = reference.get(scans[i]!.id)!;
      const changed = after.filter((g) => before.get(g.id) !== JSON.stringify(g)).length;
      const removed = [...before.keys()].filter((id) => !after.some((g) => g.id === id)).length;
      expect(changed + removed).toBeGreaterThan(0);
      expect(changed + removed).toBeLessThan(after.length / 5);
      expected += changed + removed;
    }
    expect(versions).toBe(expected);
  });

  it('diffs any two scans from the change log exactly as merging both snapshots does', async () => {
    for (let i = 0; i < scans.length; i += 1) {
      for (let j = i + 1; j < scans.length; j += 1) {
        const diff = await openScanDiff(world.services, world.settings.tenantId, { from: scans[i]!.id, to: scans[j]!.id });
        expect(await world.services.snapshots.changeChain(diff.from, diff.to)).not.toBeNull();
        const fromLog = await collect(diff.changes());
        const merged = await collect(diffSnapshots(world.services.snapshots.readGroups(diff.from), world.services.snapshots.readGroups(diff.to)));
        expect(fromLog.length).toBeGreaterThan(0);
        expect(fromLog, `${i} → ${j}`).toEqual(merged);
        // A paged listing continues after a group, as the console's diff view does.
        const middle = merged[Math.floor(merged.length / 2)]!.groupId;
        expect(await collect(diff.changes(middle))).toEqual(merged.slice(Math.floor(merged.length / 2) + 1));
      }
    }
  });

  it("reads a group's history in one partition read, as each scan's snapshot has it", async () => {
    const changed = (await collect((await openScanDiff(world.services, world.settings.tenantId, { from: scans[0]!.id, to: scans.at(-1)!.id })).changes())).slice(0, 5);
    const versions = world.services.snapshots.versions;
    const partitionReads = vi.spyOn(versions, 'groupVersions');
    for (const { groupId } of changed) {
      partitionReads.mockClear();
      const history = await world.services.snapshots.history(world.settings.tenantId, groupId, scans);
      expect(partitionReads).toHaveBeenCalledTimes(1);
      history.forEach((group, index) => {
        expect(group ?? null).toEqual(reference.get(scans[index]!.id)!.find((g) => g.id === groupId) ?? null);
      });
    }
    partitionReads.mockRestore();
  });

  it('retires old scans at once and reclaims their rows oldest first, leaving the kept scans as they were', async () => {
    const now = new Date(scans.at(-1)!.startedAt.getTime() + 1_000);
    // Everything but the newest goes (a retention of zero days): the oldest two are protected by an "alert".
    const protectedScanIds = new Set([scans[1]!.id]);
    const deleted = await applyRetention(world.services, { tenantId: world.settings.tenantId, retentionDays: 0, now, protectedScanIds });
    expect(deleted.sort()).toEqual([scans[0]!.id, scans[2]!.id].sort());
    const listed = await collect(world.services.scans.list(world.settings.tenantId));
    expect(listed.map((s) => s.id).sort()).toEqual([scans[1]!.id, scans[3]!.id].sort());
    // The oldest was reclaimed (its record is gone); the retired one between kept scans waits, hidden.
    const all = await collect(world.services.scans.list(world.settings.tenantId, { includeRetired: true }));
    expect(all.map((s) => `${s.id}:${s.status}`).sort()).toEqual([`${scans[1]!.id}:complete`, `${scans[2]!.id}:retired`, `${scans[3]!.id}:complete`].sort());
    for (const scan of [scans[1]!, scans[3]!]) expect(await collect(world.services.snapshots.readGroups(scan))).toEqual(reference.get(scan.id));
    const diff = await openScanDiff(world.services, world.settings.tenantId, { from: scans[1]!.id, to: scans[3]!.id });
    expect(await collect(diff.changes())).toEqual(
      await collect(diffSnapshots(world.services.snapshots.readGroups(scans[1]!), world.services.snapshots.readGroups(scans[3]!))),
    );

    // Once the alert is closed, the rest goes, and the newest scan still reads back whole.
    await applyRetention(world.services, { tenantId: world.settings.tenantId, retentionDays: 0, now, protectedScanIds: new Set() });
    const left = await collect(world.services.scans.list(world.settings.tenantId, { includeRetired: true }));
    expect(left.map((s) => s.id)).toEqual([scans[3]!.id]);
    expect(await collect(world.services.snapshots.readGroups(scans[3]!))).toEqual(reference.get(scans[3]!.id));
    // Only what the newest scan reads is left.
    expect(await countVersions()).toBe(reference.get(scans[3]!.id)!.length);
  });
});
