/** The attribution stage against the Graph emulator's audit log and Azurite: every status, paging, throttling, retries. */
import { afterEach, describe, expect, it } from 'vitest';
import { attributeChanges, retryPendingAttributions, type AttributionDeps } from '../../src/attribution/attributeChanges';
import { attachAttributions } from '../../src/attribution/attachAttributions';
import { openScanDiff } from '../../src/diff/scanDiff';
import type { EmulatorOptions } from '../../dev/emulator/server';
import type { Clock } from '../../src/retry/clock';
import type { GraphGroup, ScanRecord } from '../../src/model';
import { silentLogger } from '../../src/observability/logger';
import { runScan } from '../../src/scan/runScan';
import { AttributionStore, type AttributionRecord } from '../../src/store/attributionStore';
import { instantClock, startWorld, type World } from '../helpers/world';

const ADA = { user: { id: '2c940657-1026-4386-bcfd-3176637ba01f', displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.com', ipAddress: '203.0.113.7' } };
const BOB = { user: { id: '728309ae-1a37-4937-9afe-e35d964db09b', displayName: 'Bob Builder', userPrincipalName: 'bob@contoso.com', ipAddress: '198.51.100.4' } };
const MIN = 60_000;

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(env: Record<string, string> = {}, emulator: Partial<EmulatorOptions> = {}): Promise<World> {
  world = await startWorld({
    emulator: { groups: 60, seed: 5, callers: { 'ada-token': ADA, 'bob-token': BOB }, ...emulator },
    env: { AUDIT_LATENCY_GRACE_MINUTES: '0', ...env },
  });
  return world;
}

/** Cloud Microsoft 365 groups that have never been configured (legacy default), in a stable order. */
function legacyM365(w: World): GraphGroup[] {
  return [...w.emulator.tenant.allGroups()].filter(
    (g) => (g.groupTypes ?? []).includes('Unified') && g.onPremisesSyncEnabled !== true && g.writebackConfiguration?.isEnabled == null && g.writebackConfiguration?.onPremisesGroupType == null,
  );
}

async function patchAs(w: World, token: string, groupId: string, body: unknown): Promise<void> {
  const response = await fetch(`${w.emulator.url}/beta/groups/${groupId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(204);
}

async function scan(w: World): Promise<ScanRecord> {
  const outcome = await runScan(w.services.scanDependencies(), { trigger: 'cli' });
  if (outcome.status !== 'complete') throw new Error(`scan ended ${outcome.status}`);
  return outcome.scan;
}

function deps(w: World, overrides: Partial<AttributionDeps> = {}): AttributionDeps {
  return { settings: w.settings, tables: w.services.tables, graph: w.services.graph, log: silentLogger, clock: instantClock(), ...overrides };
}

async function attribute(w: World, from: ScanRecord, to: ScanRecord, overrides: Partial<AttributionDeps> = {}) {
  const diff = await openScanDiff(w.services, w.settings.tenantId, { from: from.id, to: to.id });
  const summary = await diff.summarize();
  return attributeChanges(deps(w, overrides), { fromScan: from, toScan: to, changedGroups: summary.changedGroups, tenantChanges: summary.tenantChanges, changes: diff.changes });
}

async function records(w: World, from: ScanRecord, to: ScanRecord): Promise<Map<string, AttributionRecord>> {
  const out = new Map<string, AttributionRecord>();
  for await (const record of new AttributionStore(w.services.tables).listRecords(w.settings.tenantId, from.id, to.id)) {
    out.set(record.groupId ?? `tenant:${record.field}`, record);
  }
  return out;
}

const enable = { writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } };

describe('attributeChanges (emulator audit log, Azurite)', () => {
  it('confirms who changed writeback, by group id, and ignores events on other groups', async () => {
    const w = await start();
    const [target, renamed, untouched] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    await patchAs(w, 'bob-token', renamed!.id, { displayName: 'Renamed by Bob' });
    // A decoy: an event on a group that did not change, carrying the changed group's name.
    w.emulator.audit.record({
      activityDisplayName: 'Update group',
      initiatedBy: { user: BOB.user, app: null },
      targetResources: [{ id: untouched!.id, displayName: target!.displayName ?? null, type: 'Group', userPrincipalName: null, groupType: 'unifiedGroups', modifiedProperties: [{ displayName: 'WritebackConfiguration', oldValue: null, newValue: '[{}]' }] }],
    });
    const second = await scan(w);

    const run = await attribute(w, first, second);
    expect(run).toMatchObject({ status: 'done', counts: { confirmed: 2 }, requests: 1 });
    const stored = await records(w, first, second);
    expect(stored.size).toBe(2);
    const wb = stored.get(target!.id)!;
    expect(wb.changeTypes).toEqual(expect.arrayContaining(['bucketChanged']));
    expect(wb.attribution).toMatchObject({ status: 'confirmed', actor: { kind: 'user', display: 'Ada Admin <ada@contoso.com>', ipAddress: '203.0.113.7' }, attempts: 1 });
    expect(wb.attribution.events).toHaveLength(1);
    expect(wb.attribution.events[0]).toMatchObject({ activityDisplayName: 'Update group', loggedByService: 'Core Directory', changedProperties: ['WritebackConfiguration'] });
    expect(wb.attribution.events[0]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(wb.attribution.events[0]!.modifiedProperties)[0].displayName).toBe('WritebackConfiguration');
    expect(Date.parse(wb.attribution.window.from)).toBe(first.startedAt.getTime() - 5 * MIN);
    expect(stored.get(renamed!.id)!.attribution.actor?.userPrincipalName).toBe('bob@contoso.com');
    expect(stored.has(untouched!.id)).toBe(false);

    // The diff stream carries the stored attribution on the right change.
    const diff = await openScanDiff(w.services, w.settings.tenantId, { from: first.id, to: second.id });
    const attached = [];
    for await (const change of attachAttributions(new AttributionStore(w.services.tables), { tenantId: w.settings.tenantId, fromScanId: first.id, toScanId: second.id }, diff.changes())) attached.push(change);
    expect(attached.find((c) => c.groupId === target!.id)?.attribution?.actor?.userPrincipalName).toBe('ada@contoso.com');
    expect(attached.find((c) => c.groupId === renamed!.id)?.attribution?.actor?.userPrincipalName).toBe('bob@contoso.com');
  });

  it('calls an update whose property name is not recognised a candidate', async () => {
    const w = await start({}, { audit: { writebackPropertyName: 'MailGroupFlags' } });
    const [target] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    const second = await scan(w);
    expect((await attribute(w, first, second)).counts).toEqual({ candidate: 1 });
    expect((await records(w, first, second)).get(target!.id)!.attribution.actor?.display).toBe('Ada Admin <ada@contoso.com>');
  });

  it('is not found when nothing was audited, pending while the window is young, and resolves on a later run', async () => {
    const w = await start({ AUDIT_LATENCY_GRACE_MINUTES: '30' }, { audit: { latencyMs: 3_600_000 } });
    const [silent, late] = legacyM365(w);
    const first = await scan(w);
    w.emulator.tenant.updateGroup(silent!.id, enable); // a write that leaves no audit event
    await patchAs(w, 'ada-token', late!.id, enable); // audited, but not visible for an hour
    const second = await scan(w);
    const run = await attribute(w, first, second);
    expect(run.counts).toEqual({ pending: 2 });
    expect([...(await records(w, first, second)).values()].every((r) => r.retry)).toBe(true);
    expect((await new AttributionStore(w.services.tables).getPair(w.settings.tenantId, first.id, second.id))?.retry).toBe(true);

    // The next run, 40 minutes later: the event has appeared, the window has settled.
    w.emulator.audit.controls.latencyMs = 0;
    const later = () => new Date(Date.now() + 40 * MIN);
    const retried = await retryPendingAttributions(deps(w, { now: later }), { tenantId: w.settings.tenantId, requestsUsed: 0 });
    expect(retried.counts).toEqual({ confirmed: 1, notFound: 1 });
    const after = await records(w, first, second);
    expect(after.get(late!.id)!.attribution).toMatchObject({ status: 'confirmed', attempts: 2 });
    expect(after.get(silent!.id)!.attribution.status).toBe('notFound');
    expect(after.get(silent!.id)!.retry).toBe(false);
    expect((await new AttributionStore(w.services.tables).getPair(w.settings.tenantId, first.id, second.id))).toMatchObject({ retry: false, counts: { confirmed: 1, notFound: 1 } });
    // Nothing left to retry: no request.
    expect((await retryPendingAttributions(deps(w, { now: later }), { tenantId: w.settings.tenantId, requestsUsed: 0 })).requests).toBe(0);
  });

  it('ages out past the retention without asking Graph', async () => {
    const w = await start({ AUDIT_RETENTION_DAYS: '7' });
    const [target] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    const second = await scan(w);
    w.emulator.resetStats();
    const run = await attribute(w, first, second, { now: () => new Date(Date.now() + 8 * 24 * 60 * MIN) });
    expect(run).toMatchObject({ counts: { agedOut: 1 }, requests: 0 });
    expect(w.emulator.stats().requests).toBe(0);
  });

  it('reports a missing permission and a missing licence, without retrying', async () => {
    const w = await start();
    const [target] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    const second = await scan(w);
    w.emulator.audit.controls.access = 'denied';
    expect((await attribute(w, first, second)).counts).toEqual({ noPermission: 1 });
    const denied = (await records(w, first, second)).get(target!.id)!;
    expect(denied.retry).toBe(false);
    expect(denied.attribution.note).toMatch(/AuditLog\.Read\.All/);
    w.emulator.audit.controls.access = 'noLicence';
    expect((await attribute(w, first, second)).counts).toEqual({ noLicence: 1 });
  });

  it('is throttled (and retried next run) when Graph keeps answering 429', async () => {
    const w = await start({}, { audit: { throttleLimit: 0 } });
    const [target] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    const second = await scan(w);
    const clock = instantClock();
    const run = await attribute(w, first, second, { clock });
    expect(run.counts).toEqual({ throttled: 1 });
    expect(clock.slept.length).toBeGreaterThan(0);
    expect((await records(w, first, second)).get(target!.id)!.retry).toBe(true);
  });

  it("waits out the audit API's own 429 and Retry-After, and pages on to the last page", async () => {
    // One clock for the emulator and the product: sleeping moves both, so nothing waits for real.
    let offset = 0;
    const clock: Clock & { slept: number[] } = { slept: [], now: () => Date.now() + offset, sleep: async (ms) => void (clock.slept.push(ms), (offset += ms)) };
    const w = await start({}, { now: () => clock.now(), audit: { throttleLimit: 3, throttleWindowMs: 10_000, maxPageSize: 1 } });
    const [a, b, ...others] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', a!.id, enable);
    await patchAs(w, 'bob-token', b!.id, enable);
    // Five more events on groups that end up unchanged (changed and changed back): seven pages of one event.
    for (const other of others.slice(0, 5)) w.emulator.audit.record({ activityDisplayName: 'Update group', targetResources: [{ id: other.id, displayName: null, type: 'Group', userPrincipalName: null, groupType: null, modifiedProperties: [] }] });
    const second = await scan(w);
    w.emulator.resetStats();
    const run = await attribute(w, first, second, { clock });
    expect(run.counts).toEqual({ confirmed: 2 });
    expect(run.requests).toBe(7);
    const stats = w.emulator.stats();
    expect(stats.byStatus['429']).toBeGreaterThanOrEqual(1);
    expect(stats.byStatus['200']).toBe(7);
    // Retry-After is whole seconds until the emulator's window frees up.
    expect(clock.slept.some((ms) => ms >= 1_000 && ms % 1_000 === 0)).toBe(true);
  });

  it('falls back to per-group queries when the nightly query needs more pages than AUDIT_MAX_PAGES', async () => {
    const w = await start({ AUDIT_MAX_PAGES: '4' }, { audit: { maxPageSize: 1, throttleLimit: 1000 } });
    const [a, b, ...others] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', a!.id, enable);
    await patchAs(w, 'bob-token', b!.id, enable);
    for (const other of others.slice(0, 10)) w.emulator.audit.record({ activityDisplayName: 'Update group', targetResources: [{ id: other.id, displayName: null, type: 'Group', userPrincipalName: null, groupType: null, modifiedProperties: [] }] });
    const second = await scan(w);
    w.emulator.resetStats();
    const run = await attribute(w, first, second);
    expect(run.counts).toEqual({ confirmed: 2 });
    expect(run.requests).toBe(4);
    const stored = await records(w, first, second);
    expect(stored.get(a!.id)!.attribution.actor?.userPrincipalName).toBe('ada@contoso.com');
    expect(stored.get(b!.id)!.attribution.actor?.userPrincipalName).toBe('bob@contoso.com');
  });

  it('drops the service clause when Graph refuses it combined with the activity list, and still confirms', async () => {
    const w = await start({}, { audit: { rejectServiceWithOr: true } });
    const [target] = legacyM365(w);
    const first = await scan(w);
    await patchAs(w, 'ada-token', target!.id, enable);
    const second = await scan(w);
    w.emulator.resetStats();
    expect((await attribute(w, first, second)).counts).toEqual({ confirmed: 1 });
    expect(w.emulator.stats().byStatus).toMatchObject({ '400': 1, '200': 1 });
  });

  it('spends no request when nothing changed', async () => {
    const w = await start();
    const first = await scan(w);
    const second = await scan(w);
    w.emulator.resetStats();
    expect(await attribute(w, first, second)).toMatchObject({ status: 'skipped', requests: 0 });
    expect(w.emulator.stats().requests).toBe(0);
  });
});
