import { describe, expect, it } from 'vitest';
import type { Approval } from '../../src/alerts/approvals';
import { collectEvaluation, evaluateChanges, evaluateScanHealth, type EvaluateChangesInput } from '../../src/alerts/evaluate';
import { DEFAULT_ALERT_POLICY, parseAlertPolicy, type AlertPolicy } from '../../src/alerts/policy';
import type { AlertRuleId } from '../../src/alerts/rules';
import type { DiffSummary, GroupChange, ScanRecord } from '../../src/model';
import { FROM, NOW, TENANT, TO, change, groupId, m365, scan, security, stream, tenantContext, wb } from './fixtures';

async function evaluate(changes: GroupChange[], options: Partial<EvaluateChangesInput> = {}) {
  return collectEvaluation({
    policy: DEFAULT_ALERT_POLICY,
    tenantId: TENANT,
    fromScan: FROM,
    toScan: TO,
    changes: stream(changes),
    approvals: [],
    now: NOW,
    ...options,
  });
}

async function rulesFor(one: GroupChange, policy: AlertPolicy = DEFAULT_ALERT_POLICY): Promise<AlertRuleId[]> {
  const { candidates } = await evaluate([one], { policy });
  return candidates.map((c) => c.ruleId).sort();
}

describe('default group rules: each fires on its change and not on unrelated ones', () => {
  const cases: { name: string; change: GroupChange; rules: AlertRuleId[] }[] = [
    { name: 'WBW-A01 disabled Microsoft 365 group enabled', change: change(m365(1, wb(false)), m365(1, wb(true))), rules: ['WBW-A01'] },
    { name: 'WBW-A01 new group in the legacy default bucket', change: change(null, m365(1)), rules: ['WBW-A01'] },
    { name: 'WBW-A02 written-back group disabled', change: change(m365(1, wb(true)), m365(1, wb(false))), rules: ['WBW-A02'] },
    {
      name: 'WBW-A03 security target downgraded to distribution',
      change: change(m365(1, wb(true, 'universalSecurityGroup')), m365(1, wb(true, 'universalDistributionGroup'))),
      rules: ['WBW-A03'],
    },
    {
      name: 'WBW-A03 between two security types',
      change: change(m365(1, wb(true, 'universalSecurityGroup')), m365(1, wb(true, 'universalMailEnabledSecurityGroup'))),
      rules: ['WBW-A03'],
    },
    {
      name: 'WBW-A04 distribution to security (supersedes WBW-A03)',
      change: change(m365(1, wb(true)), m365(1, wb(true, 'universalSecurityGroup'))),
      rules: ['WBW-A04'],
    },
    {
      name: 'WBW-A04 security group enabled (supersedes WBW-A01)',
      change: change(security(1, wb(null)), security(1, wb(true))),
      rules: ['WBW-A04'],
    },
    {
      name: 'WBW-A05 cloud group now synced from AD, not written back either way',
      change: change(security(1), security(1, wb(null), { onPremisesSyncEnabled: true })),
      rules: ['WBW-A05'],
    },
    {
      name: 'WBW-A05 with WBW-A02 when a written-back group becomes synced from AD',
      change: change(m365(1), m365(1, wb(null), { onPremisesSyncEnabled: true })),
      rules: ['WBW-A02', 'WBW-A05'],
    },
    {
      name: 'WBW-A08 Public group written back as security (new high finding only)',
      change: change(m365(1, wb(true, 'universalSecurityGroup')), m365(1, wb(true, 'universalSecurityGroup'), { visibility: 'Public' })),
      rules: ['WBW-A08'],
    },
    {
      name: 'WBW-A08 with WBW-A04 for a role-assignable security group enabled',
      change: change(security(1, wb(false), { isAssignableToRole: true }), security(1, wb(true), { isAssignableToRole: true })),
      rules: ['WBW-A04', 'WBW-A08'],
    },
    { name: 'WBW-A09 written-back group deleted', change: change(m365(1, wb(true)), null), rules: ['WBW-A09'] },
    {
      name: 'WBW-A10 onPremisesGroupType reset to null',
      change: change(m365(1, wb(true, 'universalDistributionGroup')), m365(1, wb(true, null))),
      rules: ['WBW-A10'],
    },
    // Unrelated changes.
    { name: 'nothing: legacy default made explicit (still written back, same target)', change: change(m365(1), m365(1, wb(true))), rules: [] },
    { name: 'nothing: casing-only target difference', change: change(m365(1, wb(true, 'universalSecurityGroup')), m365(1, wb(true, 'UniversalSecurityGroup'))), rules: [] },
    { name: 'nothing: rename (WBW-A14 is off by default)', change: change(m365(1), m365(1, wb(null), { displayName: 'Renamed' })), rules: [] },
    { name: 'nothing: group not written back deleted', change: change(security(1), null), rules: [] },
    { name: 'nothing: new group not written back', change: change(null, security(1)), rules: [] },
    { name: 'nothing: disabled group stays disabled with a new target', change: change(m365(1, wb(false)), m365(1, wb(false, 'universalSecurityGroup'))), rules: [] },
    {
      name: 'nothing: a medium finding appears (dynamic group written back as security)',
      change: change(
        m365(1, wb(true, 'universalSecurityGroup')),
        m365(1, wb(true, 'universalSecurityGroup'), { groupTypes: ['Unified', 'DynamicMembership'] }),
      ),
      rules: [],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      expect(await rulesFor(c.change)).toEqual(c.rules);
    });
  }

  it('a disabled rule does not fire and does not supersede: without WBW-A04 the security enablement is WBW-A01', async () => {
    const policy = parseAlertPolicy({ rules: { 'WBW-A04': { enabled: false } } });
    expect(await rulesFor(change(security(1, wb(null)), security(1, wb(true))), policy)).toEqual(['WBW-A01']);
  });

  it('WBW-A14 renames alert for written-back groups once the policy enables the rule', async () => {
    const policy = parseAlertPolicy({ rules: { 'WBW-A14': { enabled: true } } });
    expect(await rulesFor(change(m365(1), m365(1, wb(null), { displayName: 'Renamed' })), policy)).toEqual(['WBW-A14']);
    expect(await rulesFor(change(security(1), security(1, wb(null), { displayName: 'Renamed' })), policy)).toEqual([]);
  });

  it('policy severity overrides apply to the candidate', async () => {
    const policy = parseAlertPolicy({ rules: { 'WBW-A01': { severity: 'low' } } });
    const { candidates } = await evaluate([change(m365(1, wb(false)), m365(1, wb(true)))], { policy });
    expect(candidates[0]).toMatchObject({ ruleId: 'WBW-A01', severity: 'low', groupId: groupId(1), groupName: 'Team 1' });
  });

  it('titles name the group and say what happened in words', async () => {
    const { candidates } = await evaluate([change(m365(1, wb(true)), m365(1, wb(false))), change(m365(2, wb(true)), null)]);
    expect(candidates.map((c) => c.title)).toEqual([
      '"Team 1" is no longer written back (Writeback disabled)',
      '"Team 2" was deleted in the cloud while written back as universalDistributionGroup',
    ]);
  });

  it('a candidate carries the before and after state and a readable title', async () => {
    const { candidates } = await evaluate([change(m365(1, wb(true)), m365(1, wb(true, 'universalSecurityGroup')))]);
    const [alert] = candidates;
    expect(alert!.title).toBe('"Team 1" is now written back as universalSecurityGroup');
    expect(alert!.before).toMatchObject({ bucket: 'writtenBack', effectiveTargetType: 'universalDistributionGroup' });
    expect(alert!.after).toMatchObject({ bucket: 'writtenBack', effectiveTargetType: 'universalSecurityGroup', onPremisesGroupType: 'universalSecurityGroup' });
    expect(alert!).toMatchObject({ fromScanId: FROM.id, toScanId: TO.id, occurredAt: TO.finishedAt });
  });
});

