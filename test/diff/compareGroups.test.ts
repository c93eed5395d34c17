import { describe, expect, it } from 'vitest';
import { CHANGE_TYPES, compareGroups, isSuspiciousTypeReset, onPremisesGroupTypeKey } from '../../src/diff/compareGroups';
import { WritebackWatchError } from '../../src/errors';
import type { ClassifiedGroup } from '../../src/model';
import { enabledSecurityGroup, group, guid } from './groups';

const id = guid(42);

function withType(base: ClassifiedGroup, raw: string | null, normalized: ClassifiedGroup['raw']['onPremisesGroupTypeNormalized']): ClassifiedGroup {
  return { ...base, raw: { ...base.raw, onPremisesGroupType: raw, onPremisesGroupTypeNormalized: normalized } };
}

describe('compareGroups: engine verdicts', () => {
  const v2 = { verdict: 'writtenBack', targetType: 'universalSecurityGroup', reason: 'enabled' } as const;
  const provisioned = { verdict: 'writtenBack', targetType: 'universalSecurityGroup', reason: 'cloudSyncProvisioned', domain: 'contoso.example', container: 'OU=A,DC=contoso,DC=example', detail: 'job' } as const;

  it('reports an engine verdict the combined verdict hides as engineVerdictChanged', () => {
    const before = enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: provisioned } });
    const after = enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: { ...provisioned, verdict: 'notWrittenBack', targetType: null, reason: 'cloudSyncNotAssigned', domain: null, container: null } } });
    expect(compareGroups(before, after)?.types).toEqual(['engineVerdictChanged']);
  });

  it('counts a moved container as a change, a reworded detail not', () => {
    const before = enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: provisioned } });
    expect(compareGroups(before, enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: { ...provisioned, container: 'OU=B,DC=contoso,DC=example' } } }))?.types).toEqual(['engineVerdictChanged']);
    expect(compareGroups(before, enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: { ...provisioned, detail: 'other words' } } }))).toBeNull();
  });

  it('compares only engines both versions were classified under (a changed engine list is no group change)', () => {
    const before = enabledSecurityGroup(id, { engines: { connectSyncV2: v2 } });
    const after = enabledSecurityGroup(id, { engines: { connectSyncV2: v2, cloudSync: provisioned } });
    expect(compareGroups(before, after)).toBeNull();
  });

  it('leaves an engine change that moved the bucket to bucketChanged', () => {
    const before = enabledSecurityGroup(id, { bucket: 'notWrittenBack', effectiveTargetType: null, engines: { cloudSync: { ...provisioned, verdict: 'notWrittenBack', targetType: null } } });
    const after = enabledSecurityGroup(id, { engines: { cloudSync: provisioned } });
    expect(compareGroups(before, after)?.types).toEqual(['bucketChanged', 'targetChanged']);
  });
});

