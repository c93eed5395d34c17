/**
 * Retention against Azurite and the Graph emulator: histories are built from real scans run with a clock set
 * to their day, so ids, start times and snapshot tables are exactly what the scanner writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alertStore';
import { DEFAULT_ALERT_POLICY } from '../../src/alerts/policy';
import { runHealthAlerts, type AlertStageDeps } from '../../src/alerts/runAlerts';
import type { ClassifiedGroup } from '../../src/model';
import { applyRetention } from '../../src/scan/retention';
import { runScan, type ScanOutcome } from '../../src/scan/runScan';
import { runScheduledScan } from '../../src/scan/scheduledScan';
import type { StoredScan } from '../../src/store/scanStore';
import type { Logger } from '../../src/observability/logger';
import { instantClock, startWorld, type World } from '../helpers/world';
import { APPROVER } from '../helpers/principals';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = new Date('2026-03-01T02:00:00Z');
const daysBefore = (at: Date, days: number): Date => new Date(at.getTime() - days * DAY);

const PAGE_SIZE = 50;
const ENV = {
  RETENTION_DAYS: '30',
  GRAPH_PAGE_SIZE: String(PAGE_SIZE),
  GRAPH_MAX_ATTEMPTS: '2',
  // Only a scan whose clock moves spends this; scans on a fixed clock never pause.
  SCAN_TIME_BUDGET_SECONDS: '60',
};

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

function start(log?: Logger): Promise<World> {
  return startWorld({ emulator: { groups: 120, seed: 9 }, env: ENV, clock: instantClock(), log });
}

/** One real scan with the clock stopped at `at`. */
async function scanAt(w: World, at: Date): Promise<ScanOutcome> {
  return runScan({ ...w.services.scanDependencies(), now: () => at }, { trigger: 'timer' });
}

async function completeScanAt(w: World, at: Date): Promise<StoredScan> {
  // A new group before each scan gives every snapshot different rows, so a mixed-up table would show.
  w.emulator.tenant.createGroup({ displayName: `Added ${at.toISOString()}`, securityEnabled: true });
  const outcome = await scanAt(w, at);
  if (outcome.status !== 'complete') throw new Error(`scan at ${at.toISOString()} ended ${outcome.status}`);
  return outcome.scan;
}

/** A scan that stops after its first page (its clock jumps an hour per reading) and stays running. */
async function pausedScanAt(w: World, at: Date): Promise<StoredScan> {
  let t = at.getTime();
  const now = (): Date => new Date((t += HOUR) - HOUR);
  const outcome = await runScan({ ...w.services.scanDependencies(), now }, { trigger: 'timer' });
  if (outcome.status !== 'paused') throw new Error(`scan at ${at.toISOString()} ended ${outcome.status}`);
  return outcome.scan;
}

/** A scan Graph refuses from its first request. */
async function graphFailedScanAt(w: World, at: Date): Promise<StoredScan> {
  w.emulator.faults.failAlways({ status: 503, retryAfterSeconds: 0 });
  try {
    const outcome = await scanAt(w, at);
    if (outcome.status !== 'failed') throw new Error(`scan at ${at.toISOString()} ended ${outcome.status}`);
    return outcome.scan;
  } finally {
    w.emulator.faults.clear();
  }
}

interface Stored {
  /** The snapshot of a complete scan; null for others and for scans without a record. */
  rows: ClassifiedGroup[] | null;
  /** Change entries and manifest pages the scan stored (docs/storage.md). */
  changes: number;
  manifestPages: number;
}

async function stored(w: World, scanId: string): Promise<Stored> {
  const { tenantId } = w.settings;
  const record = (await collect(w.services.scans.list(tenantId, { includeRetired: true }))).find((scan) => scan.id === scanId);
  const rows = record?.status === 'complete' ? await collect(w.services.snapshots.readGroups(record)) : null;
  let changes = 0;
  for await (const chunk of w.services.snapshots.changeLog.readChunks(tenantId, scanId)) changes += chunk.entries.length;
  const manifestPages = (await collect(w.services.snapshots.changeLog.readManifest(tenantId, scanId))).length;
  return { rows, changes, manifestPages };
}

async function storedAll(w: World, ids: readonly string[]): Promise<Map<string, Stored>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await stored(w, id)] as const)));
}

async function listedIds(w: World): Promise<string[]> {
  return (await collect(w.services.scans.list(w.settings.tenantId))).map((s) => s.id);
}

