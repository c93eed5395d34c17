/** The console's group filters and the totals a scan's counts can give without reading its rows. */
import { describe, expect, it } from 'vitest';
import { matchesGroup, totalFromCounts } from '../../src/console/groupPage';
import { matchesChangeTypes } from '../../src/console/diffPage';
import type { ClassifiedGroup, GroupChange, ScanCounts } from '../../src/model';

const group = (over: Partial<ClassifiedGroup>): ClassifiedGroup => ({
  id: '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9',
  displayName: 'Finance Approvers',
  mail: 'finance@contoso.com',
  createdDateTime: null,
  kind: 'microsoft365',
  sourceOfAuthority: 'cloud',
  flags: { dynamic: false, roleAssignable: false, team: false, visibility: 'Private' },
  bucket: 'legacyDefault',
  effectiveTargetType: 'universalDistributionGroup',
  reason: 'legacyDefault',
  findings: ['portalShowsNoWriteback'],
  portalShowsNoWriteback: true,
  memberCount: null,
  raw: { isEnabled: null, onPremisesGroupType: null, onPremisesGroupTypeNormalized: null, onPremisesSyncEnabled: null, securityEnabled: false, mailEnabled: true, groupTypes: ['Unified'] },
  ...over,
});

describe('console group filters', () => {
  it('matches bucket, kind, finding and a case-insensitive part of the name, mail or id', () => {
    const g = group({});
    expect(matchesGroup(g, {})).toBe(true);
    expect(matchesGroup(g, { bucket: 'legacyDefault', kind: 'microsoft365', finding: 'portalShowsNoWriteback' })).toBe(true);
    expect(matchesGroup(g, { bucket: 'writtenBack' })).toBe(false);
    expect(matchesGroup(g, { kind: 'security' })).toBe(false);
    expect(matchesGroup(g, { finding: 'roleAssignableWrittenBack' })).toBe(false);
    expect(matchesGroup(g, { search: 'APPROVERS' })).toBe(true);
    expect(matchesGroup(g, { search: 'contoso.com' })).toBe(true);
    expect(matchesGroup(g, { search: '4e5f-4061' })).toBe(true);
    expect(matchesGroup(g, { search: 'sales' })).toBe(false);
    expect(matchesGroup(group({ displayName: null, mail: null }), { search: 'finance' })).toBe(false);
  });

  it('matches an engine\'s verdict on groups that carry per-engine verdicts, and never on groups that do not', () => {
    const withEngines = { ...group({}), engines: { connectSyncV2: { verdict: 'legacyDefault' }, cloudSync: { verdict: 'unknown' } } } as ClassifiedGroup;
    expect(matchesGroup(withEngines, { engine: 'connectSyncV2' })).toBe(true);
    expect(matchesGroup(withEngines, { engine: 'connectSyncV2', verdict: 'legacyDefault' })).toBe(true);
    expect(matchesGroup(withEngines, { engine: 'cloudSync', verdict: 'unknown' })).toBe(true);
    expect(matchesGroup(withEngines, { engine: 'cloudSync', verdict: 'writtenBack' })).toBe(false);
    expect(matchesGroup(withEngines, { engine: 'connectSyncV1' })).toBe(false);
    expect(matchesGroup(group({}), { engine: 'connectSyncV2' })).toBe(false);
  });

  it('gives the total from the scan counts when they can tell, and null when only reading could', () => {
    const counts = {
      total: 10,
      byBucket: { writtenBack: 3, legacyDefault: 2, notWrittenBack: 5 },
      byKind: { microsoft365: 4, security: 6, mailEnabledSecurity: 0, distribution: 0, unknown: 0 },
      byBucketAndKind: {
        writtenBack: { microsoft365: 1, security: 2, mailEnabledSecurity: 0, distribution: 0, unknown: 0 },
        legacyDefault: { microsoft365: 2, security: 0, mailEnabledSecurity: 0, distribution: 0, unknown: 0 },
        notWrittenBack: { microsoft365: 1, security: 4, mailEnabledSecurity: 0, distribution: 0, unknown: 0 },
      },
      byFinding: { portalShowsNoWriteback: 2 },
      bySeverity: { high: 0, medium: 0, low: 2, info: 0 },
    } satisfies ScanCounts;
    expect(totalFromCounts({ counts } as never, {})).toBe(10);
    expect(totalFromCounts({ counts } as never, { bucket: 'notWrittenBack' })).toBe(5);
    expect(totalFromCounts({ counts } as never, { kind: 'security' })).toBe(6);
    expect(totalFromCounts({ counts } as never, { bucket: 'writtenBack', kind: 'security' })).toBe(2);
    expect(totalFromCounts({ counts } as never, { finding: 'portalShowsNoWriteback' })).toBe(2);
    expect(totalFromCounts({ counts } as never, { finding: 'roleAssignableWrittenBack' })).toBe(0);
    expect(totalFromCounts({ counts } as never, { finding: 'portalShowsNoWriteback', bucket: 'legacyDefault' })).toBeNull();
    expect(totalFromCounts({ counts } as never, { search: 'x' })).toBeNull();
  });

  it('filters changes by any of the chosen types', () => {
    const change = { types: ['bucketChanged', 'findingsChanged'] } as GroupChange;
    expect(matchesChangeTypes(change, [])).toBe(true);
    expect(matchesChangeTypes(change, ['removed', 'findingsChanged'])).toBe(true);
    expect(matchesChangeTypes(change, ['removed'])).toBe(false);
  });
});
