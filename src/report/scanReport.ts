/**
 * The Excel report of one scan: Summary, Groups (one row per group), Findings (one row per group and
 * finding) and, when given, Policy violations. Written with exceljs' streaming writer one sheet after the
 * other; the Summary takes its totals from the scan record (complete counts). The snapshot is read once: the
 * Groups sheet is written as rows arrive, and what the Findings sheet needs waits in a temporary file.
 */
import type { Writable } from 'node:stream';
import {
  BUCKETS,
  CLASSIFICATION_ASSUMPTIONS,
  FINDING_NAMES,
  FINDINGS,
  GROUP_KINDS,
  REASONS,
  SEVERITIES,
  highestSeverity,
  portalLabel,
} from '../classify';
import { summarizeCloudSync } from './cloudSyncText';
import type { Bucket, ClassifiedGroup, OnPremisesGroupType, ScanRecord, Severity, TenantContext } from '../model';
import {
  EMPTY,
  STYLES,
  bucket,
  count,
  date,
  flag,
  raw,
  severity,
  text,
  wrappedText,
  type ReportCell,
} from './cells';
import { groupLinker } from './entraLinks';
import { StreamingWorkbook, type ColumnSpec, type ReportSheet } from './streamingWorkbook';
import { Spool } from './spool';
import { ENGINE_COLUMNS, engineCells, engineListText, engineNamesText, enginesOf } from './engineCells';

/**
 * What the Policy violations sheet shows of one violation. `ExpectationViolation` from alerts/expectations.ts
 * fits it; `expected` is shown as text field by field, so new kinds of expectation need no change here.
 */
export interface ReportedViolation {
  expectationId: string;
  description: string | null;
  severity: Severity;
  groupId: string;
  displayName: string | null;
  expected: Readonly<Record<string, unknown>>;
  actual: { bucket: Bucket; effectiveTargetType: OnPremisesGroupType | null };
  failed: readonly string[];
}

export interface ScanReportInput {
  scan: ScanRecord;
  /** The scan's snapshot in any order; called once per sheet that lists groups (twice). */
  groups: () => AsyncIterable<ClassifiedGroup>;
  /** Base URL of the Entra admin center for group links (default https://entra.microsoft.com). */
  entraPortalBaseUrl?: string;
  /** Current policy violations (e.g. `listViolations(policy, snapshot)`); adds a "Policy violations" sheet. */
  violations?: () => AsyncIterable<ReportedViolation>;
  /** Called with the number of Groups rows written so far, after each one (for a progress line). */
  onProgress?: (rows: number) => void;
}

export interface ScanReportResult {
  /** Rows of the Groups sheet: one per group. */
  rows: number;
  /** Rows of the Findings sheet: one per group and finding. */
  findingRows: number;
  /** Rows of the Policy violations sheet, null when no violations source was given. */
  violationRows: number | null;
}

export const SCAN_REPORT_SHEETS = { summary: 'Summary', groups: 'Groups', findings: 'Findings', violations: 'Policy violations' } as const;

export const GROUP_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Group id', width: 38 },
  { header: 'Name', width: 36 },
  { header: 'Kind', width: 20 },
  { header: 'Source of authority', width: 20 },
  { header: 'Bucket (per Entra configuration)', width: 18 },
  { header: 'Effective target type', width: 32 },
  { header: 'isEnabled (raw)', width: 12 },
  { header: 'onPremisesGroupType (raw)', width: 32 },
  { header: 'Entra portal shows', width: 24 },
  { header: 'Reason', width: 22 },
  { header: 'Reason explained', width: 60 },
  ...ENGINE_COLUMNS,
  { header: 'Highest severity', width: 12 },
  { header: 'Finding codes', width: 20 },
  { header: 'Findings', width: 60 },
  { header: 'Created (UTC)', width: 20 },
  { header: 'Mail', width: 32 },
  { header: 'Dynamic', width: 10 },
  { header: 'Role-assignable', width: 10 },
  { header: 'Team', width: 8 },
  { header: 'Visibility', width: 16 },
  { header: 'Member count', width: 12 },
  { header: 'Entra admin center', width: 16 },
];

