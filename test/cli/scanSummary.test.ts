import { describe, expect, it } from 'vitest';
import { formatScanSummary } from '../../src/cli/scanSummary';
import { addToCounts, emptyCounts } from '../../src/classify';
import { classifyGroup } from '../../src/classify/classifyGroup';
import type { StoredScan } from '../../src/store/scanStore';
import type { ScanCounts } from '../../src/model';
import { microsoft365, security, writeback } from '../classify/groups';

function scanWith(counts: ScanCounts): StoredScan {
  return {
    id: '20261126T020000Z-3fa9c1',
    tenantId: '11111111-2222-3333-4444-555555555555',
    status: 'complete',
    error: null,
    startedAt: new Date('2026-11-26T02:00:00Z'),
    finishedAt: new Date('2026-11-26T02:01:00Z'),
    counts,
    pages: 1,
    retries: 0,
    resumes: 0,
    tenantContext: null,
  } as unknown as StoredScan;
}

describe('formatScanSummary', () => {
  it('states the engines assumed and how many groups v1 would newly write back', () => {
    const counts = emptyCounts(['connectSyncV2', 'cloudSync']);
    for (const group of [
      microsoft365({ writebackConfiguration: writeback(false, null) }),
      microsoft365({ writebackConfiguration: writeback(false, 'universalSecurityGroup') }),
      microsoft365(),
      security({ writebackConfiguration: writeback(true, null) }),
    ]) addToCounts(counts, classifyGroup(group));
    const text = formatScanSummary(scanWith(counts));
    expect(text).toContain('Writeback engines assumed: connectSyncV2,cloudSync');
    expect(text).toContain('If Connect Sync fell back to group writeback v1: 2 more groups written back (whatif --engines connectSyncV1,cloudSync lists them)');
  });

  it('says v2 for a scan stored before engines were recorded, and no v1 count without v2', () => {
    expect(formatScanSummary(scanWith(emptyCounts()))).toContain('Writeback engines assumed: connectSyncV2 ');
    const v1 = formatScanSummary(scanWith(emptyCounts(['connectSyncV1'])));
    expect(v1).toContain('Writeback engines assumed: connectSyncV1');
    expect(v1).not.toContain('fell back');
  });
});
