/** Per-engine verdicts and their combination (docs/classification.md, "Engines"). */
import { describe, expect, it } from 'vitest';
import { classifyFacts, classifyGroup } from '../../../src/classify/classifyGroup';
import { combineVerdicts } from '../../../src/classify/engines/combine';
import { compileClause, evaluateFilter, compileFilter } from '../../../src/classify/engines/scopeFilter';
import { fromSnapshotEntity, toSnapshotEntity } from '../../../src/store/snapshotEntity';
import type { CloudSyncScopeClause, GraphGroup } from '../../../src/model';
import { distribution, mailEnabledSecurity, microsoft365, security, unknownKind, writeback } from '../groups';
import { UNREADABLE, cloudSync, engines, job } from '../cloudSyncFixtures';

const SAMPLE: GraphGroup[] = [
  microsoft365(),
  microsoft365({ writebackConfiguration: writeback(false, null) }),
  microsoft365({ writebackConfiguration: writeback(true, 'universalSecurityGroup') }),
  microsoft365({ writebackConfiguration: writeback(null, 'UniversalMailEnabledSecurityGroup') }),
  security(),
  security({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }),
  security({ writebackConfiguration: writeback(false, null) }),
  security({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, null) }),
  mailEnabledSecurity(),
  distribution(),
  unknownKind(),
];

describe('the default engines with no Cloud Sync job', () => {
  it.each([
    ['Cloud Sync not read', engines(['connectSyncV2', 'cloudSync'], null)],
    ['no job', engines(['connectSyncV2', 'cloudSync'], cloudSync([]))],
    ['unreadable', engines(['connectSyncV2', 'cloudSync'], UNREADABLE)],
    ['v2 alone', engines(['connectSyncV2'])],
  ])('combine to the v2 rule table (%s)', (_name, context) => {
    for (const group of SAMPLE) {
      const v2 = classifyGroup(group, { engines: engines(['connectSyncV2']) });
      const result = classifyGroup(group, { engines: context });
      expect({ ...result, engines: undefined }).toEqual({ ...v2, engines: undefined });
      expect(result.engines.connectSyncV2).toEqual(v2.engines.connectSyncV2);
    }
  });

  it('keeps Cloud Sync unknown (never "not provisioned") for security groups when it was not read', () => {
    const result = classifyGroup(security(), { engines: engines(['connectSyncV2', 'cloudSync'], UNREADABLE) });
    expect(result.engines.cloudSync).toMatchObject({ verdict: 'unknown', reason: 'cloudSyncUnknown', detail: expect.stringContaining('Synchronization.Read.All') });
    expect(result.reason).toBe('securityDefaultOff');
  });
});

describe('combining engines', () => {
  it('Cloud Sync provisioning a security group v2 leaves out makes it written back, decided by Cloud Sync', () => {
    const result = classifyGroup(security(), { engines: engines(['connectSyncV2', 'cloudSync'], cloudSync([job()])) });
    expect(result).toMatchObject({ bucket: 'writtenBack', effectiveTargetType: 'universalSecurityGroup', reason: 'cloudSyncProvisioned' });
    expect(result.engines.connectSyncV2?.verdict).toBe('notWrittenBack');
    expect(result.engines.cloudSync).toMatchObject({ domain: 'contoso.example', container: 'OU=Cloud groups,DC=contoso,DC=example' });
  });

  it('v1: a disabled Microsoft 365 group is legacyDefault and the portal shows No writeback', () => {
    const result = classifyGroup(microsoft365({ writebackConfiguration: writeback(false, null) }), { engines: engines(['connectSyncV1', 'cloudSync'], cloudSync([job()])) });
    expect(result).toMatchObject({ bucket: 'legacyDefault', effectiveTargetType: 'universalDistributionGroup', reason: 'v1IgnoresIsEnabled', portalShowsNoWriteback: true });
    expect(result.findings).toContain('portalShowsNoWriteback');
    expect(result.engines.cloudSync?.reason).toBe('cloudSyncNotEligible');
  });

  it('writtenBack outranks legacyDefault, which outranks notWrittenBack; the first engine wins a tie', () => {
    const nwb = { verdict: 'notWrittenBack', targetType: null, reason: 'disabled' } as const;
    const legacy = { verdict: 'legacyDefault', targetType: 'universalDistributionGroup', reason: 'v1IgnoresIsEnabled' } as const;
    const wb = { verdict: 'writtenBack', targetType: 'universalSecurityGroup', reason: 'cloudSyncProvisioned' } as const;
    expect(combineVerdicts({ connectSyncV1: legacy, cloudSync: wb }, ['connectSyncV1', 'cloudSync'])).toMatchObject({ bucket: 'writtenBack', decidedBy: 'cloudSync' });
    expect(combineVerdicts({ connectSyncV1: legacy, cloudSync: nwb }, ['connectSyncV1', 'cloudSync'])).toMatchObject({ bucket: 'legacyDefault', decidedBy: 'connectSyncV1' });
    expect(combineVerdicts({ connectSyncV2: { ...wb, reason: 'enabled' }, cloudSync: wb }, ['connectSyncV2', 'cloudSync'])).toMatchObject({ decidedBy: 'connectSyncV2', reason: 'enabled' });
    expect(combineVerdicts({ cloudSync: { verdict: 'indeterminate', targetType: null, reason: 'cloudSyncIndeterminate' } }, ['cloudSync'])).toMatchObject({
      bucket: 'notWrittenBack',
      effectiveTargetType: null,
      reason: 'cloudSyncIndeterminate',
    });
  });

  it('none: nothing is written back, reason noEngine', () => {
    const result = classifyGroup(microsoft365(), { engines: engines([]) });
    expect(result).toMatchObject({ bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'noEngine', engines: {}, portalShowsNoWriteback: false });
  });

  it('several jobs: provisioned by one wins over out of scope of another', () => {
    const group = security();
    const context = engines(['cloudSync'], cloudSync([
      job({ jobId: 'AAD2ADGroupProvisioning.a', domain: 'a.example', scope: { mode: 'selectedGroups' }, assignedGroupIds: [] }),
      job({ jobId: 'AAD2ADGroupProvisioning.b', domain: 'b.example', container: { kind: 'default', distinguishedName: null } }),
    ]));
    expect(classifyGroup(group, { engines: context }).engines.cloudSync).toMatchObject({ verdict: 'writtenBack', domain: 'b.example', container: 'CN=Users,DC=b,DC=example' });
  });

  it('selected groups: assigned ids match case-insensitively, and nested members are not expanded', () => {
    const assigned = security();
    const other = security();
    const context = engines(['cloudSync'], cloudSync([job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: [assigned.id.toUpperCase()] })]));
    expect(classifyGroup(assigned, { engines: context }).engines.cloudSync?.verdict).toBe('writtenBack');
    expect(classifyGroup(other, { engines: context }).engines.cloudSync?.reason).toBe('cloudSyncNotAssigned');
  });
});