describe('tenant rules', () => {
  const withContexts = (before: ScanRecord['tenantContext'], after: ScanRecord['tenantContext']) => ({
    fromScan: { ...FROM, tenantContext: before },
    toScan: { ...TO, tenantContext: after },
  });

  it('WBW-A06 fires when NewUnifiedGroupWritebackDefault changes', async () => {
    const { candidates } = await evaluate([], withContexts(tenantContext(), tenantContext({ newUnifiedGroupWritebackDefault: false, newUnifiedGroupWritebackDefaultRaw: 'false', newUnifiedGroupWritebackDefaultSource: 'setting' })));
    expect(candidates.map((c) => c.ruleId)).toEqual(['WBW-A06']);
    expect(candidates[0]!.before).toMatchObject({ newUnifiedGroupWritebackDefault: true });
    expect(candidates[0]!.after).toMatchObject({ newUnifiedGroupWritebackDefault: false, raw: 'false' });
  });

  it('WBW-A06 does not fire when only the raw spelling changes', async () => {
    const { candidates } = await evaluate([], withContexts(tenantContext({ newUnifiedGroupWritebackDefaultRaw: 'true', newUnifiedGroupWritebackDefaultSource: 'setting' }), tenantContext({ newUnifiedGroupWritebackDefaultRaw: 'True', newUnifiedGroupWritebackDefaultSource: 'setting' })));
    expect(candidates).toEqual([]);
  });

  it('WBW-A07 fires when the feature flag switches, not when it becomes known or unknown', async () => {
    const off = await evaluate([], withContexts(tenantContext(), tenantContext({ groupWritebackFeatureEnabled: false })));
    expect(off.candidates.map((c) => c.ruleId)).toEqual(['WBW-A07']);
    expect(off.candidates[0]!.title).toContain('switched off');
    const unknown = await evaluate([], withContexts(tenantContext({ groupWritebackFeatureEnabled: null }), tenantContext({ groupWritebackFeatureEnabled: false })));
    expect(unknown.candidates).toEqual([]);
  });

  it('no tenant alert when a scan has no tenant context', async () => {
    const { candidates } = await evaluate([], withContexts(null, tenantContext({ groupWritebackFeatureEnabled: false })));
    expect(candidates).toEqual([]);
  });
});

