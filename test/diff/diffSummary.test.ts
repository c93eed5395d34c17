import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/classify';
import { diffSnapshots } from '../../src/diff/diffSnapshots';
import { DiffAccumulator, summarizeChanges } from '../../src/diff/diffSummary';
import { diffTenantContext } from '../../src/diff/diffTenantContext';
import { WritebackWatchError } from '../../src/errors';
import type { ScanRecord, TenantContext } from '../../src/model';
import { collect, group, guid, streamOf } from './groups';

const TENANT = '11111111-2222-3333-4444-555555555555';

function context(overrides: Partial<TenantContext> = {}): TenantContext {
  return {
    newUnifiedGroupWritebackDefault: true,
    newUnifiedGroupWritebackDefaultRaw: null,
    newUnifiedGroupWritebackDefaultSource: 'settingMissing',
    groupWritebackFeatureEnabled: true,
    lastDirectorySyncDateTime: '2026-11-25T01:00:00Z',
    ...overrides,
  };
}

function scan(id: string, total: number, tenantContext: TenantContext | null, tenantId = TENANT): ScanRecord {
  return {
    id,
    tenantId,
    trigger: 'timer',
    status: 'complete',
    startedAt: new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T02:00:00Z`),
    finishedAt: null,
    counts: { ...emptyCounts(), total },
    tenantContext,
    pages: 1,
    retries: 0,
    error: null,
  };
}

describe('diffTenantContext', () => {
  it('reports nothing when nothing that matters changed, not even a new last sync time or raw spelling', () => {
    const before = context({ newUnifiedGroupWritebackDefaultRaw: 'False', newUnifiedGroupWritebackDefault: false, newUnifiedGroupWritebackDefaultSource: 'setting' });
    const after = { ...before, newUnifiedGroupWritebackDefaultRaw: 'false', lastDirectorySyncDateTime: '2026-11-26T01:30:00Z' };
    expect(diffTenantContext(before, after)).toEqual([]);
    expect(diffTenantContext(null, null)).toEqual([]);
  });

  it('reports a changed effective default and feature flag', () => {
    const before = context();
    const after = context({ newUnifiedGroupWritebackDefault: false, newUnifiedGroupWritebackDefaultRaw: 'false', newUnifiedGroupWritebackDefaultSource: 'setting', groupWritebackFeatureEnabled: false });
    expect(diffTenantContext(before, after)).toEqual([
      { field: 'newUnifiedGroupWritebackDefault', before: true, after: false },
      { field: 'groupWritebackFeatureEnabled', before: true, after: false },
    ]);
  });

  it('reports a signal that became known or unknown', () => {
    expect(diffTenantContext(context({ groupWritebackFeatureEnabled: null }), context())).toEqual([
      { field: 'groupWritebackFeatureEnabled', before: null, after: true },
    ]);
    expect(diffTenantContext(null, context({ groupWritebackFeatureEnabled: null }))).toEqual([
      { field: 'newUnifiedGroupWritebackDefault', before: null, after: true },
    ]);
    expect(diffTenantContext(context(), null)).toEqual([
      { field: 'newUnifiedGroupWritebackDefault', before: true, after: null },
      { field: 'groupWritebackFeatureEnabled', before: true, after: null },
    ]);
  });
});

describe('DiffAccumulator and summarizeChanges', () => {
  const before = [group(guid(1)), group(guid(2)), group(guid(3), { displayName: 'Old' })];
  const after = [
    group(guid(2), { bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'disabled', findings: [], raw: { isEnabled: false } }),
    group(guid(3), { displayName: 'New' }),
    group(guid(4)),
    group(guid(5)),
  ];
  const from = scan('20261125T020000Z-aaaaaa', 3, context());
  const to = scan('20261126T020000Z-bbbbbb', 4, context({ groupWritebackFeatureEnabled: false }));

  it('counts changed groups and each change type once per group', async () => {
    const summary = await summarizeChanges(from, to, diffSnapshots(streamOf(before), streamOf(after)));
    expect(summary).toEqual({
      fromScanId: from.id,
      toScanId: to.id,
      tenantId: TENANT,
      fromStartedAt: from.startedAt,
      toStartedAt: to.startedAt,
      groupsBefore: 3,
      groupsAfter: 4,
      changedGroups: 5,
      byType: {
        added: 2,
        removed: 1,
        bucketChanged: 1,
        targetChanged: 1,
        configChanged: 0,
        kindChanged: 0,
        sourceOfAuthorityChanged: 0,
        renamed: 1,
        findingsChanged: 1,
        engineVerdictChanged: 0,
      },
      tenantChanges: [{ field: 'groupWritebackFeatureEnabled', before: true, after: false }],
      cloudSyncChanges: [],
    });
  });

  it('counts while passing changes through to another consumer', async () => {
    const accumulator = new DiffAccumulator(from, to);
    const seen = await collect(accumulator.track(diffSnapshots(streamOf(before), streamOf(after))));
    expect(seen.map((c) => c.groupId)).toEqual([guid(1), guid(2), guid(3), guid(4), guid(5)]);
    expect(accumulator.summary().changedGroups).toBe(5);
    expect(accumulator.summary().byType.added).toBe(2);
  });

  it('refuses scans of two tenants', () => {
    expect(() => new DiffAccumulator(from, scan('20261126T020000Z-cccccc', 0, null, '99999999-2222-3333-4444-555555555555'))).toThrow(WritebackWatchError);
  });
});
