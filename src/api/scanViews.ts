/** JSON shapes the API returns for scans (stable field names; dates as ISO strings). */
import type { StoredScan } from '../store/scanStore';
import type { CloudSyncContext } from '../model';
import { summarizeCloudSync } from '../report/cloudSyncText';

export function scanView(scan: StoredScan): Record<string, unknown> {
  return {
    id: scan.id,
    tenantId: scan.tenantId,
    status: scan.status,
    trigger: scan.trigger,
    startedAt: scan.startedAt.toISOString(),
    finishedAt: scan.finishedAt?.toISOString() ?? null,
    counts: scan.status === 'running' ? (scan.checkpoint?.counts ?? scan.counts) : scan.counts,
    tenantContext: scan.tenantContext && { ...scan.tenantContext, cloudSync: compactCloudSync(scan.tenantContext.cloudSync) },
    // What Cloud Sync said, in words, with the optional permissions whose absence left it unknown.
    cloudSync: scan.tenantContext ? summarizeCloudSync(scan.tenantContext.cloudSync) : null,
    missingPermissions: scan.tenantContext?.cloudSync?.missingPermissions ?? [],
    pages: scan.pages,
    retries: scan.retries,
    resumes: scan.resumes,
    mode: scan.mode,
    baseScanId: scan.baseScanId,
    error: scan.error,
  };
}

/**
 * Cloud Sync as the API shows it: each job's assigned groups as a count, not the list (up to 10,000 ids per
 * job, in every scan of a scan list); each group's own verdict says whether Cloud Sync provisions it.
 */
function compactCloudSync(context: CloudSyncContext | null | undefined): unknown {
  if (!context) return null;
  return {
    ...context,
    jobs: context.jobs.map(({ assignedGroupIds, ...job }) => ({ ...job, assignedGroupCount: assignedGroupIds === null ? null : assignedGroupIds.length })),
  };
}