describe('expectations', () => {
  const policy = parseAlertPolicy({
    expectations: [
      { id: 'finance-stays-home', description: 'Finance groups are never written back', match: { namePattern: '^finance' }, expect: { bucket: 'notWrittenBack' }, severity: 'high' },
      // Microsoft 365 groups, when written back at all, go as distribution groups.
      { id: 'no-security-m365', match: { kind: 'microsoft365' }, expect: { effectiveTargetTypes: ['universalDistributionGroup', null] } },
    ],
  });

  it('a new violation alerts with the expectation severity', async () => {
    const one = change(m365(1, wb(false), { displayName: 'Finance EU' }), m365(1, wb(true), { displayName: 'Finance EU' }));
    const { candidates } = await evaluate([one], { policy });
    const violation = candidates.find((c) => c.ruleId === 'WBW-A11');
    expect(violation).toMatchObject({ severity: 'high', title: '"Finance EU" breaks expectation "finance-stays-home": Finance groups are never written back' });
    expect(violation!.details).toMatchObject({ expectationId: 'finance-stays-home', failed: ['bucket'], actual: { bucket: 'writtenBack' } });
    expect(candidates.map((c) => c.ruleId).sort()).toEqual(['WBW-A01', 'WBW-A11']);
  });

  it('a violation the group already had does not alert again', async () => {
    // Legacy default → explicitly enabled: breaks finance-stays-home before and after.
    const one = change(m365(1, wb(null), { displayName: 'Finance EU' }), m365(1, wb(true), { displayName: 'Finance EU' }));
    const { candidates } = await evaluate([one], { policy });
    expect(candidates).toEqual([]);
  });

  it('two broken expectations are two alerts with distinct keys; groups that do not match are left alone', async () => {
    const finance = change(m365(1, wb(false), { displayName: 'finance' }), m365(1, wb(true, 'universalSecurityGroup'), { displayName: 'finance' }));
    const other = change(m365(2, wb(false)), m365(2, wb(true)));
    const { candidates } = await evaluate([finance, other], { policy });
    const violations = candidates.filter((c) => c.ruleId === 'WBW-A11');
    expect(violations.map((v) => [v.groupId, v.details.expectationId])).toEqual([
      [groupId(1), 'finance-stays-home'],
      [groupId(1), 'no-security-m365'],
    ]);
    expect(new Set(violations.map((v) => v.id)).size).toBe(2);
    expect(violations[1]!.severity).toBe('medium');
  });
});

