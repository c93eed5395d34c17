/** Plain-text diff summary for the CLI and the demo. */
import type { DiffSummary, GroupChange } from '../model';

export function formatDiffSummary(summary: DiffSummary): string {
  const lines = [`Changes from ${summary.fromScanId} to ${summary.toScanId}: ${summary.changedGroups} groups changed (${summary.groupsBefore} → ${summary.groupsAfter} groups)`];
  for (const [type, count] of Object.entries(summary.byType)) if (count > 0) lines.push(`  ${type.padEnd(26)}${String(count).padStart(7)}`);
  for (const change of summary.tenantChanges) lines.push(`  tenant ${change.field}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`);
  for (const change of summary.cloudSyncChanges ?? []) {
    const what = change.groupCount !== undefined ? `${change.groupCount} groups` : `${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`;
    lines.push(`  Cloud Sync ${change.kind}${change.jobId ? ` ${change.configurationName ?? change.jobId}` : ''}: ${what}`);
  }
  return lines.join('\n');
}

export function formatChange(change: GroupChange): string {
  const b = change.before;
  const a = change.after;
  const state = (g: typeof a): string => (g ? `${g.bucket}${g.effectiveTargetType ? `/${g.effectiveTargetType}` : ''}` : 'absent');
  return `  ${change.types.join('+').padEnd(34)} ${(change.displayName ?? change.groupId).slice(0, 40).padEnd(40)} ${state(b)} → ${state(a)}${change.approvalId ? `  (approved: ${change.approvalId})` : ''}`;
}
