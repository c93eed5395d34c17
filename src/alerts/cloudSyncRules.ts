/**
 * The Cloud Sync alert rules (cloudSyncJobStopped, cloudSyncScopeChanged, cloudSyncAssignmentChanged,
 * cloudSyncContainerChanged: WBW-A16..A19), decided from the Cloud Sync changes between two scans
 * (src/diff/diffCloudSync.ts). Pure. A job one scan could not read is not compared, so a permission taken
 * away does not alert as a configuration change (the scan summary names the missing permission instead).
 */
import { diffCloudSync } from '../diff/diffCloudSync';
import type { CloudSyncChange, CloudSyncContext } from '../model';
import type { AlertState } from './candidate';
import { ALERT_RULES, type AlertRuleId } from './rules';

/** Group ids an assignment alert lists; the count is always whole. */
const LISTED_GROUPS = 50;

export interface CloudSyncHit {
  ruleId: AlertRuleId;
  title: string;
  before: AlertState | null;
  after: AlertState | null;
  details: Record<string, unknown>;
  /** One job can raise one rule twice in a scan (e.g. groups assigned and others unassigned). */
  discriminator: string;
}

const STOPPED = new Set(['paused', 'quarantine']);

export function cloudSyncCandidates(before: CloudSyncContext | null, after: CloudSyncContext | null): CloudSyncHit[] {
  const hits: CloudSyncHit[] = [];
  for (const change of diffCloudSync(before, after)) {
    const hit = hitOf(change);
    if (hit) hits.push(hit);
  }
  return hits;
}

function jobName(change: CloudSyncChange): string {
  return change.configurationName ? `${change.configurationName} (${change.jobId})` : String(change.jobId);
}

function state(change: CloudSyncChange, value: string | null): AlertState {
  return { jobId: change.jobId, servicePrincipalId: change.servicePrincipalId, value };
}

function hitOf(change: CloudSyncChange): CloudSyncHit | null {
  const base = {
    before: state(change, change.before),
    after: state(change, change.after),
    details: { change: change.kind, jobId: change.jobId, servicePrincipalId: change.servicePrincipalId },
    discriminator: `${change.jobId}|${change.kind}`,
  };
  switch (change.kind) {
    case 'jobStatusChanged':
      // Into Paused only (entering quarantine is the quarantine change below); leaving is good news, in the diff.
      if (change.after?.toLowerCase() !== 'paused' || STOPPED.has((change.before ?? '').toLowerCase())) return null;
      return { ...base, ruleId: ALERT_RULES.cloudSyncJobStopped.id, title: `Cloud Sync job ${jobName(change)} was paused: group changes no longer reach AD` };
    case 'jobQuarantineChanged':
      if (change.before !== null || change.after === null) return null;
      return { ...base, ruleId: ALERT_RULES.cloudSyncJobStopped.id, title: `Cloud Sync job ${jobName(change)} is ${change.after}: group changes no longer reach AD` };
    case 'scopeModeChanged':
      return { ...base, ruleId: ALERT_RULES.cloudSyncScopeChanged.id, title: `Cloud Sync job ${jobName(change)} now scopes ${change.after}, was ${change.before}` };
    case 'scopeFilterChanged':
      return { ...base, ruleId: ALERT_RULES.cloudSyncScopeChanged.id, title: `Cloud Sync job ${jobName(change)}: scoping filter changed` };
    case 'groupsAssigned':
    case 'groupsUnassigned': {
      const count = change.groupCount ?? 0;
      const verb = change.kind === 'groupsAssigned' ? 'assigned to' : 'unassigned from';
      const listed = (change.groupIds ?? []).slice(0, LISTED_GROUPS);
      return {
        ...base,
        before: null,
        after: { jobId: change.jobId, servicePrincipalId: change.servicePrincipalId, change: change.kind, groups: listed, count },
        ruleId: ALERT_RULES.cloudSyncAssignmentChanged.id,
        title: `${count} group${count === 1 ? '' : 's'} ${verb} Cloud Sync configuration ${jobName(change)}`,
        details: { ...base.details, groupCount: count, groupIds: listed },
      };
    }
    case 'containerChanged':
      return { ...base, ruleId: ALERT_RULES.cloudSyncContainerChanged.id, title: `Cloud Sync job ${jobName(change)} now provisions groups into ${change.after}` };
    default:
      return null;
  }
}