export const FINDING_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Code', width: 10 },
  { header: 'Severity', width: 10 },
  { header: 'Finding', width: 48 },
  { header: 'Group id', width: 38 },
  { header: 'Group name', width: 36 },
  { header: 'Bucket', width: 16 },
  { header: 'Rationale', width: 80 },
  { header: 'Remediation', width: 80 },
];

export const VIOLATION_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Expectation', width: 24 },
  { header: 'Description', width: 40 },
  { header: 'Severity', width: 10 },
  { header: 'Group id', width: 38 },
  { header: 'Group name', width: 36 },
  { header: 'Failed', width: 24 },
  { header: 'Expected', width: 48 },
  { header: 'Bucket', width: 16 },
  { header: 'Effective target type', width: 28 },
];

const SUMMARY_COLUMNS: readonly ColumnSpec[] = [
  { header: '', width: 44 },
  ...Array.from({ length: 6 }, () => ({ header: '', width: 20 })),
];

/**
 * Writes the report to `out` and resolves once `out` has finished. If reading the snapshot fails, the
 * promise rejects and `out` is left incomplete: the caller destroys it (an HTTP response, a file).
 */
export async function writeScanReport(out: Writable, input: ScanReportInput): Promise<ScanReportResult> {
  const link = groupLinker(input.entraPortalBaseUrl);
  const workbook = new StreamingWorkbook(out);

  await writeSummary(workbook.addSheet(SCAN_REPORT_SHEETS.summary, { columns: SUMMARY_COLUMNS, header: false }), input.scan);

  const spool = await Spool.open<FindingsOf>();
  let groupsSheet: ReportSheet;
  let findingsSheet: ReportSheet;
  try {
    groupsSheet = workbook.addSheet(SCAN_REPORT_SHEETS.groups, { columns: GROUP_COLUMNS, header: true });
    for await (const group of input.groups()) {
      await groupsSheet.add(groupRow(group, link));
      input.onProgress?.(groupsSheet.rows);
      if (group.findings.length > 0) await spool.push(findingsOf(group));
    }
    groupsSheet.commit();

    findingsSheet = workbook.addSheet(SCAN_REPORT_SHEETS.findings, { columns: FINDING_COLUMNS, header: true });
    for await (const group of spool.drain()) {
      for (const row of findingRows(group)) await findingsSheet.add(row);
    }
    findingsSheet.commit();
  } finally {
    await spool.close();
  }

  let violationRows: number | null = null;
  if (input.violations) {
    const sheet = workbook.addSheet(SCAN_REPORT_SHEETS.violations, { columns: VIOLATION_COLUMNS, header: true });
    for await (const violation of input.violations()) await sheet.add(violationRow(violation));
    sheet.commit();
    violationRows = sheet.rows;
  }

  await workbook.commit();
  return { rows: groupsSheet.rows, findingRows: findingsSheet.rows, violationRows };
}

/** One Groups row, in GROUP_COLUMNS order. */
export function groupRow(group: ClassifiedGroup, link: (groupId: string) => ReportCell): ReportCell[] {
  const reason = REASONS[group.reason];
  return [
    text(group.id),
    text(group.displayName),
    text(group.kind),
    text(group.sourceOfAuthority),
    bucket(group.bucket),
    group.effectiveTargetType === null ? text('none') : text(group.effectiveTargetType),
    raw(group.raw.isEnabled),
    raw(group.raw.onPremisesGroupType),
    text(portalLabel(group)),
    text(group.reason),
    text(reason.explanation),
    ...engineCells(group.engines),
    severity(highestSeverity(group.findings)),
    text(orderedFindings(group).map((name) => FINDINGS[name].id).join(', ')),
    text(orderedFindings(group).map((name) => FINDINGS[name].title).join('; ')),
    date(group.createdDateTime),
    text(group.mail),
    flag(group.flags.dynamic),
    flag(group.flags.roleAssignable),
    flag(group.flags.team),
    text(group.flags.visibility),
    count(group.memberCount),
    link(group.id),
  ];
}

/** One Findings row per finding of the group, in FINDING_COLUMNS order. */
/** What a Findings row needs of a group. */
type FindingsOf = Pick<ClassifiedGroup, 'id' | 'displayName' | 'bucket' | 'findings'>;

