/** The plain-text scan summary the CLI and the local run print. */
import type { ScanCounts } from '../model';
import type { StoredScan } from '../store/scanStore';
import { FINDINGS, FINDING_NAMES } from '../classify/findings';
import { BUCKETS, GROUP_KINDS } from '../classify/vocabulary';
import { summarizeCloudSync } from '../report/cloudSyncText';
import { engineListText, engineNamesText, enginesOf } from '../report/engineCells';

const pad = (text: string | number, width: number): string => String(text).padStart(width);

export function formatScanSummary(scan: StoredScan): string {
  const counts: ScanCounts = scan.counts;
  const seconds = scan.finishedAt ? ((scan.finishedAt.getTime() - scan.startedAt.getTime()) / 1000).toFixed(1) : '?';
  const context = scan.tenantContext;
  const lines = [
    `Scan ${scan.id} of tenant ${scan.tenantId}: ${scan.status}${scan.error ? ` (${scan.error})` : ''}`,
    `  ${counts.total} groups in ${scan.pages} pages, ${seconds} s, ${scan.retries} retries${scan.resumes ? `, resumed ${scan.resumes}x` : ''}`,
  ];
  const engines = enginesOf(counts);
  lines.push(`  Writeback engines assumed: ${engineListText(engines)} (${engineNamesText(engines)})`);
  if (counts.newlyWrittenBackUnderV1 !== undefined) {
    lines.push(`  If Connect Sync fell back to group writeback v1: ${counts.newlyWrittenBackUnderV1} more groups written back (whatif --engines ${engineListText(engines.map((e) => (e === 'connectSyncV2' ? 'connectSyncV1' : e)))} lists them)`);
  }
  if (context) {
    lines.push(
      `  Tenant default NewUnifiedGroupWritebackDefault: ${context.newUnifiedGroupWritebackDefault} (${context.newUnifiedGroupWritebackDefaultSource}${context.newUnifiedGroupWritebackDefaultRaw !== null ? `, raw "${context.newUnifiedGroupWritebackDefaultRaw}"` : ''})`,
      `  Tenant group writeback feature: ${context.groupWritebackFeatureEnabled === null ? `unknown${context.groupWritebackFeatureUnknownReason ? ` (${context.groupWritebackFeatureUnknownReason})` : ''}` : context.groupWritebackFeatureEnabled ? 'on' : 'OFF - nothing is actually written back'}`,
    );
    const cloudSync = summarizeCloudSync(context.cloudSync);
    lines.push(`  Cloud Sync: ${cloudSync.headline}`, ...cloudSync.jobs.map((job) => `    ${job}`), ...cloudSync.warnings.map((warning) => `  WARNING: ${warning}`));
    if (cloudSync.missingPermissions.length > 0) lines.push(`  Missing Graph permissions: ${cloudSync.missingPermissions.join(', ')}`);
  }
  lines.push('', `  ${'bucket'.padEnd(16)}${GROUP_KINDS.map((k) => pad(k, 20)).join('')}${pad('total', 10)}`);
  for (const bucket of BUCKETS) {
    lines.push(`  ${bucket.padEnd(16)}${GROUP_KINDS.map((k) => pad(counts.byBucketAndKind[bucket][k], 20)).join('')}${pad(counts.byBucket[bucket], 10)}`);
  }
  lines.push(`  ${'total'.padEnd(16)}${GROUP_KINDS.map((k) => pad(counts.byKind[k], 20)).join('')}${pad(counts.total, 10)}`, '', '  Findings:');
  const found = FINDING_NAMES.filter((name) => (counts.byFinding[name] ?? 0) > 0);
  if (found.length === 0) lines.push('    none');
  for (const name of found) {
    const finding = FINDINGS[name];
    lines.push(`    ${finding.id} ${finding.severity.padEnd(6)} ${pad(counts.byFinding[name] ?? 0, 7)}  ${finding.title}`);
  }
  return lines.join('\n');
}