describe('scoping filter clauses', () => {
  const facts = (group: GraphGroup) => classifyGroup(group);
  const holds = (clause: CloudSyncScopeClause, group: GraphGroup) => evaluateFilter(compileFilter([[clause]]), facts(group)).outcome;
  const named = security({ displayName: 'Sales EMEA', description: 'Sales team', mailNickname: 'sales-emea', mail: null });

  it.each([
    ['displayName', 'EQUALS', ['Sales EMEA'], 'in'],
    ['displayName', 'EQUALS', ['sales emea'], 'out'],
    ['displayName', 'NOT EQUALS', ['Finance'], 'in'],
    ['mail', 'NOT EQUALS', ['x'], 'out'],
    ['description', 'INCLUDES', ['team'], 'in'],
    ['mailNickname', 'ENDS_WITH', ['-emea'], 'in'],
    ['displayName', 'REGEX MATCH', ['^Sales'], 'in'],
    ['displayName', 'NOT REGEX MATCH', ['^Sales'], 'out'],
    ['mail', 'NOT REGEX MATCH', ['^x'], 'out'],
    ['mail', 'IS NULL', [], 'in'],
    ['mail', 'IS NOT NULL', [], 'out'],
    ['securityEnabled', 'IS TRUE', [], 'in'],
    ['dirSyncEnabled', 'IS FALSE', [], 'in'],
    ['mailEnabled', 'is false', [], 'in'],
    ['isAssignableToRole', 'IS TRUE', [], 'out'],
    ['displayName', 'Greater_Than', ['10'], 'out'],
    ['objectId', 'EQUALS', ['nope'], 'out'],
  ])('%s %s %j: %s', (attribute, operator, values, expected) => {
    expect(holds({ sourceAttributeName: attribute, operatorName: operator, values }, named)).toBe(expected);
  });

  it('compares integers with Greater_Than and Greater_Than_OR_EQUALS', () => {
    const numbered = security({ displayName: '42' });
    expect(holds({ sourceAttributeName: 'displayName', operatorName: 'Greater_Than', values: ['41'] }, numbered)).toBe('in');
    expect(holds({ sourceAttributeName: 'displayName', operatorName: 'GREATER_THAN', values: ['42'] }, numbered)).toBe('out');
    expect(holds({ sourceAttributeName: 'displayName', operatorName: 'Greater_Than_OR_EQUALS', values: ['42'] }, numbered)).toBe('in');
  });

  it('names the clause it cannot evaluate: unknown attribute, unknown operator, bad pattern, value not stored', () => {
    const cases: [CloudSyncScopeClause, GraphGroup][] = [
      [{ sourceAttributeName: 'extensionAttribute1', operatorName: 'EQUALS', values: ['x'] }, named],
      [{ sourceAttributeName: 'displayName', operatorName: 'IS MEMBER OF', values: ['x'] }, named],
      [{ sourceAttributeName: 'displayName', operatorName: 'REGEX MATCH', values: ['(unclosed'] }, named],
      [{ sourceAttributeName: 'description', operatorName: 'EQUALS', values: ['x'] }, security()],
    ];
    for (const [clause, group] of cases) {
      const result = evaluateFilter(compileFilter([[clause]]), facts(group));
      expect(result).toEqual({ outcome: 'indeterminate', clause: expect.stringContaining(`${clause.sourceAttributeName} ${clause.operatorName}`) });
    }
    expect(compileClause({ sourceAttributeName: 'extensionAttribute1', operatorName: 'EQUALS', values: ['x'] }).unusable).toMatch(/does not read extensionAttribute1/);
  });

  it('three-valued logic: a false clause decides, a true filter decides', () => {
    const unknown: CloudSyncScopeClause = { sourceAttributeName: 'extension_1_x', operatorName: 'IS TRUE', values: [] };
    const yes: CloudSyncScopeClause = { sourceAttributeName: 'displayName', operatorName: 'REGEX MATCH', values: ['^Sales'] };
    const no: CloudSyncScopeClause = { sourceAttributeName: 'displayName', operatorName: 'EQUALS', values: ['Finance'] };
    expect(evaluateFilter(compileFilter([[unknown, no]]), facts(named)).outcome).toBe('out');
    expect(evaluateFilter(compileFilter([[unknown, yes]]), facts(named)).outcome).toBe('indeterminate');
    expect(evaluateFilter(compileFilter([[unknown], [yes]]), facts(named)).outcome).toBe('in');
    expect(evaluateFilter(compileFilter([]), facts(named)).outcome).toBe('in');
  });

  it('an indeterminate filter makes the Cloud Sync verdict indeterminate, naming the clause', () => {
    const context = engines(['cloudSync'], cloudSync([job({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'extension_1_x', operatorName: 'IS TRUE', values: [] }]] } })]));
    expect(classifyGroup(security(), { engines: context }).engines.cloudSync).toMatchObject({ verdict: 'indeterminate', detail: expect.stringContaining('extension_1_x IS TRUE') });
  });
});

