/**
 * What a scan's Cloud Sync context says, in the words the scan summary, the report's Summary sheet and the
 * API share: one line per job, the warnings (a quarantined or paused job: a tenant-level finding), and why
 * the context is unknown, naming the permission to grant.
 */
import { describeContainer, describeScope } from '../diff/diffCloudSync';
import type { CloudSyncContext, CloudSyncJob } from '../model';

export interface CloudSyncSummary {
  /** One line on the whole context. */
  headline: string;
  /** One line per group-provisioning job. */
  jobs: string[];
  /** Tenant-level findings: jobs quarantined or paused, whose groups are no longer updated in AD. */
  warnings: string[];
  missingPermissions: string[];
}

export function summarizeCloudSync(context: CloudSyncContext | null | undefined): CloudSyncSummary {
  if (!context) return { headline: 'not read (the scan was stored before Cloud Sync was read)', jobs: [], warnings: [], missingPermissions: [] };
  const headline =
    context.status === 'unknown'
      ? `UNKNOWN: ${context.unknownReason ?? 'not read completely'} No group is called "not provisioned" for lack of this data.`
      : context.status === 'notConfigured'
        ? 'no group provisioning (Entra to AD) configuration found'
        : `${context.jobs.length} group provisioning job${context.jobs.length === 1 ? '' : 's'}`;
  return { headline, jobs: context.jobs.map(jobLine), warnings: context.jobs.flatMap(jobWarning), missingPermissions: [...context.missingPermissions] };
}

function jobLine(job: CloudSyncJob): string {
  const assigned = job.scope.mode === 'selectedGroups' ? `, ${job.assignedGroupIds === null ? 'assigned groups unknown' : `${job.assignedGroupIds.length} groups assigned`}` : '';
  return [
    `${job.configurationName ?? job.servicePrincipalId}${job.domain ? ` → ${job.domain}` : ''}: ${job.statusCode ?? 'no status'}`,
    `schedule ${job.scheduleState ?? 'unknown'}`,
    job.groupMappingEnabled ? `scope ${describeScope(job.scope)}${assigned}` : 'group mapping DISABLED (provisions no groups)',
    `container ${describeContainer(job.container)}`,
    `last successful run ${job.lastSuccessfulRun ?? 'never'}`,
  ].join('; ');
}

function jobWarning(job: CloudSyncJob): string[] {
  const name = job.configurationName ?? job.servicePrincipalId;
  if (job.quarantined) {
    return [`Cloud Sync job ${name} (${job.jobId}) is in quarantine${job.quarantineReason ? ` (${job.quarantineReason})` : ''}: the groups in its scope are no longer updated in AD.`];
  }
  if (job.statusCode?.toLowerCase() === 'paused') return [`Cloud Sync job ${name} (${job.jobId}) is paused: the groups in its scope are no longer updated in AD.`];
  return [];
}