describe('approvals', () => {
  const approval = (overrides: Partial<Approval> = {}): Approval => ({
    id: 'a1',
    tenantId: TENANT,
    groupId: groupId(1),
    expect: { effectiveTargetType: 'universalSecurityGroup' },
    requestedBy: { kind: 'legacy', name: 'admin@contoso.example' },
    reason: 'CHG-1 file share access',
    createdAt: new Date('2026-11-20T00:00:00Z'),
    expiresAt: new Date('2026-12-01T00:00:00Z'),
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  });
  const toSecurity = (n: number) => change(m365(n, wb(true)), m365(n, wb(true, 'universalSecurityGroup')));

  it('suppresses exactly the approved change; the same change of another group still alerts', async () => {
    const { candidates, stats } = await evaluate([toSecurity(1), toSecurity(2)], { approvals: [approval()] });
    expect(candidates.map((c) => c.groupId)).toEqual([groupId(2)]);
    expect(stats).toMatchObject({ approvedChanges: 1, approvalsUsed: ['a1'], alertingGroups: 1 });
  });

  it('a different after-state of the approved group still alerts', async () => {
    const other = change(m365(1, wb(true)), m365(1, wb(true, 'universalMailEnabledSecurityGroup')));
    const { candidates } = await evaluate([other], { approvals: [approval()] });
    expect(candidates.map((c) => c.ruleId)).toEqual(['WBW-A04']);
  });

  it('an expired approval suppresses nothing', async () => {
    const { candidates } = await evaluate([toSecurity(1)], { approvals: [approval({ expiresAt: new Date('2026-11-25T02:59:59Z') })] });
    expect(candidates).toHaveLength(1);
  });
});