describe('compareGroups', () => {
  it('returns null for a group equal in every compared field', () => {
    expect(compareGroups(group(id), group(id))).toBeNull();
  });

  it('ignores fields it does not compare: member count, mail, flags and creation date', () => {
    const before = group(id);
    const after = group(id, { memberCount: 12, mail: 'x@contoso.example', createdDateTime: '2020-01-01T00:00:00Z', flags: { team: true } });
    expect(compareGroups(before, after)).toBeNull();
  });

  it('treats a casing-only difference of a recognised type as no change', () => {
    const base = enabledSecurityGroup(id);
    const before = withType(base, 'universalSecurityGroup', 'universalSecurityGroup');
    const after = withType(base, 'UniversalSecurityGroup', 'universalSecurityGroup');
    expect(compareGroups(before, after)).toBeNull();
  });

  it('compares an unrecognised type case-insensitively', () => {
    const base = group(id, { raw: { isEnabled: true } });
    expect(compareGroups(withType(base, 'universalGlobalGroup', null), withType(base, 'UNIVERSALGLOBALGROUP', null))).toBeNull();
    expect(compareGroups(withType(base, 'universalGlobalGroup', null), withType(base, 'domainLocalGroup', null))?.types).toEqual(['configChanged']);
  });

  it('reports a configuration edit that keeps the bucket as configChanged', () => {
    const before = group(id, { bucket: 'writtenBack', reason: 'enabledByDefault', raw: { onPremisesGroupType: 'universalDistributionGroup', onPremisesGroupTypeNormalized: 'universalDistributionGroup' } });
    const after = { ...before, reason: 'enabled' as const, raw: { ...before.raw, isEnabled: true } };
    expect(compareGroups(before, after)?.types).toEqual(['configChanged']);
  });

  it('reports a configuration edit that moves the bucket as bucketChanged, not configChanged', () => {
    const before = group(id);
    const after = group(id, { bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'disabled', raw: { isEnabled: false } });
    expect(compareGroups(before, after)?.types).toEqual(['bucketChanged', 'targetChanged']);
  });

  it('reports each compared field with its own change type, in the canonical order', () => {
    const before = enabledSecurityGroup(id, { displayName: 'A', findings: ['roleAssignableWrittenBack', 'dynamicGroupWrittenBackAsSecurity'] });
    const after: ClassifiedGroup = {
      ...before,
      displayName: 'B',
      kind: 'microsoft365',
      sourceOfAuthority: 'cloudFormerlySynced',
      bucket: 'legacyDefault',
      effectiveTargetType: 'universalDistributionGroup',
      findings: ['dynamicGroupWrittenBackAsSecurity', 'portalShowsNoWriteback'],
      raw: { ...before.raw, isEnabled: null },
    };
    const change = compareGroups(before, after);
    expect(change).toEqual({
      groupId: id,
      displayName: 'B',
      types: ['bucketChanged', 'targetChanged', 'kindChanged', 'sourceOfAuthorityChanged', 'renamed', 'findingsChanged'],
      before,
      after,
      findingsAdded: ['portalShowsNoWriteback'],
      findingsRemoved: ['roleAssignableWrittenBack'],
    });
    expect(CHANGE_TYPES.filter((t) => change!.types.includes(t))).toEqual(change!.types);
  });

  it('treats a reordered findings list as no change', () => {
    const before = group(id, { findings: ['portalShowsNoWriteback', 'roleAssignableWrittenBack'] });
    const after = group(id, { findings: ['roleAssignableWrittenBack', 'portalShowsNoWriteback'] });
    expect(compareGroups(before, after)).toBeNull();
  });

  it('refuses to compare two different groups', () => {
    expect(() => compareGroups(group(guid(1)), group(guid(2)))).toThrow(WritebackWatchError);
  });
});

describe('onPremisesGroupTypeKey', () => {
  it('uses the camelCase spelling, lower-cases unrecognised values and reads blank as unset', () => {
    expect(onPremisesGroupTypeKey({ onPremisesGroupType: 'UNIVERSALSECURITYGROUP', onPremisesGroupTypeNormalized: 'universalSecurityGroup' })).toBe('universalSecurityGroup');
    expect(onPremisesGroupTypeKey({ onPremisesGroupType: 'Custom', onPremisesGroupTypeNormalized: null })).toBe('custom');
    expect(onPremisesGroupTypeKey({ onPremisesGroupType: '  ', onPremisesGroupTypeNormalized: null })).toBeNull();
    expect(onPremisesGroupTypeKey({ onPremisesGroupType: null, onPremisesGroupTypeNormalized: null })).toBeNull();
  });
});

describe('isSuspiciousTypeReset', () => {
  const set = withType(group(id, { raw: { isEnabled: true } }), 'universalSecurityGroup', 'universalSecurityGroup');
  const unset = withType(set, null, null);

  it('flags a value-to-null transition of onPremisesGroupType', () => {
    expect(isSuspiciousTypeReset(compareGroups(set, unset)!)).toBe(true);
    expect(isSuspiciousTypeReset(compareGroups(withType(set, 'Custom', null), withType(set, '', null))!)).toBe(true);
  });

  it('does not flag null-to-value, value-to-value, or added and removed groups', () => {
    expect(isSuspiciousTypeReset(compareGroups(unset, set)!)).toBe(false);
    expect(isSuspiciousTypeReset(compareGroups(set, withType(set, 'universalDistributionGroup', 'universalDistributionGroup'))!)).toBe(false);
    expect(isSuspiciousTypeReset({ groupId: id, displayName: null, types: ['removed'], before: set, after: null, findingsAdded: [], findingsRemoved: [] })).toBe(false);
  });
});