/**
 * Exactly `kept` list (newest first), each reading back as it did with the changes it stored (manifests of older
 * full scans go, by design); `deleted` are gone for every reader, and those in `reclaimed` have no rows left.
 */
async function expectRetained(w: World, before: Map<string, Stored>, kept: readonly string[], deleted: readonly string[], reclaimed: readonly string[] = deleted): Promise<void> {
  expect(await listedIds(w)).toEqual([...kept].sort().reverse());
  for (const id of kept) {
    const { rows, changes } = await stored(w, id);
    expect({ id, rows, changes }).toEqual({ id, rows: before.get(id)!.rows, changes: before.get(id)!.changes });
  }
  for (const id of deleted) expect(await w.services.scans.get(w.settings.tenantId, id)).toBeNull();
  for (const id of reclaimed) expect({ id, ...(await stored(w, id)) }).toEqual({ id, rows: null, changes: 0, manifestPages: 0 });
}

function alertDeps(w: World, at: Date): AlertStageDeps {
  return { settings: w.settings, policy: DEFAULT_ALERT_POLICY, tables: w.services.tables, channels: [], now: () => at };
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

/**
 * Stores who made one change between two scans, as the attribution stage does after a scan; without the pair
 * entity, what a stage cut short between its records and its pair leaves.
 */
async function attributePair(w: World, from: StoredScan, to: StoredScan, options: { pair?: boolean } = {}): Promise<void> {
  const { tenantId } = w.settings;
  const at = to.startedAt.toISOString();
  const attribution = { status: 'notFound' as const, window: { from: at, to: at }, actor: null, changedAt: null, events: [], note: 'none', checkedAt: at, attempts: 1 };
  const groupId = `${from.id.slice(-8)}-0000-4000-8000-000000000001`;
  await w.services.attributions.saveRecords(tenantId, from.id, to.id, [{ groupId, field: null, changeTypes: ['added'], attribution, retry: false, matcherVersion: 1 }]);
  if (options.pair === false) return;
  await w.services.attributions.savePair(tenantId, {
    fromScanId: from.id,
    toScanId: to.id,
    fromStartedAt: from.startedAt.toISOString(),
    toStartedAt: at,
    toFinishedAt: null,
    counts: { notFound: 1 },
    retry: false,
    updatedAt: at,
  });
}

/** The stored scan pairs as `from>to`, each with how many change records it still has. */
async function storedPairs(w: World): Promise<Record<string, number>> {
  const { tenantId } = w.settings;
  const out: Record<string, number> = {};
  for await (const pair of w.services.attributions.listPairs(tenantId)) {
    out[`${pair.fromScanId}>${pair.toScanId}`] = (await collect(w.services.attributions.listRecords(tenantId, pair.fromScanId, pair.toScanId))).length;
  }
  return out;
}

async function recordsOf(w: World, from: StoredScan, to: StoredScan): Promise<number> {
  return (await collect(w.services.attributions.listRecords(w.settings.tenantId, from.id, to.id))).length;
}

describe('retention (Azurite, Graph emulator)', () => {
  it('removes exactly the old scans nothing needs, keeps baselines, running scans and alerted scans, and is idempotent', async () => {
    const w = (world = await start());
    const tenantId = w.settings.tenantId;
    const alerts = new AlertStore(w.services.tables);

    const c1 = await completeScanAt(w, daysBefore(BASE, 120));
    const f1 = await pausedScanAt(w, daysBefore(BASE, 110)); // never resumed: the next scan marks it failed
    const c2 = await completeScanAt(w, daysBefore(BASE, 100));
    // No scan for days after c2: a missed-scan alert on c2 stays open.
    const missed = await runHealthAlerts(alertDeps(w, daysBefore(BASE, 95)), { lastCompleteScan: c2, latestScan: c2 });
    expect(missed.alerts.map((a) => [a.ruleId, a.fromScanId])).toEqual([['WBW-A13', c2.id]]);
    const c3 = await completeScanAt(w, daysBefore(BASE, 90));
    const f2 = await graphFailedScanAt(w, daysBefore(BASE, 80));
    // Failed-scan and missed-scan alerts on f2 and c3, both acknowledged: they protect nothing.
    const health = await runHealthAlerts(alertDeps(w, new Date(f2.startedAt.getTime() + HOUR)), { lastCompleteScan: c3, latestScan: f2 });
    expect(sorted(health.alerts.map((a) => a.ruleId))).toEqual(['WBW-A12', 'WBW-A13']);
    for (const alert of health.alerts) await alerts.acknowledgeAlert(alert.id, { by: APPROVER });
    const c4 = await completeScanAt(w, daysBefore(BASE, 60));
    const c5 = await completeScanAt(w, daysBefore(BASE, 20));
    const f3 = await pausedScanAt(w, daysBefore(BASE, 10));
    const c6 = await completeScanAt(w, daysBefore(BASE, 5));
    const r1 = await pausedScanAt(w, daysBefore(BASE, 2));

    const all = [c1, f1, c2, c3, f2, c4, c5, f3, c6, r1].map((s) => s.id);
    const statuses = await Promise.all(all.map(async (id) => (await w.services.scans.get(tenantId, id))?.status));
    expect(statuses).toEqual(['complete', 'failed', 'complete', 'complete', 'failed', 'complete', 'complete', 'failed', 'complete', 'running']);
    const before = await storedAll(w, all);
    // The history is not vacuous: every complete scan reads back whole and stored its change (the new group), the
    // first one every group; interrupted and running ones stored their first page's manifest.
    for (const scan of [c1, c2, c3, c4, c5, c6]) expect(before.get(scan.id)!.rows).toHaveLength(scan.counts.total);
    expect(before.get(c1.id)!.changes).toBe(c1.counts.total);
    for (const scan of [c2, c3, c4, c5, c6]) expect(before.get(scan.id)!.changes).toBeGreaterThanOrEqual(1);
    for (const scan of [f1, f3, r1]) expect(before.get(scan.id)!.manifestPages).toBe(1);

    const chain = [c1, c2, c3, c4, c5, c6];
    for (let i = 1; i < chain.length; i += 1) await attributePair(w, chain[i - 1]!, chain[i]!);
    expect(Object.values(await storedPairs(w))).toEqual([1, 1, 1, 1, 1]);
    await attributePair(w, c3, c6, { pair: false });
    await attributePair(w, c5, c2, { pair: false }); // starts at a scan that stays: kept
    expect([await recordsOf(w, c3, c6), await recordsOf(w, c5, c2)]).toEqual([1, 1]);

    const protectedScanIds = await alerts.listOpenAlertScanIds(tenantId);
    expect([...protectedScanIds]).toEqual([c2.id]);
    const input = { tenantId, retentionDays: w.settings.scan.retentionDays, now: BASE, protectedScanIds };

    const deleted = await applyRetention(w.services, input);
    expect(sorted(deleted)).toEqual(sorted([c1.id, f1.id, c3.id, f2.id, c4.id]));
    const kept = [c2.id, c5.id, f3.id, c6.id, r1.id];
    // c1 was the oldest: reclaimed at once. c3 and c4 come after the kept c2, which may read their versions: they
    // are retired (gone for every reader) and wait.
    await expectRetained(w, before, kept, deleted, [c1.id, f1.id, f2.id]);
    expect((await stored(w, c3.id)).changes).toBe(before.get(c3.id)!.changes);
    // Who made the changes goes with the first scan of a pair no reader can see, deleted (c1) or retired (c3, c4).
    expect(await storedPairs(w)).toEqual({ [`${c5.id}>${c6.id}`]: 1 });
    for (const [from, to] of [[c1, c2], [c2, c3], [c3, c4], [c4, c5], [c3, c6]] as const) expect(await recordsOf(w, from, to)).toBe(0);
    expect(await recordsOf(w, c5, c2)).toBe(1);

    expect(await applyRetention(w.services, input)).toEqual([]);
    await expectRetained(w, before, kept, deleted, [c1.id, f1.id, f2.id]);
    expect(await storedPairs(w)).toEqual({ [`${c5.id}>${c6.id}`]: 1 });

    // Two months without a complete scan: c6 is old but the only baseline, r1 old but still running. The alert on
    // c2 is closed, so c2 goes, and with it everything retired behind it.
    for (const alert of (await alerts.listAlerts({ tenantId, top: 1000 })).items) {
      if (alert.status === 'open') await alerts.acknowledgeAlert(alert.id, { by: APPROVER });
    }
    const later = { ...input, now: new Date(BASE.getTime() + 60 * DAY), protectedScanIds: await alerts.listOpenAlertScanIds(tenantId) };
    expect(sorted(await applyRetention(w.services, later))).toEqual(sorted([c2.id, c5.id, f3.id]));
    await expectRetained(w, before, [c6.id, r1.id], [...deleted, c2.id, c5.id, f3.id]);
    expect(await storedPairs(w)).toEqual({});
    expect([await recordsOf(w, c5, c6), await recordsOf(w, c5, c2)]).toEqual([0, 0]);
    expect(await applyRetention(w.services, later)).toEqual([]);
  });

  it('runs after every scan through the after-scan stages, keeping a scan while an open alert points at it', async () => {
    const problems: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => void problems.push(m), error: (m) => void problems.push(m) };
    const w = (world = await start(log));
    const tenantId = w.settings.tenantId;
    // The after-scan stages measure age from the services' clock (the real one here), so this history is dated back from it.
    const today = new Date();

    const o1 = await completeScanAt(w, daysBefore(today, 200));
    const o2 = await pausedScanAt(w, daysBefore(today, 190));
    const o3 = await completeScanAt(w, daysBefore(today, 150));
    const before = await storedAll(w, [o1.id, o2.id, o3.id]);
    expect(before.get(o2.id)!.manifestPages).toBe(1);
    problems.length = 0; // o2's failure is reported when o3 starts; only what follows matters

    // A Microsoft 365 group newly written back between o3 and the next scan: an alert on (o3, s1).
    w.emulator.tenant.createGroup({
      displayName: 'Finance',
      groupTypes: ['Unified'],
      mailEnabled: true,
      mailNickname: 'finance',
      securityEnabled: false,
      writebackConfiguration: { isEnabled: true, onPremisesGroupType: null },
    });
    const first = await runScheduledScan(w.services, { trigger: 'timer' });
    expect(first.status).toBe('complete');
    if (first.status !== 'complete') return;
    const s1 = first.scan;
    const open = await w.services.alerts.store.listOpenAlertScanIds(tenantId);
    expect(open.has(o3.id)).toBe(true);
    before.set(s1.id, await stored(w, s1.id));
    await expectRetained(w, before, [o3.id, s1.id], [o1.id, o2.id]);
    // The attribution stage recorded who made the change (o3 → s1); the pair stays while o3 does.
    expect(await recordsOf(w, o3, s1)).toBeGreaterThanOrEqual(1);
    expect(Object.keys(await storedPairs(w))).toEqual([`${o3.id}>${s1.id}`]);

    for (const alert of (await w.services.alerts.store.listAlerts({ tenantId, top: 1000 })).items) {
      if (alert.status === 'open') await w.services.alerts.store.acknowledgeAlert(alert.id, { by: APPROVER });
    }
    w.emulator.tenant.createGroup({ displayName: 'Payroll', securityEnabled: true }); // a change for the pair (s1, next)
    const second = await runScheduledScan(w.services, { trigger: 'timer' });
    expect(second.status).toBe('complete');
    if (second.status !== 'complete') return;
    before.set(second.scan.id, await stored(w, second.scan.id));
    await expectRetained(w, before, [s1.id, second.scan.id], [o1.id, o2.id, o3.id]);
    expect(await recordsOf(w, o3, s1)).toBe(0);
    expect(Object.keys(await storedPairs(w))).toEqual([`${s1.id}>${second.scan.id}`]);
    // The stages report their own failures only in the log (they never fail a scan).
    expect(problems).toEqual([]);
  });

  it('decides from scan records alone: it still works when no version, change or manifest table is left', async () => {
    const w = (world = await start());
    const tenantId = w.settings.tenantId;
    const scans = [
      await completeScanAt(w, daysBefore(BASE, 100)),
      await completeScanAt(w, daysBefore(BASE, 90)),
      await completeScanAt(w, daysBefore(BASE, 1)),
    ];
    for (const prefix of ['gv', 'changes', 'manifests']) {
      for (const name of await collect(w.services.tables.listTables(prefix))) await w.services.tables.deleteTable(name);
    }
    const deleted = await applyRetention(w.services, { tenantId, retentionDays: 30, now: BASE, protectedScanIds: new Set() });
    expect(sorted(deleted)).toEqual([scans[0]!.id, scans[1]!.id]);
    expect(await listedIds(w)).toEqual([scans[2]!.id]);
  });
});
