/**
 * The Excel report of a diff between two scans: Summary (scans, counts by change type, tenant setting
 * changes) and Changes (one row per changed group with before and after values side by side). The summary
 * is counted before the report is written (DiffAccumulator), so the Changes sheet streams in one pass.
 */
import type { Writable } from 'node:stream';
import { FINDINGS } from '../classify';
import { CHANGE_TYPES, isSuspiciousTypeReset } from '../diff/compareGroups';
import type { ClassifiedGroup, DiffSummary, FindingName, GroupChange, TenantContextChange, WritebackEngine } from '../model';
import { engineListText, engineVerdictsText } from './engineCells';
import { EMPTY, STYLES, bucket, count, date, flag, raw, text, type ReportCell } from './cells';
import { groupLinker } from './entraLinks';
import { attributionText, changedByText } from '../attribution/present';
import { StreamingWorkbook, type ColumnSpec, type ReportSheet } from './streamingWorkbook';

export interface DiffReportInput {
  summary: DiffSummary;
  /** The changes of the diff, in any order; read once. */
  changes: () => AsyncIterable<GroupChange>;
  /** Base URL of the Entra admin center for group links (default https://entra.microsoft.com). */
  entraPortalBaseUrl?: string;
  /** The engines each side's verdicts assume, stated on the Summary. */
  engines?: { from: readonly WritebackEngine[]; to: readonly WritebackEngine[] };
  /** Title of the Summary sheet (a what-if names itself). */
  title?: string;
  /** Called with the number of Changes rows written so far, after each one (for a progress line). */
  onProgress?: (rows: number) => void;
}

export const DIFF_REPORT_SHEETS = { summary: 'Summary', changes: 'Changes' } as const;

export const CHANGE_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Group id', width: 38 },
  { header: 'Name', width: 36 },
  { header: 'Change types', width: 36 },
  { header: 'Target type reset to null', width: 12 },
  { header: 'Bucket before', width: 16 },
  { header: 'Bucket after', width: 16 },
  { header: 'Target before', width: 30 },
  { header: 'Target after', width: 30 },
  { header: 'isEnabled before (raw)', width: 12 },
  { header: 'isEnabled after (raw)', width: 12 },
  { header: 'onPremisesGroupType before (raw)', width: 30 },
  { header: 'onPremisesGroupType after (raw)', width: 30 },
  { header: 'Kind before', width: 18 },
  { header: 'Kind after', width: 18 },
  { header: 'Source of authority before', width: 18 },
  { header: 'Source of authority after', width: 18 },
  { header: 'Name before', width: 30 },
  { header: 'Name after', width: 30 },
  { header: 'Engine verdicts before', width: 60 },
  { header: 'Engine verdicts after', width: 60 },
  { header: 'Findings added', width: 48 },
  { header: 'Findings removed', width: 48 },
  { header: 'Approval id', width: 38 },
  { header: 'Changed by', width: 48 },
  { header: 'Attribution', width: 60 },
  { header: 'Entra admin center', width: 16 },
];

const SUMMARY_COLUMNS: readonly ColumnSpec[] = [
  { header: '', width: 40 },
  { header: '', width: 28 },
  { header: '', width: 28 },
];

const TENANT_FIELD_LABELS: Record<TenantContextChange['field'], string> = {
  newUnifiedGroupWritebackDefault: 'NewUnifiedGroupWritebackDefault (effective)',
  newUnifiedGroupWritebackDefaultRaw: 'NewUnifiedGroupWritebackDefault (raw value)',
  newUnifiedGroupWritebackDefaultSource: 'NewUnifiedGroupWritebackDefault (source)',
  groupWritebackFeatureEnabled: 'Group writeback feature (tenant)',
  groupWritebackFeatureUnknownReason: 'Group writeback feature: why unknown',
  lastDirectorySyncDateTime: 'Last directory sync',
  cloudSync: 'Cloud Sync',
};

/** Writes the report to `out` and resolves once `out` has finished; on failure `out` is left for the caller to destroy. */
export async function writeDiffReport(out: Writable, input: DiffReportInput): Promise<{ rows: number }> {
  const link = groupLinker(input.entraPortalBaseUrl);
  const workbook = new StreamingWorkbook(out);

  await writeSummary(workbook.addSheet(DIFF_REPORT_SHEETS.summary, { columns: SUMMARY_COLUMNS, header: false }), input);

  const sheet = workbook.addSheet(DIFF_REPORT_SHEETS.changes, { columns: CHANGE_COLUMNS, header: true });
  for await (const change of input.changes()) {
    await sheet.add(changeRow(change, link));
    input.onProgress?.(sheet.rows);
  }
  sheet.commit();

  await workbook.commit();
  return { rows: sheet.rows };
}