describe('mass-change guard', () => {
  const policy = parseAlertPolicy({ massChange: { maxShare: 0.05, minGroups: 50, examples: 5 } });
  const enabled = (count: number) => Array.from({ length: count }, (_, i) => change(m365(i + 1, wb(false)), m365(i + 1, wb(true))));
  const summaryOf = (changed: number): DiffSummary => ({
    fromScanId: FROM.id,
    toScanId: TO.id,
    tenantId: TENANT,
    fromStartedAt: FROM.startedAt,
    toStartedAt: TO.startedAt,
    groupsBefore: 1000,
    groupsAfter: 1000,
    changedGroups: changed,
    byType: { added: 0, removed: 0, bucketChanged: changed, targetChanged: 0, configChanged: changed, kindChanged: 0, sourceOfAuthorityChanged: 0, renamed: 0, findingsChanged: 0 },
    tenantChanges: [],
  });

  it('collapses a bulk change into one summary alert with counts and the first examples', async () => {
    const { candidates, stats } = await evaluate(enabled(51), { policy, summary: summaryOf(51) });
    expect(candidates).toHaveLength(1);
    const [summary] = candidates;
    expect(summary).toMatchObject({ ruleId: 'WBW-A15', severity: 'high', groupId: null });
    expect(summary!.details).toMatchObject({ alertingGroups: 51, totalGroups: 1000, byRule: { 'WBW-A01': 51 } });
    expect((summary!.details.examples as unknown[]).length).toBe(5);
    expect(stats.massChange).toBe(true);
  });

  it('at the limit (5% of 1000 = 50 groups) every alert is sent individually', async () => {
    const { candidates } = await evaluate(enabled(50), { policy });
    expect(candidates).toHaveLength(50);
    expect(candidates.every((c) => c.ruleId === 'WBW-A01')).toBe(true);
  });

  it('minGroups keeps a small tenant from collapsing: 10 of 20 groups is not a mass change', async () => {
    const small = { fromScan: scan(FROM.id, { total: 20 }), toScan: scan(TO.id, { total: 20 }) };
    const { candidates } = await evaluate(enabled(10), { policy, ...small });
    expect(candidates).toHaveLength(10);
  });

  it('tenant alerts are still sent individually next to the summary', async () => {
    const { candidates } = await evaluate(enabled(60), { policy, toScan: { ...TO, tenantContext: tenantContext({ groupWritebackFeatureEnabled: false }) } });
    expect(candidates.map((c) => c.ruleId)).toEqual(['WBW-A07', 'WBW-A15']);
  });

  it('approved changes do not count towards the guard', async () => {
    const approvals: Approval[] = Array.from({ length: 10 }, (_, i) => ({
      id: `a${i}`,
      tenantId: TENANT,
      groupId: groupId(i + 1),
      expect: { bucket: 'writtenBack' },
      requestedBy: { kind: 'legacy', name: 'admin' },
      reason: 'bulk enablement',
      createdAt: new Date('2026-11-20T00:00:00Z'),
      expiresAt: new Date('2026-12-01T00:00:00Z'),
      revokedAt: null,
      revokedBy: null,
    }));
    const { candidates, stats } = await evaluate(enabled(55), { policy, approvals });
    expect(stats).toMatchObject({ approvedChanges: 10, alertingGroups: 45, massChange: false });
    expect(candidates).toHaveLength(45);
  });

  it('with the summary under the limit, candidates stream before the changes are exhausted', async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<GroupChange> {
      for (const c of enabled(3)) {
        pulled += 1;
        yield c;
      }
    }
    const generator = evaluateChanges({ policy, tenantId: TENANT, fromScan: FROM, toScan: TO, summary: summaryOf(3), changes: counted(), approvals: [], now: NOW });
    const first = await generator.next();
    expect(first.done).toBe(false);
    expect(pulled).toBe(1);
  });

  it('the guard is off when WBW-A15 is disabled', async () => {
    const noGuard = parseAlertPolicy({ rules: { 'WBW-A15': { enabled: false } } });
    const { candidates } = await evaluate(enabled(60), { policy: noGuard });
    expect(candidates).toHaveLength(60);
  });
});

describe('dedupe keys and baseline', () => {
  const one = change(m365(1, wb(false)), m365(1, wb(true)));

  it('the same evaluation gives the same keys; another scan pair gives others', async () => {
    const a = await evaluate([one]);
    const b = await evaluate([change(m365(1, wb(false)), m365(1, wb(true)))]);
    const c = await evaluate([one], { toScan: scan('20261126T020000Z-cccccc') });
    expect(a.candidates[0]!.dedupeKey).toMatch(/^[0-9a-f]{32}$/);
    expect(b.candidates[0]!.dedupeKey).toBe(a.candidates[0]!.dedupeKey);
    expect(c.candidates[0]!.dedupeKey).not.toBe(a.candidates[0]!.dedupeKey);
    expect(a.candidates[0]!.id).toBe(a.candidates[0]!.dedupeKey);
  });

  it('a different after-state gives a different key', async () => {
    const a = await evaluate([one]);
    const b = await evaluate([change(m365(1, wb(false)), m365(1, wb(null, 'universalDistributionGroup')))]);
    expect(b.candidates[0]!.ruleId).toBe('WBW-A01');
    expect(b.candidates[0]!.dedupeKey).not.toBe(a.candidates[0]!.dedupeKey);
  });

  it('the first scan of a tenant is a silent baseline unless the caller asks to evaluate it', async () => {
    const silent = await evaluate([change(null, m365(1))], { fromScan: null });
    expect(silent.candidates).toEqual([]);
    expect(silent.stats.baseline).toBe(true);
    const evaluated = await evaluate([change(null, m365(1))], { fromScan: null, baseline: 'evaluate' });
    expect(evaluated.candidates.map((c) => [c.ruleId, c.fromScanId])).toEqual([['WBW-A01', null]]);
  });
});

