import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listViolations } from '../../src/alerts/expectations';
import { DEFAULT_ALERT_POLICY, loadAlertPolicy } from '../../src/alerts/policy';
import { ALERT_RULE_IDS, alertRuleById } from '../../src/alerts/rules';
import { ConfigurationError } from '../../src/errors';
import { groupId, m365, security, stream, wb } from './fixtures';

function failure(source: string): ConfigurationError {
  try {
    loadAlertPolicy(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).setting).toBe('ALERT_POLICY');
    return error as ConfigurationError;
  }
  throw new Error(`policy was accepted: ${source}`);
}

const expectation = (expect: unknown, match: unknown = {}) => ({ id: 'e', match, expect });

describe('loadAlertPolicy', () => {
  it('empty or missing ALERT_POLICY means the built-in defaults', () => {
    expect(loadAlertPolicy(null)).toBe(DEFAULT_ALERT_POLICY);
    expect(loadAlertPolicy('  ')).toBe(DEFAULT_ALERT_POLICY);
    for (const id of ALERT_RULE_IDS) {
      expect(DEFAULT_ALERT_POLICY.rules[id]).toEqual({ enabled: alertRuleById(id).enabledByDefault, severity: alertRuleById(id).defaultSeverity });
    }
    expect(DEFAULT_ALERT_POLICY.rules['WBW-A14'].enabled).toBe(false);
    expect(DEFAULT_ALERT_POLICY.massChange).toEqual({ maxShare: 0.05, minGroups: 50, examples: 20 });
    expect(DEFAULT_ALERT_POLICY.expectations).toEqual([]);
  });

  it('reads inline JSON, merging overrides over the defaults', () => {
    const policy = loadAlertPolicy(JSON.stringify({ rules: { 'WBW-A14': { enabled: true }, 'WBW-A01': { severity: 'high' } }, massChange: { minGroups: 10 } }));
    expect(policy.rules['WBW-A14']).toEqual({ enabled: true, severity: 'info' });
    expect(policy.rules['WBW-A01']).toEqual({ enabled: true, severity: 'high' });
    expect(policy.massChange).toEqual({ maxShare: 0.05, minGroups: 10, examples: 20 });
  });

  it('reads a policy file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wbw-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ expectations: [expectation({ bucket: 'notWrittenBack' }, { namePattern: '^Fin' })] }));
    const policy = loadAlertPolicy(file);
    expect(policy.expectations[0]!.match.namePattern!.test('finance')).toBe(true);
    expect(failure(join(dir, 'missing.json')).message).toMatch(/^ALERT_POLICY: cannot read the policy file .*missing\.json/);
    writeFileSync(file, JSON.stringify({ expectations: [expectation({ bucket: 'nope' })] }));
    expect(failure(file).message).toMatch(/^ALERT_POLICY \(file .*policy\.json\): expectations\[0\]\.expect\.bucket must be one of/);
  });

  const invalid: [string, unknown, string][] = [
    [
      'an unknown bucket, at its index',
      { expectations: [expectation({ bucket: 'writtenBack' }), expectation({ bucket: 'legacyDefault' }), expectation({ bucket: 'sometimes' })].map((e, i) => ({ ...e, id: `e${i}` })) },
      'ALERT_POLICY: expectations[2].expect.bucket must be one of writtenBack, legacyDefault, notWrittenBack',
    ],
    ['a regular expression that does not compile', { expectations: [expectation({ bucket: 'writtenBack' }, { namePattern: '(unclosed' })] }, 'ALERT_POLICY: expectations[0].match.namePattern is not a valid regular expression'],
    ['a misspelt field', { expectations: [{ id: 'e', macth: {}, expect: { bucket: 'writtenBack' } }] }, 'ALERT_POLICY: expectations[0] has unknown field macth'],
    ['a missing match', { expectations: [{ id: 'e', expect: { bucket: 'writtenBack' } }] }, 'ALERT_POLICY: expectations[0].match is required'],
    ['an expectation that states nothing', { expectations: [expectation({})] }, 'ALERT_POLICY: expectations[0].expect must state bucket, buckets, effectiveTargetType or effectiveTargetTypes'],
    ['bucket and buckets together', { expectations: [expectation({ bucket: 'writtenBack', buckets: ['legacyDefault'] })] }, 'ALERT_POLICY: expectations[0].expect.buckets cannot be combined with bucket'],
    ['an unknown target type', { expectations: [expectation({ effectiveTargetType: 'globalGroup' })] }, 'ALERT_POLICY: expectations[0].expect.effectiveTargetType must be one of universalDistributionGroup, universalSecurityGroup, universalMailEnabledSecurityGroup'],
    ['a group id that is no GUID', { expectations: [expectation({ bucket: 'writtenBack' }, { groupIds: ['sales'] })] }, 'ALERT_POLICY: expectations[0].match.groupIds[0] must be a group id (GUID)'],
    ['an unknown kind in a list', { expectations: [expectation({ bucket: 'writtenBack' }, { kind: ['security', 'team'] })] }, 'ALERT_POLICY: expectations[0].match.kind[1] must be one of microsoft365'],
    ['a repeated expectation id', { expectations: [expectation({ bucket: 'writtenBack' }), expectation({ bucket: 'writtenBack' })] }, 'ALERT_POLICY: expectations[1].id repeats "e"'],
    ['an unknown rule id', { rules: { 'WBW-A99': { enabled: true } } }, 'ALERT_POLICY: rules has unknown field WBW-A99 (rule ids are WBW-A01..WBW-A19)'],
    ['a bad severity', { rules: { 'WBW-A01': { severity: 'critical' } } }, 'ALERT_POLICY: rules.WBW-A01.severity must be one of high, medium, low, info'],
    ['enabled given as a string', { rules: { 'WBW-A14': { enabled: 'yes' } } }, 'ALERT_POLICY: rules.WBW-A14.enabled must be a boolean (got string)'],
    ['a share above 1', { massChange: { maxShare: 5 } }, 'ALERT_POLICY: massChange.maxShare must be at most 1'],
    ['a fractional minGroups', { massChange: { minGroups: 2.5 } }, 'ALERT_POLICY: massChange.minGroups must be a whole number'],
    ['expectations that are not a list', { expectations: {} }, 'ALERT_POLICY: expectations must be an array (got object)'],
  ];
  for (const [name, document, message] of invalid) {
    it(`rejects ${name}, naming the field`, () => {
      expect(failure(JSON.stringify(document)).message).toContain(message);
    });
  }

  it('rejects text that is not JSON', () => {
    expect(failure('{ expectations: [] }').message).toMatch(/^ALERT_POLICY is not valid JSON/);
  });
});