describe('re-classifying a stored group (what-if)', () => {
  const contexts = [
    engines(['connectSyncV2', 'cloudSync'], cloudSync([job()])),
    engines(['connectSyncV1', 'cloudSync'], cloudSync([job({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'description', operatorName: 'INCLUDES', values: ['AD'] }]] } })])),
    engines(['connectSyncV1']),
    engines([]),
  ];

  it('gives what classifying the Graph group gives, for every engine list', () => {
    const groups = [...SAMPLE, security({ description: 'to AD', mailNickname: 'ad' })];
    for (const group of groups) {
      const stored = fromSnapshotEntity(toSnapshotEntity(classifyGroup(group)) as unknown as Record<string, unknown>);
      for (const context of contexts) expect(classifyFacts(stored, context)).toEqual(classifyGroup(group, { engines: context }));
    }
  });

  it('reads a row stored before engine verdicts were kept as a Connect Sync v2 verdict', () => {
    const entity = toSnapshotEntity(classifyGroup(microsoft365())) as unknown as Record<string, unknown>;
    const details = JSON.parse(entity['details'] as string) as Record<string, unknown>;
    delete details['engines'];
    const old = fromSnapshotEntity({ ...entity, details: JSON.stringify(details) });
    expect(old.engines).toEqual({ connectSyncV2: { verdict: 'legacyDefault', targetType: 'universalDistributionGroup', reason: 'legacyDefault' } });
  });

  it('round-trips per-engine verdicts, Cloud Sync domain and container included', () => {
    const group = classifyGroup(security(), { engines: contexts[0] });
    expect(fromSnapshotEntity(toSnapshotEntity(group) as unknown as Record<string, unknown>)).toEqual(group);
  });
});

describe('engine context', () => {
  it('reads a job\'s assigned ids once, when it is built, not once per group', () => {
    let reads = 0;
    const ids = Array.from({ length: 10_000 }, (_, i) => `00000000-0000-0000-0001-${String(i).padStart(12, '0')}`);
    const counted = job({ scope: { mode: 'selectedGroups' } });
    Object.defineProperty(counted, 'assignedGroupIds', {
      get: () => {
        reads += 1;
        return ids;
      },
    });
    const context = engines(['connectSyncV2', 'cloudSync'], cloudSync([counted]));
    const readsToBuild = reads;
    const groups = Array.from({ length: 2_000 }, (_, i) => security({ id: ids[i * 5]! }));
    for (const group of groups) expect(classifyGroup(group, { engines: context }).engines.cloudSync?.verdict).toBe('writtenBack');
    expect(reads).toBe(readsToBuild);
  });

  it('shares the verdict objects of rules that depend on nothing but the row', () => {
    const a = classifyGroup(microsoft365(), { engines: engines(['connectSyncV1', 'cloudSync'], cloudSync([])) });
    const b = classifyGroup(microsoft365(), { engines: engines(['connectSyncV1', 'cloudSync'], cloudSync([])) });
    expect(a.engines.connectSyncV1).toBe(b.engines.connectSyncV1);
    expect(a.engines.cloudSync).toBe(b.engines.cloudSync);
  });
});
