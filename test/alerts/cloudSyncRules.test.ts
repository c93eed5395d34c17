/** The Cloud Sync alert rules WBW-A16..A19, through evaluateChanges as the alert stage runs them. */
import { describe, expect, it } from 'vitest';
import { collectEvaluation } from '../../src/alerts/evaluate';
import { DEFAULT_ALERT_POLICY, parseAlertPolicy, type AlertPolicy } from '../../src/alerts/policy';
import type { CloudSyncContext } from '../../src/model';
import { FROM, NOW, TENANT, TO, stream, tenantContext } from './fixtures';
import { cloudSyncContext, cloudSyncJob } from '../helpers/cloudSync';

async function alerts(before: CloudSyncContext | null, after: CloudSyncContext | null, policy: AlertPolicy = DEFAULT_ALERT_POLICY) {
  const { candidates } = await collectEvaluation({
    policy,
    tenantId: TENANT,
    fromScan: { ...FROM, tenantContext: tenantContext({ cloudSync: before }) },
    toScan: { ...TO, tenantContext: tenantContext({ cloudSync: after }) },
    changes: stream([]),
    approvals: [],
    now: NOW,
  });
  return candidates;
}

const quarantined = cloudSyncJob({ statusCode: 'Quarantine', scheduleState: 'Disabled', quarantined: true, quarantineReason: 'EncounteredQuarantineException' });
const paused = cloudSyncJob({ statusCode: 'Paused', scheduleState: 'Disabled' });
const id = (n: number) => `33333333-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('Cloud Sync alert rules', () => {
  it('WBW-A16 fires once when a job goes into quarantine, naming the configuration and the reason', async () => {
    const candidates = await alerts(cloudSyncContext(), cloudSyncContext([quarantined]));
    expect(candidates.map((c) => c.ruleId)).toEqual(['WBW-A16']);
    expect(candidates[0]!.title).toBe(`Cloud Sync job contoso.com (${quarantined.jobId}) is quarantined (EncounteredQuarantineException): group changes no longer reach AD`);
    expect(candidates[0]).toMatchObject({ severity: 'high', groupId: null });
  });

  it('WBW-A16 fires when a job is paused, not when it stays paused or resumes', async () => {
    expect((await alerts(cloudSyncContext(), cloudSyncContext([paused]))).map((c) => c.ruleId)).toEqual(['WBW-A16']);
    expect(await alerts(cloudSyncContext([paused]), cloudSyncContext([paused]))).toEqual([]);
    expect(await alerts(cloudSyncContext([paused]), cloudSyncContext())).toEqual([]);
  });

  it('WBW-A17 fires on a scope mode change and on a filter change', async () => {
    const filter = (value: string) => cloudSyncJob({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'displayName', operatorName: 'EQUALS', values: [value] }]] }, assignedGroupIds: null });
    const mode = await alerts(cloudSyncContext(), cloudSyncContext([filter('Sales')]));
    expect(mode.map((c) => c.ruleId)).toEqual(['WBW-A17']);
    expect(mode[0]!.title).toContain('now scopes attributeFilter, was selectedGroups');
    const clause = await alerts(cloudSyncContext([filter('Sales')]), cloudSyncContext([filter('Finance')]));
    expect(clause.map((c) => c.ruleId)).toEqual(['WBW-A17']);
    expect(clause[0]!.before).toMatchObject({ value: 'attribute filter: displayName EQUALS "Sales"' });
    expect(clause[0]!.after).toMatchObject({ value: 'attribute filter: displayName EQUALS "Finance"' });
  });

  it('WBW-A18 fires once for the groups assigned and once for those unassigned, with count and ids', async () => {
    const candidates = await alerts(cloudSyncContext([cloudSyncJob({ assignedGroupIds: [id(1), id(2)] })]), cloudSyncContext([cloudSyncJob({ assignedGroupIds: [id(2), id(3), id(4)] })]));
    expect(candidates.map((c) => [c.ruleId, c.title])).toEqual([
      ['WBW-A18', `2 groups assigned to Cloud Sync configuration contoso.com (${cloudSyncJob().jobId})`],
      ['WBW-A18', `1 group unassigned from Cloud Sync configuration contoso.com (${cloudSyncJob().jobId})`],
    ]);
    expect(candidates[0]!.details).toMatchObject({ groupCount: 2, groupIds: [id(3), id(4)] });
    expect(new Set(candidates.map((c) => c.id)).size).toBe(2);
  });

  it('WBW-A19 fires when the target container changes', async () => {
    const candidates = await alerts(cloudSyncContext(), cloudSyncContext([cloudSyncJob({ container: { kind: 'constant', distinguishedName: 'OU=Elsewhere,DC=contoso,DC=com' } })]));
    expect(candidates.map((c) => c.ruleId)).toEqual(['WBW-A19']);
    expect(candidates[0]!.title).toContain('now provisions groups into OU=Elsewhere,DC=contoso,DC=com');
    expect(candidates[0]!.severity).toBe('medium');
  });

  it('does not alert when a permission went missing, nor against a scan stored before Cloud Sync was read', async () => {
    const unknown = cloudSyncContext([], { status: 'unknown', missingPermissions: ['Synchronization.Read.All'], unknownReason: 'refused' });
    expect(await alerts(cloudSyncContext(), unknown)).toEqual([]);
    expect(await alerts(null, cloudSyncContext([quarantined]))).toEqual([]);
  });

  it('follows the policy: a disabled rule is silent, a severity override applies', async () => {
    const policy = parseAlertPolicy({ rules: { 'WBW-A16': { enabled: false }, 'WBW-A19': { severity: 'high' } } });
    const candidates = await alerts(cloudSyncContext(), cloudSyncContext([{ ...quarantined, container: { kind: 'constant', distinguishedName: 'OU=X' } }]), policy);
    expect(candidates.map((c) => [c.ruleId, c.severity])).toEqual([['WBW-A19', 'high']]);
  });
});
