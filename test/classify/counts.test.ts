import { describe, expect, it } from 'vitest';
import { classifyGroup } from '../../src/classify/classifyGroup';
import { addToCounts, cloneCounts, emptyCounts, removeFromCounts } from '../../src/classify/counts';
import { FINDINGS } from '../../src/classify/findings';
import { microsoft365, security, distribution, unknownKind, writeback } from './groups';

describe('emptyCounts', () => {
  it('starts every counter at zero', () => {
    const counts = emptyCounts();
    expect(counts.total).toBe(0);
    expect(counts.byBucket).toEqual({ writtenBack: 0, legacyDefault: 0, notWrittenBack: 0 });
    const kinds = { microsoft365: 0, security: 0, mailEnabledSecurity: 0, distribution: 0, unknown: 0 };
    expect(counts.byKind).toEqual(kinds);
    expect(counts.byBucketAndKind).toEqual({ writtenBack: kinds, legacyDefault: kinds, notWrittenBack: kinds });
    expect(counts.byFinding).toEqual({});
    expect(counts.bySeverity).toEqual({ high: 0, medium: 0, low: 0, info: 0 });
  });

  it('returns independent objects', () => {
    const a = emptyCounts();
    const b = emptyCounts();
    a.byBucketAndKind.writtenBack.security += 1;
    a.byKind.security += 1;
    expect(b.byBucketAndKind.writtenBack.security).toBe(0);
    expect(b.byKind.security).toBe(0);
    expect(a.byBucketAndKind.legacyDefault.security).toBe(0);
  });
});

describe('addToCounts', () => {
  it('accumulates buckets, kinds, findings and severities group by group', () => {
    const groups = [
      // legacyDefault, findings: portalShowsNoWriteback (low)
      classifyGroup(microsoft365()),
      // legacyDefault, findings: roleAssignableWrittenBack (high), portalShowsNoWriteback (low)
      classifyGroup(microsoft365({ isAssignableToRole: true })),
      // writtenBack, findings: dynamicGroupWrittenBackAsSecurity (medium)
      classifyGroup(security({ groupTypes: ['DynamicMembership'], writebackConfiguration: writeback(true, null) })),
      // notWrittenBack, findings: securityDefaultDisputed (info)
      classifyGroup(security()),
      // notWrittenBack, no findings
      classifyGroup(distribution()),
      // notWrittenBack, findings: unknownGroupKind (low)
      classifyGroup(unknownKind()),
    ];
    const counts = emptyCounts();
    for (const group of groups) addToCounts(counts, group);

    expect(counts.total).toBe(6);
    expect(counts.byBucket).toEqual({ writtenBack: 1, legacyDefault: 2, notWrittenBack: 3 });
    expect(counts.byKind).toEqual({ microsoft365: 2, security: 2, mailEnabledSecurity: 0, distribution: 1, unknown: 1 });
    expect(counts.byBucketAndKind.legacyDefault.microsoft365).toBe(2);
    expect(counts.byBucketAndKind.writtenBack.security).toBe(1);
    expect(counts.byBucketAndKind.notWrittenBack).toEqual({ microsoft365: 0, security: 1, mailEnabledSecurity: 0, distribution: 1, unknown: 1 });
    expect(counts.byFinding).toEqual({
      portalShowsNoWriteback: 2,
      roleAssignableWrittenBack: 1,
      dynamicGroupWrittenBackAsSecurity: 1,
      securityDefaultDisputed: 1,
      unknownGroupKind: 1,
    });
    expect(counts.bySeverity).toEqual({ high: 1, medium: 1, low: 3, info: 1 });
  });

  it('keeps the totals consistent with each other', () => {
    const counts = emptyCounts();
    const groups = [
      classifyGroup(microsoft365({ visibility: 'Public', isAssignableToRole: true, writebackConfiguration: writeback(true, 'universalSecurityGroup') }), { memberCount: 70_000 }),
      classifyGroup(security({ writebackConfiguration: writeback(true, 'bogus') })),
      classifyGroup(microsoft365({ onPremisesSyncEnabled: true })),
    ];
    for (const group of groups) addToCounts(counts, group);
    const sum = (record: Record<string, number | undefined>) => Object.values(record).reduce<number>((a, b) => a + (b ?? 0), 0);
    const findingCount = groups.reduce((n, g) => n + g.findings.length, 0);
    expect(sum(counts.byBucket)).toBe(counts.total);
    expect(sum(counts.byKind)).toBe(counts.total);
    expect(sum(counts.byFinding)).toBe(findingCount);
    expect(sum(counts.bySeverity)).toBe(findingCount);
    for (const [id, n] of Object.entries(counts.byFinding)) {
      expect(n).toBe(groups.filter((g) => g.findings.includes(id as keyof typeof FINDINGS)).length);
    }
  });

  it('takes a group out again exactly, leaving no finding at zero', () => {
    const groups = [
      classifyGroup(microsoft365({ visibility: 'Public', isAssignableToRole: true, writebackConfiguration: writeback(true, 'universalSecurityGroup') }), { memberCount: 70_000 }),
      classifyGroup(security({ writebackConfiguration: writeback(true, 'bogus') })),
      classifyGroup(distribution()),
    ];
    const all = emptyCounts();
    for (const group of groups) addToCounts(all, group);
    const withoutFirst = emptyCounts();
    for (const group of groups.slice(1)) addToCounts(withoutFirst, group);

    const adjusted = cloneCounts(all);
    removeFromCounts(adjusted, groups[0]!);
    expect(adjusted).toEqual(withoutFirst);
    expect(all.total).toBe(3); // the clone is independent

    for (const group of groups.slice(1)) removeFromCounts(adjusted, group);
    expect(adjusted).toEqual(emptyCounts());
  });
});

describe('engine counts', () => {
  it('records the engines assumed and counts what v1 would newly write back, in and out again', () => {
    const disabled = classifyGroup(microsoft365({ writebackConfiguration: writeback(false, null) }));
    const enabled = classifyGroup(microsoft365({ writebackConfiguration: writeback(true, null) }));
    const securityGroup = classifyGroup(security());
    const counts = emptyCounts(['connectSyncV2', 'cloudSync']);
    for (const group of [disabled, enabled, securityGroup]) addToCounts(counts, group);
    expect(counts.engines).toEqual(['connectSyncV2', 'cloudSync']);
    expect(counts.newlyWrittenBackUnderV1).toBe(1);
    removeFromCounts(counts, disabled);
    expect(counts.newlyWrittenBackUnderV1).toBe(0);
    expect(emptyCounts(['connectSyncV1']).newlyWrittenBackUnderV1).toBeUndefined();
  });
});
