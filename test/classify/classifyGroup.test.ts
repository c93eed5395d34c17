import { describe, expect, it } from 'vitest';
import { classifyGroup, decideWriteback, type ClassificationRow } from '../../src/classify/classifyGroup';
import { FINDING_NAMES, REASONS } from '../../src/classify/findings';
import { readWritebackSettings } from '../../src/classify/normalize';
import type { Bucket, GraphGroup, GroupKind, OnPremisesGroupType, ReasonCode } from '../../src/model';
import { KIND_BUILDERS, distribution, mailEnabledSecurity, microsoft365, security, unknownKind, writeback } from './groups';

interface RuleCase {
  row: ClassificationRow;
  name: string;
  group: GraphGroup;
  bucket: Bucket;
  target: OnPremisesGroupType | null;
  reason: ReasonCode;
}

const rows: RuleCase[] = [
  // Row 1: synced from on-premises, any kind and any configuration.
  ...(['microsoft365', 'security', 'mailEnabledSecurity', 'distribution', 'unknown'] as const).flatMap((kind) =>
    [true, false, null].map((isEnabled) => ({
      row: 1 as const,
      name: `${kind} synced from AD, isEnabled ${isEnabled}`,
      group: KIND_BUILDERS[kind]({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(isEnabled, 'universalSecurityGroup') }),
      bucket: 'notWrittenBack' as const,
      target: null,
      reason: 'syncedFromOnPremises' as const,
    })),
  ),
  // Row 2: kinds that cannot be written back, whatever the configuration says.
  ...[
    ['mailEnabledSecurity', mailEnabledSecurity],
    ['distribution', distribution],
    ['unknown', unknownKind],
  ].flatMap(([kind, build]) =>
    [true, false, null].map((isEnabled) => ({
      row: 2 as const,
      name: `${kind as string}, isEnabled ${isEnabled}`,
      group: (build as typeof security)({ writebackConfiguration: writeback(isEnabled, 'universalSecurityGroup') }),
      bucket: 'notWrittenBack' as const,
      target: null,
      reason: 'unsupportedGroupKind' as const,
    })),
  ),
  // Row 3
  ...[null, 'universalDistributionGroup', 'UniversalSecurityGroup', 'somethingElse'].map((type) => ({
    row: 3 as const,
    name: `microsoft365 disabled, type ${type}`,
    group: microsoft365({ writebackConfiguration: writeback(false, type) }),
    bucket: 'notWrittenBack' as const,
    target: null,
    reason: 'disabled' as const,
  })),
  // Row 4
  {
    row: 4,
    name: 'microsoft365 enabled, no type',
    group: microsoft365({ writebackConfiguration: writeback(true, null) }),
    bucket: 'writtenBack',
    target: 'universalDistributionGroup',
    reason: 'enabledDefaultTarget',
  },
  {
    row: 4,
    name: 'microsoft365 enabled, type missing from the object',
    group: microsoft365({ writebackConfiguration: writeback(true, undefined) }),
    bucket: 'writtenBack',
    target: 'universalDistributionGroup',
    reason: 'enabledDefaultTarget',
  },
  // Row 5, every type and casing variants.
  ...(
    [
      ['universalDistributionGroup', 'universalDistributionGroup'],
      ['universalSecurityGroup', 'universalSecurityGroup'],
      ['universalMailEnabledSecurityGroup', 'universalMailEnabledSecurityGroup'],
      ['UniversalSecurityGroup', 'universalSecurityGroup'],
      ['UNIVERSALDISTRIBUTIONGROUP', 'universalDistributionGroup'],
      ['universalmailenabledsecuritygroup', 'universalMailEnabledSecurityGroup'],
    ] as const
  ).map(([raw, target]) => ({
    row: 5 as const,
    name: `microsoft365 enabled, type ${raw}`,
    group: microsoft365({ writebackConfiguration: writeback(true, raw) }),
    bucket: 'writtenBack' as const,
    target,
    reason: 'enabled' as const,
  })),
  // Row 6: the legacy default, with the object present, missing, or null.
  ...(
    [
      ['both null', { writebackConfiguration: writeback(null, null) }],
      ['object missing', { writebackConfiguration: undefined }],
      ['object null', { writebackConfiguration: null }],
      ['empty object', { writebackConfiguration: {} }],
      ['groupTypes lower case', { groupTypes: ['unified'] }],
      ['security-enabled Microsoft 365 group', { securityEnabled: true }],
    ] as const
  ).map(([variant, overrides]) => ({
    row: 6 as const,
    name: `microsoft365 never configured (${variant})`,
    group: microsoft365(overrides as Partial<GraphGroup>),
    bucket: 'legacyDefault' as const,
    target: 'universalDistributionGroup' as const,
    reason: 'legacyDefault' as const,
  })),
  // Row 7
  ...(
    [
      ['universalSecurityGroup', 'universalSecurityGroup'],
      ['universalDistributionGroup', 'universalDistributionGroup'],
      ['UniversalMailEnabledSecurityGroup', 'universalMailEnabledSecurityGroup'],
    ] as const
  ).map(([raw, target]) => ({
    row: 7 as const,
    name: `microsoft365 isEnabled null, type ${raw}`,
    group: microsoft365({ writebackConfiguration: writeback(null, raw) }),
    bucket: 'writtenBack' as const,
    target,
    reason: 'enabledByDefault' as const,
  })),
  // Row 8
  ...[null, 'universalSecurityGroup', 'UniversalSecurityGroup', 'UNIVERSALSECURITYGROUP'].map((type) => ({
    row: 8 as const,
    name: `security enabled, type ${type}`,
    group: security({ writebackConfiguration: writeback(true, type) }),
    bucket: 'writtenBack' as const,
    target: 'universalSecurityGroup' as const,
    reason: 'enabled' as const,
  })),
  // Row 9
  ...['universalDistributionGroup', 'universalMailEnabledSecurityGroup', 'UniversalDistributionGroup', 'globalSecurityGroup'].map(
    (type) => ({
      row: 9 as const,
      name: `security enabled, type ${type}`,
      group: security({ writebackConfiguration: writeback(true, type) }),
      bucket: 'writtenBack' as const,
      target: 'universalSecurityGroup' as const,
      reason: 'enabled' as const,
    }),
  ),
  // Row 10
  ...[null, 'universalSecurityGroup', 'universalDistributionGroup'].map((type) => ({
    row: 10 as const,
    name: `security disabled, type ${type}`,
    group: security({ writebackConfiguration: writeback(false, type) }),
    bucket: 'notWrittenBack' as const,
    target: null,
    reason: 'disabled' as const,
  })),
  // Row 11, including a group that was synced once and is now cloud-managed.
  ...[null, 'universalSecurityGroup'].map((type) => ({
    row: 11 as const,
    name: `security isEnabled null, type ${type}`,
    group: security({ writebackConfiguration: writeback(null, type) }),
    bucket: 'notWrittenBack' as const,
    target: null,
    reason: 'securityDefaultOff' as const,
  })),
  {
    row: 11,
    name: 'security formerly synced, isEnabled null, object missing',
    group: security({ onPremisesSyncEnabled: false, writebackConfiguration: undefined }),
    bucket: 'notWrittenBack',
    target: null,
    reason: 'securityDefaultOff',
  },
];

