/** The scan summary and the API scan view say what Cloud Sync was, and name a missing permission. */
import { describe, expect, it } from 'vitest';
import { formatScanSummary } from '../../src/cli/scanSummary';
import { scanView } from '../../src/api/scanViews';
import { newScanRecord, type StoredScan } from '../../src/store/scanStore';
import type { TenantContext } from '../../src/model';
import { cloudSyncContext, cloudSyncJob } from '../helpers/cloudSync';

function scanWith(cloudSync: TenantContext['cloudSync']): StoredScan {
  const scan = newScanRecord({ id: '20261125T020000Z-abcdef', tenantId: 't', trigger: 'cli', startedAt: new Date('2026-11-25T02:00:00Z'), mode: 'full', baseScanId: null, fullScanAt: null });
  scan.status = 'complete';
  scan.finishedAt = new Date('2026-11-25T02:05:00Z');
  scan.tenantContext = {
    newUnifiedGroupWritebackDefault: true,
    newUnifiedGroupWritebackDefaultRaw: null,
    newUnifiedGroupWritebackDefaultSource: 'settingMissing',
    groupWritebackFeatureEnabled: null,
    groupWritebackFeatureUnknownReason: 'Graph refused GET /directory/onPremisesSynchronization (HTTP 403): delegated only.',
    lastDirectorySyncDateTime: null,
    cloudSync,
  };
  return scan;
}

describe('scan summary and API view', () => {
  it('names the missing permission and why Cloud Sync is unknown', () => {
    const unknown = cloudSyncContext([], { status: 'unknown', missingPermissions: ['Application.Read.All'], unknownReason: 'Cloud Sync could not be read completely: Graph refused it.' });
    const text = formatScanSummary(scanWith(unknown));
    expect(text).toContain('Cloud Sync: UNKNOWN: Cloud Sync could not be read completely: Graph refused it.');
    expect(text).toContain('Missing Graph permissions: Application.Read.All');
    expect(text).toContain('Tenant group writeback feature: unknown (Graph refused GET /directory/onPremisesSynchronization (HTTP 403): delegated only.)');
    const view = scanView(scanWith(unknown));
    expect(view.missingPermissions).toEqual(['Application.Read.All']);
    expect(view.cloudSync).toMatchObject({ missingPermissions: ['Application.Read.All'], headline: expect.stringMatching(/^UNKNOWN/) });
  });

  it('lists each job and warns of a paused one', () => {
    const paused = cloudSyncJob({ statusCode: 'Paused', scheduleState: 'Disabled' });
    const text = formatScanSummary(scanWith(cloudSyncContext([paused])));
    expect(text).toContain('Cloud Sync: 1 group provisioning job');
    expect(text).toMatch(/contoso\.com → contoso\.com: Paused; schedule Disabled; scope selected groups \(assigned to the configuration\), 2 groups assigned/);
    expect(text).toContain(`WARNING: Cloud Sync job contoso.com (${paused.jobId}) is paused: the groups in its scope are no longer updated in AD.`);
    const view = scanView(scanWith(cloudSyncContext([paused]))) as { missingPermissions: string[]; tenantContext: { cloudSync: { jobs: Record<string, unknown>[] } } };
    expect(view.missingPermissions).toEqual([]);
    // The API counts the assigned groups rather than listing up to 10,000 ids per job and scan.
    expect(view.tenantContext.cloudSync.jobs[0]).toMatchObject({ jobId: paused.jobId, assignedGroupCount: 2 });
    expect(view.tenantContext.cloudSync.jobs[0]).not.toHaveProperty('assignedGroupIds');
  });

  it('says when a scan was stored before Cloud Sync was read', () => {
    expect(formatScanSummary(scanWith(null))).toContain('Cloud Sync: not read (the scan was stored before Cloud Sync was read)');
  });
});
