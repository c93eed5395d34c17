/**
 * Changes of the Cloud Sync configuration between two scans: a job's status, schedule, quarantine, group
 * mapping, scope (mode or filter), assignments and target container. Pure. What one side could not read is
 * not compared (a missing permission is not a change of configuration), except that the context's status
 * changing is itself reported, so a permission taken away is seen.
 */
import type { CloudSyncChange, CloudSyncContainer, CloudSyncContext, CloudSyncJob, CloudSyncScope } from '../model';

/** Group ids listed in one groupsAssigned / groupsUnassigned change; the count is always whole. */
export const CLOUD_SYNC_CHANGE_MAX_IDS = 1_000;

export function diffCloudSync(before: CloudSyncContext | null, after: CloudSyncContext | null): CloudSyncChange[] {
  if (!before || !after) return []; // a scan stored before Cloud Sync was read: nothing to compare with
  const changes: CloudSyncChange[] = [];
  if (before.status !== after.status) {
    changes.push({ kind: 'contextStatusChanged', jobId: null, servicePrincipalId: null, configurationName: null, before: before.status, after: after.status });
  }
  const key = (job: CloudSyncJob): string => `${job.servicePrincipalId.toLowerCase()}|${job.jobId}`;
  const old = new Map(before.jobs.map((job) => [key(job), job]));
  const now = new Map(after.jobs.map((job) => [key(job), job]));
  // An unknown context may lack jobs it could not read: only two complete readings say a job came or went.
  const complete = before.status !== 'unknown' && after.status !== 'unknown';
  for (const [id, job] of now) {
    const was = old.get(id);
    if (was) changes.push(...jobChanges(was, job));
    else if (complete) changes.push(change('jobAdded', job, null, describeJob(job)));
  }
  if (complete) for (const [id, job] of old) if (!now.has(id)) changes.push(change('jobRemoved', job, describeJob(job), null));
  return changes;
}

function jobChanges(before: CloudSyncJob, after: CloudSyncJob): CloudSyncChange[] {
  const out: CloudSyncChange[] = [];
  const compare = (kind: CloudSyncChange['kind'], a: string | null, b: string | null): void => {
    if (a !== b) out.push(change(kind, after, a, b));
  };
  compare('jobStatusChanged', before.statusCode, after.statusCode);
  compare('jobScheduleChanged', before.scheduleState, after.scheduleState);
  compare('jobQuarantineChanged', quarantineText(before), quarantineText(after));
  compare('groupMappingChanged', before.groupMappingEnabled ? 'enabled' : 'disabled', after.groupMappingEnabled ? 'enabled' : 'disabled');
  if (before.scope.mode !== after.scope.mode) compare('scopeModeChanged', before.scope.mode, after.scope.mode);
  else compare('scopeFilterChanged', describeScope(before.scope), describeScope(after.scope));
  compare('containerChanged', describeContainer(before.container), describeContainer(after.container));
  // Assignments are compared only where both scans read them (null: not read or not meaningful).
  if (before.assignedGroupIds && after.assignedGroupIds) {
    const [added, removed] = sortedDifference(before.assignedGroupIds, after.assignedGroupIds);
    if (added.length > 0) out.push(groupsChange('groupsAssigned', after, added));
    if (removed.length > 0) out.push(groupsChange('groupsUnassigned', after, removed));
  }
  return out;
}

function change(kind: CloudSyncChange['kind'], job: CloudSyncJob, before: string | null, after: string | null): CloudSyncChange {
  return { kind, jobId: job.jobId, servicePrincipalId: job.servicePrincipalId, configurationName: job.configurationName, before, after };
}

function groupsChange(kind: 'groupsAssigned' | 'groupsUnassigned', job: CloudSyncJob, ids: string[]): CloudSyncChange {
  return { ...change(kind, job, null, null), groupCount: ids.length, groupIds: ids.slice(0, CLOUD_SYNC_CHANGE_MAX_IDS) };
}

/** Ids only in `after`, and only in `before`; both lists are sorted (the reader records them sorted). */
function sortedDifference(before: readonly string[], after: readonly string[]): [string[], string[]] {
  const was = new Set(before);
  const is = new Set(after);
  return [after.filter((id) => !was.has(id)), before.filter((id) => !is.has(id))];
}

function quarantineText(job: CloudSyncJob): string | null {
  if (!job.quarantined) return null;
  return job.quarantineReason ? `quarantined (${job.quarantineReason})` : 'quarantined';
}

export function describeJob(job: CloudSyncJob): string {
  return `${job.jobId} (${job.statusCode ?? 'no status'}${job.domain ? `, ${job.domain}` : ''})`;
}

export function describeScope(scope: CloudSyncScope): string {
  if (scope.mode !== 'attributeFilter') return scope.mode === 'selectedGroups' ? 'selected groups (assigned to the configuration)' : 'all cloud security groups';
  const groups = scope.filterGroups.map((clauses) =>
    clauses.map((c) => `${c.sourceAttributeName} ${c.operatorName}${c.values.length > 0 ? ` ${c.values.map((v) => JSON.stringify(v)).join(', ')}` : ''}`).join(' AND '),
  );
  return `attribute filter: ${groups.map((g) => (groups.length > 1 ? `(${g})` : g)).join(' OR ')}`;
}

export function describeContainer(container: CloudSyncContainer): string {
  switch (container.kind) {
    case 'constant':
      return container.distinguishedName;
    case 'default':
      return `${container.distinguishedName ?? 'CN=Users of the domain'} (default)`;
    case 'expression':
      return `expression ${container.expression}`;
  }
}