describe('scan health', () => {
  const HOUR = 3_600_000;
  const last = scan('20261124T020000Z-aaaaaa'); // finished 02:10
  const window = 26 * HOUR;

  it('a failed scan alerts with its reason, once per scan id', () => {
    const failed = scan('20261125T020000Z-ffffff', { status: 'failed', error: 'Graph answered 403: Group.Read.All missing' });
    const input = { tenantId: TENANT, lastCompleteScan: last, latestScan: failed, now: new Date('2026-11-25T03:00:00Z'), missedScanMs: window };
    const [alert, ...rest] = evaluateScanHealth(input);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ ruleId: 'WBW-A12', severity: 'high', toScanId: failed.id, title: `Scan ${failed.id} failed: Graph answered 403: Group.Read.All missing` });
    expect(evaluateScanHealth({ ...input, now: new Date('2026-11-25T05:00:00Z') })[0]!.id).toBe(alert!.id);
    const another = scan('20261125T040000Z-eeeeee', { status: 'failed', error: 'x' });
    expect(evaluateScanHealth({ ...input, latestScan: another })[0]!.id).not.toBe(alert!.id);
  });

  it('a complete or running latest scan is not a failure', () => {
    const input = { tenantId: TENANT, lastCompleteScan: last, now: new Date('2026-11-24T12:00:00Z'), missedScanMs: window };
    expect(evaluateScanHealth({ ...input, latestScan: last })).toEqual([]);
    expect(evaluateScanHealth({ ...input, latestScan: scan('20261124T110000Z-dddddd', { status: 'running', finishedAt: null }) })).toEqual([]);
  });

  it('a missed window alerts once, keyed on the last complete scan', () => {
    const base = { tenantId: TENANT, lastCompleteScan: last, latestScan: last, missedScanMs: window };
    expect(evaluateScanHealth({ ...base, now: new Date(last.finishedAt!.getTime() + window) })).toEqual([]);
    const first = evaluateScanHealth({ ...base, now: new Date(last.finishedAt!.getTime() + window + 1) });
    const later = evaluateScanHealth({ ...base, now: new Date(last.finishedAt!.getTime() + 3 * window) });
    expect(first.map((c) => c.ruleId)).toEqual(['WBW-A13']);
    expect(later[0]!.id).toBe(first[0]!.id);
    expect(first[0]!.occurredAt).toEqual(new Date(last.finishedAt!.getTime() + window));
    const newer = scan('20261126T020000Z-cccccc');
    const next = evaluateScanHealth({ ...base, lastCompleteScan: newer, latestScan: newer, now: new Date(newer.finishedAt!.getTime() + window + 1) });
    expect(next[0]!.id).not.toBe(first[0]!.id);
  });

  it('with no complete scan ever, the window starts at the first scan; with no scan at all nothing alerts', () => {
    const running = scan('20261124T020000Z-aaaaaa', { status: 'failed', error: 'boom' });
    const alerts = evaluateScanHealth({ tenantId: TENANT, lastCompleteScan: null, latestScan: running, now: new Date('2026-11-26T02:00:00Z'), missedScanMs: window });
    expect(alerts.map((c) => c.ruleId)).toEqual(['WBW-A12', 'WBW-A13']);
    expect(evaluateScanHealth({ tenantId: TENANT, lastCompleteScan: null, latestScan: null, now: NOW, missedScanMs: window })).toEqual([]);
  });

  it('disabled health rules stay quiet', () => {
    const policy = parseAlertPolicy({ rules: { 'WBW-A12': { enabled: false }, 'WBW-A13': { enabled: false } } });
    const failed = scan('20261125T020000Z-ffffff', { status: 'failed', error: 'x' });
    expect(evaluateScanHealth({ policy, tenantId: TENANT, lastCompleteScan: last, latestScan: failed, now: new Date('2026-12-25T00:00:00Z'), missedScanMs: window })).toEqual([]);
  });
});
