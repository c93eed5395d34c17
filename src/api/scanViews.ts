/** JSON shapes the API returns for scans (stable field names; dates as ISO strings). */
import type { StoredScan } from '../store/scanStore';
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
    tenantContext: scan.tenantContext,
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
