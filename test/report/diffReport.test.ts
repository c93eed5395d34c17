import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { emptyCounts, FINDINGS } from '../../src/classify';
import { diffSnapshots } from '../../src/diff/diffSnapshots';
import { summarizeChanges } from '../../src/diff/diffSummary';
import type { ClassifiedGroup, GroupChange, ScanRecord, TenantContext } from '../../src/model';
import { CHANGE_COLUMNS, writeDiffReport } from '../../src/report/diffReport';
import { collect, enabledSecurityGroup, group, guid, streamOf } from '../diff/groups';
import { cellAt, fillOf, formulaCells, headers, rowLabelled, sheet, writeAndRead } from './workbooks';
import { cloudSyncContext, cloudSyncJob } from '../helpers/cloudSync';

const TENANT = '11111111-2222-3333-4444-555555555555';

function context(featureEnabled: boolean | null): TenantContext {
  return {
    newUnifiedGroupWritebackDefault: true,
    newUnifiedGroupWritebackDefaultRaw: null,
    newUnifiedGroupWritebackDefaultSource: 'settingMissing',
    groupWritebackFeatureEnabled: featureEnabled,
    groupWritebackFeatureUnknownReason: null,
    lastDirectorySyncDateTime: null,
    cloudSync: null,
  };
}

function scan(id: string, startedAt: string, total: number, tenantContext: TenantContext | null): ScanRecord {
  return {
    id,
    tenantId: TENANT,
    trigger: 'timer',
    status: 'complete',
    startedAt: new Date(startedAt),
    finishedAt: new Date(startedAt),
    counts: { ...emptyCounts(), total },
    tenantContext,
    pages: 1,
    retries: 0,
    error: null,
  };
}