/** One Changes row, in CHANGE_COLUMNS order. */
export function changeRow(change: GroupChange, link: (groupId: string) => ReportCell): ReportCell[] {
  const { before, after } = change;
  const side = (group: ClassifiedGroup | null, value: (g: ClassifiedGroup) => ReportCell): ReportCell =>
    group === null ? EMPTY : value(group);
  return [
    text(change.groupId),
    text(change.displayName),
    text(CHANGE_TYPES.filter((type) => change.types.includes(type)).join(', ')),
    flag(isSuspiciousTypeReset(change)),
    side(before, (g) => bucket(g.bucket)),
    side(after, (g) => bucket(g.bucket)),
    side(before, (g) => text(g.effectiveTargetType ?? 'none')),
    side(after, (g) => text(g.effectiveTargetType ?? 'none')),
    side(before, (g) => raw(g.raw.isEnabled)),
    side(after, (g) => raw(g.raw.isEnabled)),
    side(before, (g) => raw(g.raw.onPremisesGroupType)),
    side(after, (g) => raw(g.raw.onPremisesGroupType)),
    side(before, (g) => text(g.kind)),
    side(after, (g) => text(g.kind)),
    side(before, (g) => text(g.sourceOfAuthority)),
    side(after, (g) => text(g.sourceOfAuthority)),
    side(before, (g) => text(g.displayName)),
    side(after, (g) => text(g.displayName)),
    side(before, (g) => text(engineVerdictsText(g.engines))),
    side(after, (g) => text(engineVerdictsText(g.engines))),
    text(findingList(change.findingsAdded)),
    text(findingList(change.findingsRemoved)),
    text(change.approvalId ?? null),
    text(changedByText(change.attribution)),
    text(attributionText(change.attribution)),
    // A deleted group has no page to open.
    after === null ? EMPTY : link(change.groupId),
  ];
}

function findingList(names: readonly FindingName[]): string {
  return names.map((name) => `${FINDINGS[name].id} ${FINDINGS[name].title}`).join('; ');
}

async function writeSummary(sheet: ReportSheet, input: DiffReportInput): Promise<void> {
  const summary = input.summary;
  const pair = (label: string, value: ReportCell, note: ReportCell = EMPTY): Promise<void> =>
    sheet.add([text(label, STYLES.label), value, note]);
  const blank = (): Promise<void> => sheet.add([]);

  await sheet.add([text(input.title ?? 'Writeback Watch: changes between two scans', STYLES.title)]);
  await sheet.add([text('Every verdict in this report is per Entra configuration.')]);
  await blank();
  await pair('Tenant', text(summary.tenantId));
  await sheet.add(['', 'From', 'To'].map((title) => (title === '' ? EMPTY : text(title, STYLES.header))));
  await pair('Scan id', text(summary.fromScanId), text(summary.toScanId));
  await pair('Scan started (UTC)', date(summary.fromStartedAt), date(summary.toStartedAt));
  await pair('Groups', count(summary.groupsBefore), count(summary.groupsAfter));
  if (input.engines) await pair('Writeback engines assumed', text(engineListText(input.engines.from)), text(engineListText(input.engines.to)));
  await blank();

  await pair('Changed groups', count(summary.changedGroups));
  await sheet.add(['Change type', 'Groups'].map((title) => text(title, STYLES.header)));
  for (const type of CHANGE_TYPES) await sheet.add([text(type), count(summary.byType[type])]);
  await blank();

  await sheet.add([text('Tenant writeback settings', STYLES.label)]);
  if (summary.tenantChanges.length === 0) {
    await sheet.add([text('No change.')]);
  } else {
    await sheet.add(['Setting', 'Before', 'After'].map((title) => text(title, STYLES.header)));
    for (const change of summary.tenantChanges) {
      await sheet.add([text(TENANT_FIELD_LABELS[change.field]), tenantValue(change.before), tenantValue(change.after)]);
    }
  }
  await blank();

  await sheet.add([text('Cloud Sync configuration', STYLES.label)]);
  const cloudSyncChanges = summary.cloudSyncChanges ?? [];
  if (cloudSyncChanges.length === 0) {
    await sheet.add([text('No change.')]);
  } else {
    await sheet.add(['Change', 'Before', 'After'].map((title) => text(title, STYLES.header)));
    for (const change of cloudSyncChanges) {
      const label = `${change.kind}${change.jobId ? ` (${change.configurationName ?? change.jobId})` : ''}`;
      const after = change.groupCount !== undefined ? text(`${change.groupCount} groups: ${(change.groupIds ?? []).slice(0, 20).join(', ')}${change.groupCount > 20 ? ', …' : ''}`) : tenantValue(change.after);
      await sheet.add([text(label), tenantValue(change.before), after]);
    }
  }
  sheet.commit();
}

/** Null means the value was not known in that scan (not read, or permission missing). */
function tenantValue(value: unknown): ReportCell {
  if (value === null || value === undefined) return text('unknown');
  if (value instanceof Date) return date(value);
  return text(String(value));
}
