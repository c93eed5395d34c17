/**
 * Scans of a tenant with Cloud Sync, against the emulator and Azurite: the context is read once, before any
 * group is classified, recorded with the scan (large assignment lists included), kept by resumed scans, and a
 * missing permission makes it unknown without failing the scan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runScan, sameCloudSyncForClassification, type ScanOutcome } from '../../src/scan/runScan';
import { CLOUD_SYNC_ASSIGNMENTS_TABLE } from '../../src/store/cloudSyncAssignmentStore';
import { SCAN_SUMMARY_MARKER, type Logger } from '../../src/observability/logger';
import type { StoredScan } from '../../src/store/scanStore';
import { startWorld, type World } from '../helpers/world';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function capture(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
  };
}

function complete(outcome: ScanOutcome): StoredScan {
  if (outcome.status !== 'complete') throw new Error(`scan ${outcome.status}: ${'error' in outcome ? outcome.error : ''}`);
  return outcome.scan;
}

function summaryLine(log: ReturnType<typeof capture>): Record<string, unknown> {
  const line = log.lines.find((l) => l.message.startsWith(SCAN_SUMMARY_MARKER));
  return JSON.parse(line!.message.slice(SCAN_SUMMARY_MARKER.length + 1)) as Record<string, unknown>;
}

async function assignmentRows(w: World): Promise<number> {
  const table = await w.services.tables.ensureTable(CLOUD_SYNC_ASSIGNMENTS_TABLE);
  let rows = 0;
  for await (const _ of table.listEntities()) rows += 1;
  return rows;
}

describe('a scan of a tenant with Cloud Sync', () => {
  it('records the job and its 1,500 assigned groups with the scan, stored apart and read back whole', async () => {
    const log = capture();
    world = await startWorld({ emulator: { groups: 2000, seed: 3, cloudSync: [{ domain: 'contoso.com', assignFirstGroups: 1500 }] }, log, env: { GRAPH_PAGE_SIZE: '500' } });
    const scan = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    const context = scan.tenantContext!.cloudSync!;
    expect(context.status).toBe('read');
    expect(context.jobs).toHaveLength(1);
    const expected = [...world.emulator.tenant.allGroups()].slice(0, 1500).map((g) => g.id.toLowerCase()).sort();
    expect(context.jobs[0]!.assignedGroupIds).toEqual(expected);
    expect(scan.counts.total).toBe(2000);

    // Too long for the scan record's one property: two rows of 800 and 700 ids in the assignments table.
    expect(await assignmentRows(world)).toBe(2);
    const reread = await world.services.scans.get(world.settings.tenantId, scan.id);
    expect(reread!.tenantContext!.cloudSync).toEqual(context);
    const listed = await world.services.scans.latest(world.settings.tenantId, 'complete');
    expect(listed!.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(1500);

    expect(summaryLine(log)).toMatchObject({ outcome: 'complete', cloudSync: 'read', missingPermissions: [] });
    await world.services.scans.delete(world.settings.tenantId, scan.id);
    expect(await assignmentRows(world)).toBe(0);
  });

  it('keeps paging while Cloud Sync is read: group pages are served before the context is in', async () => {
    // Each request takes 30 ms; the Cloud Sync read is six in a row (discovery, jobs, schema, three pages of
    // assignments). Without reading ahead, only the first page (and the one requested on its arrival) would be
    // served by then.
    world = await startWorld({ emulator: { groups: 3000, seed: 8, latencyMs: 30, cloudSync: [{ assignFirstGroups: 2500 }] }, env: { GRAPH_PAGE_SIZE: '100' } });
    const deps = world.services.scanDependencies();
    let pagesWhenRead = -1;
    const cloudSync = {
      readContext: async (signal?: AbortSignal) => {
        const context = await deps.cloudSync.readContext(signal);
        pagesWhenRead = world!.emulator.stats().pages.groups;
        return context;
      },
    } as typeof deps.cloudSync;
    const scan = complete(await runScan({ ...deps, cloudSync }, { trigger: 'cli' }));
    expect(scan.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(2500);
    expect(pagesWhenRead).toBeGreaterThanOrEqual(3);
    expect(scan.pages).toBe(31); // a full last page has a next link to an empty one
  });

  it('keeps a small context inline in the scan record', async () => {
    world = await startWorld({ emulator: { groups: 100, cloudSync: [{ assignFirstGroups: 20 }] } });
    const scan = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(await assignmentRows(world)).toBe(0);
    const reread = await world.services.scans.get(world.settings.tenantId, scan.id);
    expect(reread!.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(20);
  });

  it('completes without Synchronization.Read.All: Cloud Sync unknown, the permission named in the record and the log', async () => {
    const log = capture();
    world = await startWorld({ emulator: { groups: 300, cloudSync: [{ assignFirstGroups: 5 }], permissions: { synchronization: false } }, log });
    const scan = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(scan.counts.total).toBe(300);
    const context = (await world.services.scans.get(world.settings.tenantId, scan.id))!.tenantContext!.cloudSync!;
    expect(context.status).toBe('unknown');
    expect(context.missingPermissions).toEqual(['Synchronization.Read.All']);
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('Cloud Sync is unknown') && l.message.includes('Synchronization.Read.All'))).toBe(true);
    expect(summaryLine(log)).toMatchObject({ outcome: 'complete', cloudSync: 'unknown', missingPermissions: ['Synchronization.Read.All'] });
  });

  it('records why the writeback feature flags are unknown when Graph refuses them (app-only)', async () => {
    world = await startWorld({ emulator: { groups: 10, permissions: { onPremSync: false } } });
    const scan = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(scan.tenantContext!.groupWritebackFeatureEnabled).toBeNull();
    expect(scan.tenantContext!.groupWritebackFeatureUnknownReason).toMatch(/HTTP 403.*delegated.*WRITEBACK_ENGINES/);
    expect(scan.tenantContext!.cloudSync!.status).toBe('notConfigured');
  });

  it('a resumed scan classifies with the context it recorded, never reading Cloud Sync again', async () => {
    world = await startWorld({
      emulator: { groups: 3000, seed: 12, cloudSync: [{ assignFirstGroups: 10 }] },
      env: { GRAPH_PAGE_SIZE: '100', SCAN_CHECKPOINT_PAGES: '2', SCAN_TIME_BUDGET_SECONDS: '60' },
    });
    let t = Date.parse('2026-11-26T02:00:00Z');
    const now = (): Date => new Date((t += 7_000));
    let outcome = await runScan({ ...world.services.scanDependencies(), now }, { trigger: 'cli' });
    expect(outcome.status).toBe('paused');
    const recorded = outcome.scan.tenantContext!.cloudSync!;
    const spId = recorded.jobs[0]!.servicePrincipalId;
    const reads = (): number => world!.emulator.stats().byRoute['GET /v1.0/servicePrincipals/{id}/synchronization/jobs'] ?? 0;
    expect(reads()).toBe(1);
    // Changed while the scan is paused: the resumed invocations must not pick this up half-way.
    world.emulator.tenant.cloudSync.assign(spId, ['aaaaaaaa-0000-4000-8000-000000000001']);
    world.emulator.tenant.cloudSync.setJobStatus(recorded.jobs[0]!.jobId, 'Paused');
    let invocations = 1;
    while (outcome.status === 'paused' && invocations < 100) {
      outcome = await runScan({ ...world.services.scanDependencies(), now }, { trigger: 'timer', resumeOnly: true });
      invocations += 1;
    }
    const scan = complete(outcome);
    expect(invocations).toBeGreaterThan(2);
    expect(reads()).toBe(1);
    expect(scan.tenantContext!.cloudSync).toEqual(recorded);
    // The next scan reads the change.
    const next = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(next.tenantContext!.cloudSync!.jobs[0]!.statusCode).toBe('Paused');
    expect(next.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(11);
  });

  it('a delta scan goes on as a full scan when Cloud Sync changed since its base, and stays delta otherwise', async () => {
    const log = capture();
    world = await startWorld({ emulator: { groups: 400, seed: 4, cloudSync: [{ assignFirstGroups: 3 }] }, env: { DELTA_ENABLED: 'true' }, log });
    const first = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(first.mode).toBe('full');
    const unchanged = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(unchanged.mode).toBe('delta');
    expect(unchanged.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(3);

    world.emulator.tenant.cloudSync.unassign(first.tenantContext!.cloudSync!.jobs[0]!.servicePrincipalId, [first.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds![0]!]);
    const changed = complete(await runScan(world.services.scanDependencies(), { trigger: 'cli' }));
    expect(changed.mode).toBe('full');
    expect(changed.counts.total).toBe(400);
    expect(changed.tenantContext!.cloudSync!.jobs[0]!.assignedGroupIds).toHaveLength(2);
    expect(log.lines.some((l) => l.message.includes('runs as a full scan') && l.message.includes('Cloud Sync configuration changed'))).toBe(true);
  });
});

describe('sameCloudSyncForClassification', () => {
  const job = {
    servicePrincipalId: 's',
    configurationName: null,
    jobId: 'j',
    templateId: 't',
    domain: null,
    statusCode: 'Active',
    scheduleState: 'Active',
    quarantined: false,
    quarantineReason: null,
    lastSuccessfulRun: '2026-01-01T00:00:00Z',
    groupMappingEnabled: true,
    scope: { mode: 'selectedGroups' as const },
    container: { kind: 'default' as const, distinguishedName: null },
    assignedGroupIds: ['a'],
  };
  const context = (changes: Partial<typeof job> = {}) => ({ status: 'read' as const, unknownReason: null, missingPermissions: [], jobs: [{ ...job, ...changes }] });

  it('ignores the last run time, which moves every cycle, and sees everything that decides a verdict', () => {
    expect(sameCloudSyncForClassification(context(), context({ lastSuccessfulRun: '2026-01-02T00:00:00Z' }))).toBe(true);
    expect(sameCloudSyncForClassification(context(), context({ statusCode: 'Quarantine' }))).toBe(false);
    expect(sameCloudSyncForClassification(context(), context({ assignedGroupIds: ['a', 'b'] }))).toBe(false);
    expect(sameCloudSyncForClassification(null, context())).toBe(false);
    expect(sameCloudSyncForClassification(null, null)).toBe(true);
  });
});