const typed = enabledSecurityGroup(guid(3), {
  displayName: '@SUM(1,2)',
  raw: { onPremisesGroupType: 'universalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
});

const BEFORE: ClassifiedGroup[] = [
  group(guid(1), { displayName: '=cmd|"/c calc"!A1' }),
  group(guid(2), { displayName: 'Going away' }),
  typed,
];
const AFTER: ClassifiedGroup[] = [
  group(guid(1), {
    displayName: '=cmd|"/c calc"!A1',
    bucket: 'writtenBack',
    effectiveTargetType: 'universalSecurityGroup',
    reason: 'enabled',
    findings: ['publicGroupWrittenBackAsSecurity'],
    portalShowsNoWriteback: false,
    raw: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
  }),
  { ...typed, raw: { ...typed.raw, onPremisesGroupType: null, onPremisesGroupTypeNormalized: null } },
  group(guid(4), { displayName: '+new' }),
];

const FROM = scan('20261125T020000Z-aaaaaa', '2026-11-25T02:00:00Z', BEFORE.length, context(true));
const TO = scan('20261126T020000Z-bbbbbb', '2026-11-26T02:00:00Z', AFTER.length, context(null));
const APPROVAL = '7d3c1e9a-0000-4000-8000-00000000abcd';

/** The diff of BEFORE → AFTER, with the first change approved. */
function changes(): AsyncIterable<GroupChange> {
  return (async function* () {
    for await (const change of diffSnapshots(streamOf(BEFORE), streamOf(AFTER))) {
      yield change.groupId === guid(1) ? { ...change, approvalId: APPROVAL } : change;
    }
  })();
}

describe('writeDiffReport', () => {
  it('writes a Summary and one Changes row per changed group, reading back the input values', async () => {
    const summary = await summarizeChanges(FROM, TO, changes());
    const expected = await collect(changes());
    let result: unknown;
    const workbook = await writeAndRead(async (out) => {
      result = await writeDiffReport(out, { summary, changes });
    });
    expect(result).toEqual({ rows: 4 });
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Summary', 'Changes']);

    const sheetOfChanges = sheet(workbook, 'Changes');
    expect(headers(sheetOfChanges)).toEqual(CHANGE_COLUMNS.map((c) => c.header));
    expect(sheetOfChanges.rowCount).toBe(expected.length + 1);
    expect(expected.map((c) => c.groupId)).toEqual([guid(1), guid(2), guid(3), guid(4)]);

    const values = (row: number, ...titles: string[]): unknown[] => titles.map((title) => cellAt(sheetOfChanges, row, title).value);
    expect(values(2, 'Group id', 'Name', 'Change types', 'Bucket before', 'Bucket after', 'Target before', 'Target after')).toEqual([
      guid(1),
      '=cmd|"/c calc"!A1',
      'bucketChanged, targetChanged, findingsChanged',
      'legacyDefault',
      'writtenBack',
      'universalDistributionGroup',
      'universalSecurityGroup',
    ]);
    expect(values(2, 'isEnabled before (raw)', 'isEnabled after (raw)', 'onPremisesGroupType before (raw)', 'onPremisesGroupType after (raw)')).toEqual([
      'null',
      'true',
      'null',
      'universalSecurityGroup',
    ]);
    expect(values(2, 'Findings added', 'Findings removed', 'Approval id')).toEqual([
      `${FINDINGS.publicGroupWrittenBackAsSecurity.id} ${FINDINGS.publicGroupWrittenBackAsSecurity.title}`,
      `${FINDINGS.portalShowsNoWriteback.id} ${FINDINGS.portalShowsNoWriteback.title}`,
      APPROVAL,
    ]);
    // Removed: only the before side, no link to a deleted group.
    expect(values(3, 'Change types', 'Bucket before', 'Bucket after', 'Name before', 'Name after', 'Entra admin center')).toEqual([
      'removed',
      'legacyDefault',
      null,
      'Going away',
      null,
      null,
    ]);
    // The value-to-null reset of onPremisesGroupType is flagged.
    expect(values(4, 'Change types', 'Target type reset to null', 'onPremisesGroupType before (raw)', 'onPremisesGroupType after (raw)')).toEqual([
      'configChanged',
      true,
      'universalSecurityGroup',
      'null',
    ]);
    expect(values(2, 'Target type reset to null')).toEqual([false]);
    expect(values(5, 'Change types', 'Kind before', 'Kind after', 'Name after')).toEqual(['added', null, 'microsoft365', '+new']);

    for (const [row, name] of [[2, '=cmd|"/c calc"!A1'], [4, '@SUM(1,2)'], [5, '+new']] as const) {
      const cell = cellAt(sheetOfChanges, row, 'Name');
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(name);
    }
    expect(fillOf(cellAt(sheetOfChanges, 2, 'Bucket before'))).not.toBe(fillOf(cellAt(sheetOfChanges, 2, 'Bucket after')));
    expect(formulaCells(workbook).map(([, address]) => address)).toEqual(['Z2', 'Z4', 'Z5']);

    expect(sheetOfChanges.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheetOfChanges.autoFilter).toBe('A1:Z5');
    expect(sheetOfChanges.getRow(1).getCell(1).font?.bold).toBe(true);
  });

  it('summarises scans with real dates, counts by change type and tenant setting changes', async () => {
    const summary = await summarizeChanges(FROM, TO, changes());
    const workbook = await writeAndRead((out) => writeDiffReport(out, { summary, changes }));
    const summarySheet = sheet(workbook, 'Summary');

    expect(rowLabelled(summarySheet, 'Tenant').getCell(2).value).toBe(TENANT);
    const ids = rowLabelled(summarySheet, 'Scan id');
    expect([ids.getCell(2).value, ids.getCell(3).value]).toEqual([FROM.id, TO.id]);
    const started = rowLabelled(summarySheet, 'Scan started (UTC)');
    for (const [cell, expected] of [[started.getCell(2), FROM.startedAt], [started.getCell(3), TO.startedAt]] as const) {
      expect(cell.type).toBe(ExcelJS.ValueType.Date);
      expect((cell.value as Date).getTime()).toBe(expected.getTime());
    }
    const groups = rowLabelled(summarySheet, 'Groups');
    expect([groups.getCell(2).value, groups.getCell(3).value]).toEqual([3, 3]);
    expect(rowLabelled(summarySheet, 'Changed groups').getCell(2).value).toBe(4);
    for (const [type, expected] of Object.entries(summary.byType)) {
      expect(rowLabelled(summarySheet, type).getCell(2).value).toBe(expected);
    }
    expect(summary.byType.added).toBe(1);
    const feature = rowLabelled(summarySheet, 'Group writeback feature (tenant)');
    expect([feature.getCell(2).value, feature.getCell(3).value]).toEqual(['true', 'unknown']);
  });

  it('lists the Cloud Sync changes between the two scans on the Summary sheet', async () => {
    const before = scan(FROM.id, '2026-11-25T02:00:00Z', 3, { ...context(true), cloudSync: cloudSyncContext() });
    const after = scan(TO.id, '2026-11-26T02:00:00Z', 3, {
      ...context(true),
      cloudSync: cloudSyncContext([cloudSyncJob({ statusCode: 'Paused', assignedGroupIds: [...cloudSyncJob().assignedGroupIds!, guid(9)] })]),
    });
    const summary = await summarizeChanges(before, after, streamOf([]));
    const workbook = await writeAndRead((out) => writeDiffReport(out, { summary, changes: () => streamOf([]) }));
    const summarySheet = sheet(workbook, 'Summary');
    const status = rowLabelled(summarySheet, 'jobStatusChanged (contoso.com)');
    expect([status.getCell(2).value, status.getCell(3).value]).toEqual(['Active', 'Paused']);
    expect(rowLabelled(summarySheet, 'groupsAssigned (contoso.com)').getCell(3).value).toBe(`1 groups: ${guid(9)}`);
  });

  it('writes an empty Changes sheet with its header when nothing changed', async () => {
    const summary = await summarizeChanges(FROM, FROM, streamOf([]));
    const workbook = await writeAndRead((out) => writeDiffReport(out, { summary, changes: () => streamOf([]) }));
    const changesSheet = sheet(workbook, 'Changes');
    expect(changesSheet.rowCount).toBe(1);
    expect(changesSheet.autoFilter).toBe('A1:Z1');
    expect(() => rowLabelled(sheet(workbook, 'Summary'), 'No change.')).not.toThrow();
  });
});

describe('writeDiffReport: writeback engines', () => {
  it('shows the engine verdicts on each side and the engines each scan assumed', async () => {
    const summary = await summarizeChanges(FROM, TO, changes());
    const workbook = await writeAndRead((out) =>
      writeDiffReport(out, { summary, changes, engines: { from: ['connectSyncV2'], to: ['connectSyncV1', 'cloudSync'] } }),
    );
    const rows = sheet(workbook, 'Changes');
    const before = CHANGE_COLUMNS.findIndex((c) => c.header === 'Engine verdicts before') + 1;
    const after = CHANGE_COLUMNS.findIndex((c) => c.header === 'Engine verdicts after') + 1;
    const texts: string[] = [];
    rows.eachRow((row, number) => {
      if (number > 1) texts.push(`${String(row.getCell(before).value)} | ${String(row.getCell(after).value)}`);
    });
    expect(texts.some((t) => /connectSyncV2: (writtenBack|legacyDefault|notWrittenBack)/.test(t))).toBe(true);
    const summaryRow = rowLabelled(sheet(workbook, 'Summary'), 'Writeback engines assumed');
    expect([summaryRow.getCell(2).value, summaryRow.getCell(3).value]).toEqual(['connectSyncV2', 'connectSyncV1,cloudSync']);
  });
});