describe('classifyGroup: the rule table', () => {
  it('has a case for every row', () => {
    expect(new Set(rows.map((c) => c.row))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
  });

  it.each(rows.map((c) => [`row ${c.row}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const result = classifyGroup(c.group);
    expect(result.bucket).toBe(c.bucket);
    expect(result.effectiveTargetType).toBe(c.target);
    expect(result.reason).toBe(c.reason);
    expect(result.portalShowsNoWriteback).toBe(c.row === 6 || c.row === 7);
    expect(decideWriteback(result.kind, result.sourceOfAuthority, readWritebackSettings(c.group)).row).toBe(c.row);
  });
});

describe('classifyGroup: unrecognised onPremisesGroupType', () => {
  it.each([
    // Microsoft 365 rows 5 and 7: written back (isEnabled true or defaulting to true), target unknown.
    ['microsoft365 enabled', microsoft365({ writebackConfiguration: writeback(true, 'globalGroup') }), 'writtenBack', null, 'enabled'],
    ['microsoft365 null', microsoft365({ writebackConfiguration: writeback(null, 'globalGroup') }), 'writtenBack', null, 'enabledByDefault'],
    ['microsoft365 disabled', microsoft365({ writebackConfiguration: writeback(false, 'globalGroup') }), 'notWrittenBack', null, 'disabled'],
    ['security enabled', security({ writebackConfiguration: writeback(true, 'globalGroup') }), 'writtenBack', 'universalSecurityGroup', 'enabled'],
    ['security null', security({ writebackConfiguration: writeback(null, 'globalGroup') }), 'notWrittenBack', null, 'securityDefaultOff'],
  ] as const)('%s: keeps the raw value and is flagged', (_name, group, bucket, target, reason) => {
    const result = classifyGroup(group);
    expect(result.bucket).toBe(bucket);
    expect(result.effectiveTargetType).toBe(target);
    expect(result.reason).toBe(reason);
    expect(result.raw.onPremisesGroupType).toBe('globalGroup');
    expect(result.raw.onPremisesGroupTypeNormalized).toBeNull();
    expect(result.findings).toContain('unknownOnPremisesGroupType');
  });

  it('reads a non-string value as an unrecognised one, keeping its JSON text', () => {
    const numeric = classifyGroup(microsoft365({ writebackConfiguration: writeback(true, 2) }));
    expect(numeric.raw.onPremisesGroupType).toBe('2');
    expect(numeric.effectiveTargetType).toBeNull();
    expect(numeric.findings).toContain('unknownOnPremisesGroupType');
    const object = classifyGroup(security({ writebackConfiguration: writeback(true, { type: 'x' }) }));
    expect(object.raw.onPremisesGroupType).toBe('{"type":"x"}');
    expect(object.findings).toEqual(expect.arrayContaining(['invalidTargetForSecurityGroup', 'unknownOnPremisesGroupType']));
  });

  it('reads a blank value as not set, keeping it raw', () => {
    const result = classifyGroup(microsoft365({ writebackConfiguration: writeback(null, '  ') }));
    expect(result.bucket).toBe('legacyDefault');
    expect(result.effectiveTargetType).toBe('universalDistributionGroup');
    expect(result.raw.onPremisesGroupType).toBe('  ');
    expect(result.findings).not.toContain('unknownOnPremisesGroupType');
  });
});

describe('classifyGroup: kinds, source of authority, flags, raw values', () => {
  it.each([
    ['Unified', { groupTypes: ['Unified'], securityEnabled: false, mailEnabled: true }, 'microsoft365'],
    ['unified, security-enabled', { groupTypes: ['DynamicMembership', 'unified'], securityEnabled: true, mailEnabled: true }, 'microsoft365'],
    ['UNIFIED without flags', { groupTypes: ['UNIFIED'], securityEnabled: undefined, mailEnabled: undefined }, 'microsoft365'],
    ['security', { securityEnabled: true, mailEnabled: false }, 'security'],
    ['security, mailEnabled missing', { securityEnabled: true, mailEnabled: undefined }, 'security'],
    ['dynamic security', { groupTypes: ['DynamicMembership'], securityEnabled: true, mailEnabled: null }, 'security'],
    ['mail-enabled security', { securityEnabled: true, mailEnabled: true }, 'mailEnabledSecurity'],
    ['distribution', { securityEnabled: false, mailEnabled: true }, 'distribution'],
    ['distribution, securityEnabled missing', { securityEnabled: undefined, mailEnabled: true }, 'distribution'],
    ['neither flag', { securityEnabled: false, mailEnabled: false }, 'unknown'],
    ['flags missing', { securityEnabled: undefined, mailEnabled: undefined }, 'unknown'],
    ['flags as strings', { securityEnabled: 'true', mailEnabled: 'true' }, 'unknown'],
  ] as const)('%s is %s', (_name, fields, kind) => {
    const group = { id: 'g', ...fields } as unknown as GraphGroup;
    expect(classifyGroup(group).kind).toBe(kind as GroupKind);
  });

  it.each([
    [true, 'onPremises'],
    [false, 'cloudFormerlySynced'],
    [null, 'cloud'],
    [undefined, 'cloud'],
    ['true', 'cloud'],
  ] as const)('onPremisesSyncEnabled %s means source %s', (value, source) => {
    const result = classifyGroup(security({ onPremisesSyncEnabled: value as boolean | null | undefined }));
    expect(result.sourceOfAuthority).toBe(source);
  });

  it('carries the flags, compared case-insensitively', () => {
    const result = classifyGroup(
      microsoft365({
        groupTypes: ['Unified', 'dynamicmembership'],
        isAssignableToRole: true,
        resourceProvisioningOptions: ['team'],
        visibility: 'HiddenMembership',
      }),
    );
    expect(result.flags).toEqual({ dynamic: true, roleAssignable: true, team: true, visibility: 'HiddenMembership' });
    const plain = classifyGroup(security({ isAssignableToRole: false, resourceProvisioningOptions: null, visibility: undefined }));
    expect(plain.flags).toEqual({ dynamic: false, roleAssignable: false, team: false, visibility: null });
  });

  it('keeps the raw values as Graph sent them', () => {
    const result = classifyGroup(
      microsoft365({
        id: 'abc',
        displayName: 'Sales',
        mail: 'sales@contoso.example',
        createdDateTime: '2023-05-06T07:08:09Z',
        groupTypes: ['unified', 'DynamicMembership'],
        securityEnabled: true,
        mailEnabled: true,
        onPremisesSyncEnabled: false,
        writebackConfiguration: writeback(true, 'UniversalSecurityGroup'),
      }),
      { memberCount: 12 },
    );
    expect(result).toMatchObject({
      id: 'abc',
      displayName: 'Sales',
      mail: 'sales@contoso.example',
      createdDateTime: '2023-05-06T07:08:09Z',
      memberCount: 12,
      raw: {
        isEnabled: true,
        onPremisesGroupType: 'UniversalSecurityGroup',
        onPremisesGroupTypeNormalized: 'universalSecurityGroup',
        onPremisesSyncEnabled: false,
        securityEnabled: true,
        mailEnabled: true,
        groupTypes: ['unified', 'DynamicMembership'],
      },
    });
  });

  it('classifies a missing writebackConfiguration exactly like both-null', () => {
    for (const build of Object.values(KIND_BUILDERS)) {
      for (const missing of [undefined, null, {}, 'not an object', 7]) {
        const group = build();
        const explicit = classifyGroup({ ...group, writebackConfiguration: { isEnabled: null, onPremisesGroupType: null } });
        const absent = classifyGroup({ ...group, writebackConfiguration: missing as GraphGroup['writebackConfiguration'] });
        expect(absent).toEqual(explicit);
      }
    }
  });

  it('treats a casing-only difference as the same classification', () => {
    const group = microsoft365();
    const lower = classifyGroup({ ...group, writebackConfiguration: writeback(true, 'universalsecuritygroup') });
    const pascal = classifyGroup({ ...group, writebackConfiguration: writeback(true, 'UniversalSecurityGroup') });
    const { raw: lowerRaw, ...lowerRest } = lower;
    const { raw: pascalRaw, ...pascalRest } = pascal;
    expect(lowerRest).toEqual(pascalRest);
    expect(lowerRaw.onPremisesGroupTypeNormalized).toBe(pascalRaw.onPremisesGroupTypeNormalized);
    expect(lowerRaw.onPremisesGroupType).not.toBe(pascalRaw.onPremisesGroupType);
  });
});

describe('classifyGroup: sparse and malformed groups never throw', () => {
  const malformed: Array<[string, unknown]> = [
    ['only an id', { id: 'x' }],
    ['no id at all', {}],
    ['null arrays', { id: 'x', groupTypes: null, resourceProvisioningOptions: null }],
    ['arrays of junk', { id: 'x', groupTypes: [null, 5, { a: 1 }, 'Unified'], resourceProvisioningOptions: [1, 'Team'] }],
    ['arrays as strings', { id: 'x', groupTypes: 'Unified', resourceProvisioningOptions: 'Team' }],
    ['numbers for flags', { id: 'x', securityEnabled: 1, mailEnabled: 0, isAssignableToRole: 1, onPremisesSyncEnabled: 1 }],
    ['non-string scalars', { id: 42, displayName: 7, mail: false, visibility: 3, createdDateTime: {} }],
    ['isEnabled as a string', { id: 'x', groupTypes: ['Unified'], writebackConfiguration: { isEnabled: 'true' } }],
    ['writebackConfiguration an array', { id: 'x', securityEnabled: true, writebackConfiguration: [true] }],
  ];

  it.each(malformed)('%s', (_name, input) => {
    const result = classifyGroup(input as GraphGroup, { memberCount: Number.NaN });
    expect(REASONS[result.reason]).toBeDefined();
    expect(result.memberCount).toBeNull();
    expect(typeof result.id).toBe('string');
    expect(result.raw.groupTypes.every((t) => typeof t === 'string')).toBe(true);
  });

  it('reads junk as absent', () => {
    const bare = classifyGroup({ id: 'x' } as GraphGroup);
    expect(bare).toMatchObject({
      kind: 'unknown',
      sourceOfAuthority: 'cloud',
      bucket: 'notWrittenBack',
      effectiveTargetType: null,
      reason: 'unsupportedGroupKind',
      findings: ['unknownGroupKind'],
      displayName: null,
      mail: null,
      createdDateTime: null,
      memberCount: null,
      flags: { dynamic: false, roleAssignable: false, team: false, visibility: null },
    });

    const junkArrays = classifyGroup({ id: 'x', groupTypes: [null, 5, 'Unified'], resourceProvisioningOptions: [1, 'Team'] } as unknown as GraphGroup);
    expect(junkArrays.kind).toBe('microsoft365');
    expect(junkArrays.raw.groupTypes).toEqual(['Unified']);
    expect(junkArrays.flags.team).toBe(true);

    // A string "true" is not a boolean: the Microsoft 365 group reads as never configured.
    const stringEnabled = classifyGroup({ id: 'x', groupTypes: ['Unified'], writebackConfiguration: { isEnabled: 'true' } } as unknown as GraphGroup);
    expect(stringEnabled.raw.isEnabled).toBeNull();
    expect(stringEnabled.bucket).toBe('legacyDefault');

    expect(classifyGroup({ id: 42 } as unknown as GraphGroup).id).toBe('');
  });

  it('holds its invariants over every combination of kind, source and configuration', () => {
    const isEnabledValues = [true, false, null, undefined, 'yes'];
    const typeValues = [null, undefined, '', 'universalDistributionGroup', 'UniversalSecurityGroup', 'universalMailEnabledSecurityGroup', 'bogus', 3];
    const syncValues = [true, false, null, undefined];
    let checked = 0;
    for (const build of Object.values(KIND_BUILDERS)) {
      for (const sync of syncValues) {
        for (const isEnabled of isEnabledValues) {
          for (const type of typeValues) {
            for (const memberCount of [null, 10, 300_000]) {
              const group = build({ onPremisesSyncEnabled: sync as boolean | null | undefined, writebackConfiguration: writeback(isEnabled, type) });
              const result = classifyGroup(group, { memberCount });
              checked += 1;
              const writtenBack = result.bucket !== 'notWrittenBack';
              // A target is named exactly when the group is written back, except for unrecognised Microsoft 365 types.
              if (!writtenBack) expect(result.effectiveTargetType).toBeNull();
              if (writtenBack && result.effectiveTargetType === null) {
                expect(result.kind).toBe('microsoft365');
                expect(result.findings).toContain('unknownOnPremisesGroupType');
              }
              expect(result.bucket === 'legacyDefault').toBe(result.reason === 'legacyDefault');
              expect(result.findings.includes('portalShowsNoWriteback')).toBe(result.portalShowsNoWriteback);
              if (result.portalShowsNoWriteback) expect(result.raw.isEnabled).not.toBe(true);
              if (result.sourceOfAuthority === 'onPremises') expect(result.bucket).toBe('notWrittenBack');
              if (result.kind !== 'microsoft365' && result.kind !== 'security') expect(result.bucket).toBe('notWrittenBack');
              // Findings are unique and in catalog order.
              const positions = result.findings.map((name) => FINDING_NAMES.indexOf(name));
              expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
            }
          }
        }
      }
    }
    expect(checked).toBe(5 * 4 * 5 * 8 * 3);
  });
});
