import { describe, expect, it } from 'vitest';
import { classifyGroup, type ClassificationContext } from '../../src/classify/classifyGroup';
import {
  CLASSIFICATION_ASSUMPTIONS,
  FINDING_NAMES,
  FINDINGS,
  MEMBER_LIMITS,
  REASONS,
  highestSeverity,
  severityOf,
} from '../../src/classify/findings';
import type { FindingName, GraphGroup, ReasonCode } from '../../src/model';
import { distribution, mailEnabledSecurity, microsoft365, security, unknownKind, writeback } from './groups';
import { cloudSync, engines, job } from './cloudSyncFixtures';

const ASSIGNED_M365 = microsoft365();
const ASSIGNED_SECURITY = security();
const ALL_GROUPS = engines(['connectSyncV2', 'cloudSync'], cloudSync([job()]));
const V1_ALL_GROUPS = engines(['connectSyncV1', 'cloudSync'], cloudSync([job()]));

interface FindingCase {
  name: string;
  group: GraphGroup;
  context?: ClassificationContext;
}

/** For every finding: groups that raise it and near misses that do not (each differs in one respect). */
const CASES: Record<FindingName, { fires: FindingCase[]; silent: FindingCase[] }> = {
  roleAssignableWrittenBack: {
    fires: [
      { name: 'enabled role-assignable security group', group: security({ isAssignableToRole: true, writebackConfiguration: writeback(true, null) }) },
      { name: 'role-assignable Microsoft 365 group on the legacy default', group: microsoft365({ isAssignableToRole: true, securityEnabled: true }) },
    ],
    silent: [
      { name: 'role-assignable security group, isEnabled null', group: security({ isAssignableToRole: true }) },
      { name: 'role-assignable Microsoft 365 group, disabled', group: microsoft365({ isAssignableToRole: true, writebackConfiguration: writeback(false, null) }) },
      { name: 'enabled security group, not role-assignable', group: security({ isAssignableToRole: false, writebackConfiguration: writeback(true, null) }) },
      { name: 'role-assignable group synced from AD', group: security({ isAssignableToRole: true, onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, null) }) },
    ],
  },
  publicGroupWrittenBackAsSecurity: {
    fires: [
      { name: 'Public as universalSecurityGroup', group: microsoft365({ visibility: 'Public', writebackConfiguration: writeback(true, 'universalSecurityGroup') }) },
      { name: 'public (lower case) as mail-enabled security, isEnabled null', group: microsoft365({ visibility: 'public', writebackConfiguration: writeback(null, 'UniversalMailEnabledSecurityGroup') }) },
    ],
    silent: [
      { name: 'Public as distribution', group: microsoft365({ visibility: 'Public', writebackConfiguration: writeback(true, 'universalDistributionGroup') }) },
      { name: 'Public on the legacy default (distribution)', group: microsoft365({ visibility: 'Public' }) },
      { name: 'Private as security', group: microsoft365({ visibility: 'Private', writebackConfiguration: writeback(true, 'universalSecurityGroup') }) },
      { name: 'Public as security but disabled', group: microsoft365({ visibility: 'Public', writebackConfiguration: writeback(false, 'universalSecurityGroup') }) },
      { name: 'Public security group (not Microsoft 365)', group: security({ visibility: 'Public', writebackConfiguration: writeback(true, null) }) },
    ],
  },
  dynamicGroupWrittenBackAsSecurity: {
    fires: [
      { name: 'dynamic security group enabled', group: security({ groupTypes: ['DynamicMembership'], writebackConfiguration: writeback(true, null) }) },
      { name: 'dynamic Microsoft 365 group as security', group: microsoft365({ groupTypes: ['Unified', 'dynamicmembership'], writebackConfiguration: writeback(true, 'universalSecurityGroup') }) },
    ],
    silent: [
      { name: 'dynamic Microsoft 365 group on the legacy default', group: microsoft365({ groupTypes: ['Unified', 'DynamicMembership'] }) },
      { name: 'dynamic security group, isEnabled null', group: security({ groupTypes: ['DynamicMembership'] }) },
      { name: 'assigned security group enabled', group: security({ writebackConfiguration: writeback(true, null) }) },
      { name: 'dynamic mail-enabled security group', group: mailEnabledSecurity({ groupTypes: ['DynamicMembership'], writebackConfiguration: writeback(true, 'universalSecurityGroup') }) },
    ],
  },
  invalidTargetForSecurityGroup: {
    fires: [
      { name: 'security enabled as distribution', group: security({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }) },
      { name: 'security enabled as mail-enabled security', group: security({ writebackConfiguration: writeback(true, 'UniversalMailEnabledSecurityGroup') }) },
    ],
    silent: [
      { name: 'security enabled as security (odd casing)', group: security({ writebackConfiguration: writeback(true, 'UNIVERSALSECURITYGROUP') }) },
      { name: 'security enabled, no type', group: security({ writebackConfiguration: writeback(true, null) }) },
      { name: 'security disabled as distribution', group: security({ writebackConfiguration: writeback(false, 'universalDistributionGroup') }) },
      { name: 'Microsoft 365 enabled as distribution', group: microsoft365({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }) },
    ],
  },
  unknownOnPremisesGroupType: {
    fires: [
      { name: 'Microsoft 365 enabled with a bogus type', group: microsoft365({ writebackConfiguration: writeback(true, 'globalDistributionGroup') }) },
      { name: 'disabled security group with a bogus type', group: security({ writebackConfiguration: writeback(false, 'domainLocal') }) },
    ],
    silent: [
      { name: 'PascalCase known type', group: microsoft365({ writebackConfiguration: writeback(true, 'UniversalDistributionGroup') }) },
      { name: 'no type', group: microsoft365({ writebackConfiguration: writeback(true, null) }) },
    ],
  },
  memberCountOverWritebackLimit: {
    fires: [
      { name: 'Microsoft 365 group with 50,001 members', group: microsoft365(), context: { memberCount: MEMBER_LIMITS.microsoft365 + 1 } },
      { name: 'security group with 250,001 members', group: security({ writebackConfiguration: writeback(true, null) }), context: { memberCount: MEMBER_LIMITS.security + 1 } },
    ],
    silent: [
      { name: 'Microsoft 365 group with exactly 50,000 members', group: microsoft365(), context: { memberCount: MEMBER_LIMITS.microsoft365 } },
      { name: 'security group with 100,000 members', group: security({ writebackConfiguration: writeback(true, null) }), context: { memberCount: 100_000 } },
      { name: 'disabled Microsoft 365 group with 60,000 members', group: microsoft365({ writebackConfiguration: writeback(false, null) }), context: { memberCount: 60_000 } },
      { name: 'security group with isEnabled null and 300,000 members', group: security(), context: { memberCount: 300_000 } },
      { name: 'member count not fetched', group: microsoft365(), context: { memberCount: null } },
      { name: 'no context', group: microsoft365() },
      { name: 'member count not a number', group: microsoft365(), context: { memberCount: Number.POSITIVE_INFINITY } },
    ],
  },
  portalShowsNoWriteback: {
    fires: [
      { name: 'row 6: legacy default', group: microsoft365() },
      { name: 'row 7: isEnabled null with a type', group: microsoft365({ writebackConfiguration: writeback(null, 'universalSecurityGroup') }) },
    ],
    silent: [
      { name: 'row 4: enabled', group: microsoft365({ writebackConfiguration: writeback(true, null) }) },
      { name: 'row 3: disabled', group: microsoft365({ writebackConfiguration: writeback(false, null) }) },
      { name: 'row 11: security group, isEnabled null', group: security() },
      { name: 'row 1: Microsoft 365 group synced from AD', group: microsoft365({ onPremisesSyncEnabled: true }) },
    ],
  },
  securityDefaultDisputed: {
    fires: [
      { name: 'security group, both null', group: security() },
      { name: 'security group, object missing, type set later', group: security({ writebackConfiguration: writeback(undefined, 'universalSecurityGroup') }) },
    ],
    silent: [
      { name: 'security group disabled', group: security({ writebackConfiguration: writeback(false, null) }) },
      { name: 'security group enabled', group: security({ writebackConfiguration: writeback(true, null) }) },
      { name: 'security group synced from AD', group: security({ onPremisesSyncEnabled: true }) },
      { name: 'mail-enabled security group, both null', group: mailEnabledSecurity() },
    ],
  },
  unknownGroupKind: {
    fires: [
      { name: 'no flags', group: unknownKind() },
      { name: 'no flags, synced from AD', group: unknownKind({ onPremisesSyncEnabled: true }) },
    ],
    silent: [
      { name: 'distribution list', group: distribution() },
      { name: 'mail-enabled security group', group: mailEnabledSecurity() },
    ],
  },
  writtenBackByTwoEngines: {
    fires: [
      { name: 'enabled security group in an active job\'s scope, v2 and Cloud Sync', group: security({ writebackConfiguration: writeback(true, null) }), context: { engines: ALL_GROUPS } },
    ],
    silent: [
      { name: 'same group, Cloud Sync not read', group: security({ writebackConfiguration: writeback(true, null) }) },
      { name: 'security group isEnabled null: only Cloud Sync writes it', group: security(), context: { engines: ALL_GROUPS } },
      { name: 'Microsoft 365 group under v1 and Cloud Sync', group: microsoft365(), context: { engines: V1_ALL_GROUPS } },
    ],
  },
  securityWritebackIntentNotCarriedOver: {
    fires: [
      { name: 'enabled security group, v1 and no Cloud Sync job', group: security({ writebackConfiguration: writeback(true, null) }), context: { engines: engines(['connectSyncV1', 'cloudSync'], cloudSync([])) } },
      { name: 'enabled security group, Cloud Sync only, not assigned', group: security({ writebackConfiguration: writeback(true, null) }), context: { engines: engines(['cloudSync'], cloudSync([job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: [] })])) } },
    ],
    silent: [
      { name: 'enabled security group under v2', group: security({ writebackConfiguration: writeback(true, null) }) },
      { name: 'enabled security group, v1, Cloud Sync unknown', group: security({ writebackConfiguration: writeback(true, null) }), context: { engines: engines(['connectSyncV1', 'cloudSync'], null) } },
      { name: 'enabled security group provisioned by Cloud Sync', group: security({ writebackConfiguration: writeback(true, null) }), context: { engines: V1_ALL_GROUPS } },
      { name: 'security group isEnabled null, v1', group: security(), context: { engines: engines(['connectSyncV1']) } },
      { name: 'enabled security group synced from AD, v1', group: security({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, null) }), context: { engines: engines(['connectSyncV1']) } },
    ],
  },
  cloudSyncAssignedButIneligible: {
    fires: [
      { name: 'Microsoft 365 group assigned to the job', group: ASSIGNED_M365, context: { engines: engines(['connectSyncV2', 'cloudSync'], cloudSync([job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: [ASSIGNED_M365.id.toUpperCase()] })])) } },
    ],
    silent: [
      { name: 'security group assigned to the job', group: ASSIGNED_SECURITY, context: { engines: engines(['cloudSync'], cloudSync([job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: [ASSIGNED_SECURITY.id] })])) } },
      { name: 'Microsoft 365 group not assigned', group: microsoft365(), context: { engines: engines(['cloudSync'], cloudSync([job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: [ASSIGNED_M365.id] })])) } },
    ],
  },
  cloudSyncJobNotUpdating: {
    fires: [
      { name: 'quarantined job that ran', group: security(), context: { engines: engines(['cloudSync'], cloudSync([job({ statusCode: 'Quarantine', quarantined: true, quarantineReason: 'EncounteredQuarantineException' })])) } },
      { name: 'paused job that ran', group: security(), context: { engines: engines(['cloudSync'], cloudSync([job({ statusCode: 'Paused', scheduleState: 'Paused' })])) } },
    ],
    silent: [
      { name: 'active job', group: security(), context: { engines: ALL_GROUPS } },
      { name: 'paused job, group created after its last run', group: security({ createdDateTime: '2025-07-01T00:00:00Z' }), context: { engines: engines(['cloudSync'], cloudSync([job({ statusCode: 'Paused' })])) } },
      { name: 'paused job, group out of scope', group: security(), context: { engines: engines(['cloudSync'], cloudSync([job({ statusCode: 'Paused', scope: { mode: 'selectedGroups' }, assignedGroupIds: [] })])) } },
    ],
  },
  cloudSyncContainerNotConstant: {
    fires: [
      { name: 'provisioned into an expression container', group: security(), context: { engines: engines(['cloudSync'], cloudSync([job({ container: { kind: 'expression', expression: 'Switch([displayName],"OU=Default,DC=contoso,DC=example","Sales","OU=Sales,DC=contoso,DC=example")' } })])) } },
    ],
    silent: [
      { name: 'constant container', group: security(), context: { engines: ALL_GROUPS } },
      { name: 'expression container, Microsoft 365 group (not provisioned)', group: microsoft365(), context: { engines: engines(['cloudSync'], cloudSync([job({ container: { kind: 'expression', expression: '[x]' } })])) } },
    ],
  },
  v1IgnoresSecurityTargetType: {
    fires: [
      { name: 'Microsoft 365 group with a security target under v1', group: microsoft365({ writebackConfiguration: writeback(true, 'universalSecurityGroup') }), context: { engines: engines(['connectSyncV1']) } },
      { name: 'disabled, mail-enabled security target (any casing), v1 writes it anyway', group: microsoft365({ writebackConfiguration: writeback(false, 'UniversalMailEnabledSecurityGroup') }), context: { engines: engines(['connectSyncV1']) } },
    ],
    silent: [
      { name: 'same group under v2', group: microsoft365({ writebackConfiguration: writeback(true, 'universalSecurityGroup') }) },
      { name: 'distribution target under v1', group: microsoft365({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }), context: { engines: engines(['connectSyncV1']) } },
      { name: 'synced from AD under v1', group: microsoft365({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, 'universalSecurityGroup') }), context: { engines: engines(['connectSyncV1']) } },
    ],
  },
};