describe('listViolations', () => {
  it('lists every current violation over a stream of groups, for reports', async () => {
    const policy = loadAlertPolicy(
      JSON.stringify({
        expectations: [
          { id: 'security-stays-home', match: { kind: 'security' }, expect: { bucket: 'notWrittenBack' } },
          { id: 'vip', match: { groupIds: [groupId(3).toUpperCase()] }, expect: { buckets: ['writtenBack'], effectiveTargetType: 'universalSecurityGroup' } },
        ],
      }),
    );
    const groups = [security(1, wb(true)), security(2, wb(false)), m365(3, wb(true)), m365(4, wb(true))];
    const violations = [];
    for await (const v of listViolations(policy, stream(groups))) violations.push(v);
    expect(violations.map((v) => [v.groupId, v.expectationId, v.failed])).toEqual([
      [groupId(1), 'security-stays-home', ['bucket']],
      [groupId(3), 'vip', ['effectiveTargetType']],
    ]);
    expect(violations[1]).toMatchObject({ severity: 'medium', actual: { bucket: 'writtenBack', effectiveTargetType: 'universalDistributionGroup' } });
  });

  it('matches on flags, visibility (any casing) and source of authority', async () => {
    const policy = loadAlertPolicy(
      JSON.stringify({
        expectations: [{ id: 'public-teams', match: { kind: 'microsoft365', team: true, visibility: 'public', dynamic: false, roleAssignable: false, sourceOfAuthority: 'cloud' }, expect: { bucket: 'notWrittenBack' } }],
      }),
    );
    const team = { resourceProvisioningOptions: ['Team'], visibility: 'Public' };
    const groups = [m365(1, wb(true), team), m365(2, wb(true), { ...team, visibility: 'Private' }), m365(3, wb(true), { visibility: 'Public' }), m365(4, wb(true), { ...team, onPremisesSyncEnabled: false })];
    const ids = [];
    for await (const v of listViolations(policy, groups)) ids.push(v.groupId);
    expect(ids).toEqual([groupId(1)]);
  });
});
