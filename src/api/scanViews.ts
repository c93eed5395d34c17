/** JSON shapes the API returns for scans (stable field names; dates as ISO strings). */
import type { StoredScan } from '../store/scanStore';

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
    pages: scan.pages,
    retries: scan.retries,
    resumes: scan.resumes,
    mode: scan.mode,
    baseScanId: scan.baseScanId,
    error: scan.error,
  };
}