describe.each(FINDING_NAMES.map((name) => [name, CASES[name]] as const))('finding %s', (finding, { fires, silent }) => {
  it.each(fires.map((c) => [c.name, c] as const))('fires: %s', (_name, c) => {
    expect(classifyGroup(c.group, c.context).findings).toContain(finding);
  });
  it.each(silent.map((c) => [c.name, c] as const))('silent: %s', (_name, c) => {
    expect(classifyGroup(c.group, c.context).findings).not.toContain(finding);
  });
});

describe('findings on one group', () => {
  it('lists every finding a group raises, in catalog order', () => {
    const group = microsoft365({
      groupTypes: ['Unified', 'DynamicMembership'],
      visibility: 'Public',
      isAssignableToRole: true,
      writebackConfiguration: writeback(null, 'universalSecurityGroup'),
    });
    expect(classifyGroup(group, { memberCount: 50_001 }).findings).toEqual([
      'roleAssignableWrittenBack',
      'publicGroupWrittenBackAsSecurity',
      'dynamicGroupWrittenBackAsSecurity',
      'memberCountOverWritebackLimit',
      'portalShowsNoWriteback',
    ]);
  });

  it('raises nothing for a plainly enabled group', () => {
    expect(classifyGroup(microsoft365({ writebackConfiguration: writeback(true, 'universalDistributionGroup') })).findings).toEqual([]);
  });
});