const findingsOf = (group: ClassifiedGroup): FindingsOf => ({ id: group.id, displayName: group.displayName, bucket: group.bucket, findings: group.findings });

export function findingRows(group: FindingsOf): ReportCell[][] {
  return orderedFindings(group).map((name) => {
    const finding = FINDINGS[name];
    return [
      text(finding.id),
      severity(finding.severity),
      text(finding.title),
      text(group.id),
      text(group.displayName),
      bucket(group.bucket),
      text(finding.rationale),
      text(finding.remediation),
    ];
  });
}

function violationRow(violation: ReportedViolation): ReportCell[] {
  return [
    text(violation.expectationId),
    text(violation.description),
    severity(violation.severity),
    text(violation.groupId),
    text(violation.displayName),
    text(violation.failed.join(', ')),
    text(describeExpected(violation.expected)),
    bucket(violation.actual.bucket),
    text(violation.actual.effectiveTargetType ?? 'none'),
  ];
}

/** `{ buckets: ['notWrittenBack'], effectiveTargetTypes: [null] }` → `buckets: notWrittenBack; effectiveTargetTypes: none`. */
function describeExpected(expected: Readonly<Record<string, unknown>>): string {
  const shown = (value: unknown): string => (value === null ? 'none' : String(value));
  return Object.entries(expected)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.map(shown).join(', ') : shown(value)}`)
    .join('; ');
}

/** The group's findings in catalog order, each once. */
function orderedFindings(group: Pick<ClassifiedGroup, 'findings'>): ClassifiedGroup['findings'] {
  const present = new Set(group.findings);
  return FINDING_NAMES.filter((name) => present.has(name));
}

async function writeSummary(sheet: ReportSheet, scan: ScanRecord): Promise<void> {
  const pair = (label: string, value: ReportCell, note?: string): Promise<void> =>
    sheet.add([text(label, STYLES.label), value, note === undefined ? EMPTY : text(note)]);
  const blank = (): Promise<void> => sheet.add([]);

  await sheet.add([text('Writeback Watch: group writeback scan report', STYLES.title)]);
  await sheet.add([text('Every verdict in this report is per Entra configuration (see Assumptions below).')]);
  await blank();
  await pair('Tenant', text(scan.tenantId));
  await pair('Scan id', text(scan.id));
  await pair('Status', text(scan.status), scan.error ?? undefined);
  await pair('Trigger', text(scan.trigger));
  await pair('Scan started (UTC)', date(scan.startedAt));
  await pair('Scan finished (UTC)', scan.finishedAt === null ? text('not finished') : date(scan.finishedAt));
  await pair('Groups', count(scan.counts.total));
  await pair('Graph pages read', count(scan.pages));
  await pair('Graph request retries', count(scan.retries));
  const engines = enginesOf(scan.counts);
  await pair('Writeback engines assumed', text(engineListText(engines)), engineNamesText(engines));
  if (scan.counts.newlyWrittenBackUnderV1 !== undefined) {
    await pair(
      'Newly written back under Connect Sync v1',
      count(scan.counts.newlyWrittenBackUnderV1),
      'Groups not written back now that Connect Sync would write back if it fell back to v1 (disabling v2, which is irreversible).',
    );
  }
  await blank();

  await writeTenantContext(sheet, scan.tenantContext);
  await blank();

  await sheet.add([text('Groups by bucket and kind', STYLES.label)]);
  await sheet.add(['Bucket', ...GROUP_KINDS, 'Total'].map((title) => text(title, STYLES.header)));
  for (const b of BUCKETS) {
    const byKind = scan.counts.byBucketAndKind[b];
    await sheet.add([bucket(b), ...GROUP_KINDS.map((kind) => count(byKind[kind])), count(scan.counts.byBucket[b])]);
  }
  await sheet.add([text('Total', STYLES.label), ...GROUP_KINDS.map((kind) => count(scan.counts.byKind[kind])), count(scan.counts.total)]);
  await blank();

  await sheet.add([text('Findings by severity', STYLES.label)]);
  await sheet.add(['Severity', 'Findings'].map((title) => text(title, STYLES.header)));
  for (const s of SEVERITIES) await sheet.add([severity(s), count(scan.counts.bySeverity[s])]);
  await blank();

  await sheet.add([text('Findings by rule', STYLES.label)]);
  await sheet.add(['Finding', 'Code', 'Severity', 'Groups'].map((title) => text(title, STYLES.header)));
  for (const name of FINDING_NAMES) {
    const finding = FINDINGS[name];
    await sheet.add([text(finding.title), text(finding.id), severity(finding.severity), count(scan.counts.byFinding[name] ?? 0)]);
  }
  await blank();

  await sheet.add([text('Assumptions', STYLES.label)]);
  sheet.mergeNext(1, SUMMARY_COLUMNS.length);
  await sheet.add([wrappedText(CLASSIFICATION_ASSUMPTIONS)], { height: paragraphHeight(CLASSIFICATION_ASSUMPTIONS) });
  sheet.commit();
}

async function writeTenantContext(sheet: ReportSheet, context: TenantContext | null): Promise<void> {
  await sheet.add([text('Tenant writeback settings', STYLES.label)]);
  if (context === null) {
    await sheet.add([text('Tenant settings were not read in this scan.')]);
    return;
  }
  const pair = (label: string, value: ReportCell, note?: string): Promise<void> =>
    sheet.add([text(label), value, note === undefined ? EMPTY : text(note)]);

  await pair(
    'NewUnifiedGroupWritebackDefault (effective)',
    text(String(context.newUnifiedGroupWritebackDefault)),
    'Default for NEW Microsoft 365 groups only; existing groups keep their configuration.',
  );
  await pair('NewUnifiedGroupWritebackDefault (raw value)', raw(context.newUnifiedGroupWritebackDefaultRaw));
  await pair('NewUnifiedGroupWritebackDefault (source)', text(DEFAULT_SOURCE_TEXT[context.newUnifiedGroupWritebackDefaultSource]));
  await pair(
    'Group writeback feature (tenant)',
    text(context.groupWritebackFeatureEnabled === null ? 'unknown' : context.groupWritebackFeatureEnabled ? 'on' : 'off'),
    context.groupWritebackFeatureEnabled === null ? (context.groupWritebackFeatureUnknownReason ?? 'Not read in this scan.') : undefined,
  );
  await pair(
    'Last directory sync (UTC)',
    context.lastDirectorySyncDateTime === null ? text('unknown or never synced') : date(context.lastDirectorySyncDateTime),
  );
  const cloudSync = summarizeCloudSync(context.cloudSync);
  await pair('Cloud Sync (group provisioning to AD)', text(cloudSync.headline));
  for (const job of cloudSync.jobs) await pair('Cloud Sync job', text(job));
  if (cloudSync.missingPermissions.length > 0) await pair('Missing Graph permissions', text(cloudSync.missingPermissions.join(', ')), 'Optional; grant them with scripts/grant-graph-permissions.ps1 -IncludeCloudSync.');
  for (const warning of cloudSync.warnings) {
    sheet.mergeNext(1, SUMMARY_COLUMNS.length);
    await sheet.add([text(`WARNING: ${warning}`, STYLES.warning)]);
  }
  if (context.groupWritebackFeatureEnabled === false) {
    sheet.mergeNext(1, SUMMARY_COLUMNS.length);
    await sheet.add([
      text(
        "WARNING: the tenant's group writeback feature is off. Nothing is actually written back to Active Directory, whatever the per-group configuration in this report says.",
        STYLES.warning,
      ),
    ]);
  }
}

const DEFAULT_SOURCE_TEXT: Record<TenantContext['newUnifiedGroupWritebackDefaultSource'], string> = {
  setting: 'Group.Unified directory setting',
  settingMissing: 'no Group.Unified setting: default true',
  entryMissing: 'setting has no NewUnifiedGroupWritebackDefault entry: default true',
  emptyValue: 'entry is empty: default true',
};

/** Row height in points for a wrapped paragraph across the merged Summary columns (Excel does not size merged rows). */
function paragraphHeight(paragraph: string): number {
  const charsPerLine = SUMMARY_COLUMNS.reduce((sum, column) => sum + column.width, 0) * 1.1;
  const lines = Math.ceil(paragraph.length / charsPerLine) + 1;
  return Math.min(409, lines * 15);
}