describe('the catalog', () => {
  it('defines every finding once, under its own name, with a unique stable id', () => {
    const names = Object.keys(FINDINGS) as FindingName[];
    expect(names.length).toBe(15);
    for (const name of names) expect(FINDINGS[name].name).toBe(name);
    const ids = names.map((name) => FINDINGS[name].id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^WBW-F\d{2}$/);
    expect([...FINDING_NAMES].sort()).toEqual([...names].sort());
    expect(FINDING_NAMES.map((name) => FINDINGS[name].id)).toEqual([...ids].sort());
  });

  it('gives every finding a title, rationale, source and remediation', () => {
    for (const name of FINDING_NAMES) {
      const definition = FINDINGS[name];
      for (const text of [definition.title, definition.rationale, definition.source, definition.remediation]) {
        expect(text.trim().length).toBeGreaterThan(10);
        // docs/findings.md is a Markdown table: a pipe or line break would split a cell.
        expect(text).not.toMatch(/[|\n]/);
      }
    }
  });

  it('explains every reason code', () => {
    const reasons: ReasonCode[] = [
      'syncedFromOnPremises',
      'unsupportedGroupKind',
      'disabled',
      'enabledDefaultTarget',
      'enabled',
      'legacyDefault',
      'enabledByDefault',
      'securityDefaultOff',
      'v1Enabled',
      'v1IgnoresIsEnabled',
      'v1Microsoft365Only',
      'cloudSyncProvisioned',
      'cloudSyncNoLongerUpdated',
      'cloudSyncNotEligible',
      'cloudSyncNoJob',
      'cloudSyncJobNotRun',
      'cloudSyncCreatedAfterLastRun',
      'cloudSyncGroupMappingDisabled',
      'cloudSyncNotAssigned',
      'cloudSyncOutOfFilterScope',
      'cloudSyncIndeterminate',
      'cloudSyncUnknown',
      'noEngine',
    ];
    expect(Object.keys(REASONS).sort()).toEqual([...reasons].sort());
    for (const reason of reasons) {
      expect(REASONS[reason].title.length).toBeGreaterThan(3);
      expect(REASONS[reason].explanation).toMatch(/\.$/);
    }
  });

  it('states the assumptions the buckets rest on', () => {
    expect(CLASSIFICATION_ASSUMPTIONS).toContain('per Entra configuration');
    expect(CLASSIFICATION_ASSUMPTIONS).toMatch(/v2/);
    expect(CLASSIFICATION_ASSUMPTIONS).toMatch(/feature flag/);
    expect(CLASSIFICATION_ASSUMPTIONS).toMatch(/v1.*ignores isEnabled/);
    expect(CLASSIFICATION_ASSUMPTIONS).toMatch(/Cloud Sync/);
  });
});

describe('severity helpers', () => {
  it('severityOf reads the catalog', () => {
    for (const name of FINDING_NAMES) expect(severityOf(name)).toBe(FINDINGS[name].severity);
  });

  it('highestSeverity picks the most severe, or null for none', () => {
    expect(highestSeverity([])).toBeNull();
    expect(highestSeverity(['securityDefaultDisputed'])).toBe('info');
    expect(highestSeverity(['securityDefaultDisputed', 'portalShowsNoWriteback'])).toBe('low');
    expect(highestSeverity(['portalShowsNoWriteback', 'memberCountOverWritebackLimit', 'securityDefaultDisputed'])).toBe('medium');
    expect(highestSeverity(new Set<FindingName>(['unknownGroupKind', 'roleAssignableWrittenBack', 'invalidTargetForSecurityGroup']))).toBe('high');
  });
});
