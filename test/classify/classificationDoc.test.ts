/** The rule table in docs/classification.md must say what the code does, row by row. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyGroup, decideWriteback } from '../../src/classify/classifyGroup';
import { REASONS } from '../../src/classify/findings';
import { readWritebackSettings } from '../../src/classify/normalize';
import type { GraphGroup } from '../../src/model';
import { distribution, mailEnabledSecurity, microsoft365, security, unknownKind, writeback } from './groups';
import { NOT_CONFIGURED, UNREADABLE, cloudSync, engines, job } from './cloudSyncFixtures';

const DOC = readFileSync(path.resolve(__dirname, '../../docs/classification.md'), 'utf8');

const ruleRows = DOC.split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) => line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((cell) => cell.trim()))
  .filter((cells) => cells.length === 7 && /^\d+$/.test(cells[0] ?? ''));

/** One group per row, as the row's own words describe it. */
const REPRESENTATIVES: Record<number, GraphGroup> = {
  1: microsoft365({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, null) }),
  2: distribution({ writebackConfiguration: writeback(true, null) }),
  3: microsoft365({ writebackConfiguration: writeback(false, null) }),
  4: microsoft365({ writebackConfiguration: writeback(true, null) }),
  5: microsoft365({ writebackConfiguration: writeback(true, 'universalSecurityGroup') }),
  6: microsoft365({ writebackConfiguration: writeback(null, null) }),
  7: microsoft365({ writebackConfiguration: writeback(null, 'universalMailEnabledSecurityGroup') }),
  8: security({ writebackConfiguration: writeback(true, null) }),
  9: security({ writebackConfiguration: writeback(true, 'universalDistributionGroup') }),
  10: security({ writebackConfiguration: writeback(false, null) }),
  11: security({ writebackConfiguration: writeback(null, null) }),
};

describe('docs/classification.md rule table', () => {
  it('has the eleven rows in order', () => {
    expect(ruleRows.map((cells) => Number(cells[0]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it.each(ruleRows.map((cells) => [Number(cells[0]), cells] as const))('row %i matches the code', (row, cells) => {
    const group = REPRESENTATIVES[row]!;
    const result = classifyGroup(group);
    const verdict = decideWriteback(result.kind, result.sourceOfAuthority, readWritebackSettings(group));
    const [, , , , bucket, target, reason] = cells;
    expect(verdict.row).toBe(row);
    expect(bucket).toBe(result.bucket);
    expect(reason).toBe(result.reason);
    if (target === 'none') expect(result.effectiveTargetType).toBeNull();
    else if (target === 'that type') expect(result.effectiveTargetType).toBe(result.raw.onPremisesGroupTypeNormalized);
    else expect(target).toBe(result.effectiveTargetType);
  });

  it('uses only reason codes that exist', () => {
    for (const cells of ruleRows) expect(Object.keys(REASONS)).toContain(cells[6]);
  });
});

/** Rows of a per-engine table: first cell `<prefix>-<n>`. */
function engineRows(prefix: string, cells: number): string[][] {
  return DOC.split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((cell) => cell.trim()))
    .filter((row) => row.length === cells && new RegExp(`^${prefix}-\\d+$`).test(row[0] ?? ''));
}

const V1 = engines(['connectSyncV1']);
const V1_REPRESENTATIVES: Record<string, GraphGroup[]> = {
  'V1-1': [microsoft365({ onPremisesSyncEnabled: true, writebackConfiguration: writeback(true, null) }), security({ onPremisesSyncEnabled: true })],
  'V1-2': [security({ writebackConfiguration: writeback(true, null) }), mailEnabledSecurity(), distribution({ writebackConfiguration: writeback(true, null) }), unknownKind()],
  'V1-3': [microsoft365({ writebackConfiguration: writeback(true, null) }), microsoft365({ writebackConfiguration: writeback(true, 'universalSecurityGroup') })],
  'V1-4': [microsoft365({ writebackConfiguration: writeback(false, null) }), microsoft365(), microsoft365({ writebackConfiguration: writeback(null, 'universalMailEnabledSecurityGroup') })],
};

const EARLY = security({ createdDateTime: '2025-01-01T00:00:00Z' });
const LATE = security({ createdDateTime: '2025-09-01T00:00:00Z' });
const cs = (group: GraphGroup, jobs: Parameters<typeof cloudSync>[0] | 'unread' | 'unknown') => ({
  group,
  context: engines(['cloudSync'], jobs === 'unread' ? null : jobs === 'unknown' ? UNREADABLE : cloudSync(jobs)),
});
const CS_REPRESENTATIVES: Record<string, { group: GraphGroup; context: ReturnType<typeof engines> }[]> = {
  'CS-1': [cs(microsoft365(), [job()]), cs(mailEnabledSecurity(), [job()]), cs(distribution(), [job()]), cs(unknownKind(), [job()]), cs(security({ onPremisesSyncEnabled: true }), [job()])],
  'CS-2': [cs(security(), 'unread'), cs(security(), 'unknown')],
  'CS-3': [cs(security(), []), { group: security(), context: engines(['cloudSync'], NOT_CONFIGURED) }],
  'CS-4': [cs(security(), [job({ groupMappingEnabled: false })])],
  'CS-5': [cs(security(), [job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: ['11111111-1111-1111-1111-111111111111'] })])],
  'CS-6': [cs(security(), [job({ scope: { mode: 'selectedGroups' }, assignedGroupIds: null })])],
  'CS-7': [cs(security({ displayName: 'Finance' }), [job({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'displayName', operatorName: 'REGEX MATCH', values: ['^Sales'] }]] } })])],
  'CS-8': [cs(security(), [job({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'extension_0123_WritebackEnabled', operatorName: 'IS TRUE', values: [] }]] } })])],
  'CS-9': [cs(security(), [job({ statusCode: 'NotRun', lastSuccessfulRun: null })]), cs(security(), [job({ statusCode: 'NotConfigured' })]), cs(security(), [job({ statusCode: 'Paused', lastSuccessfulRun: null })])],
  'CS-10': [cs(security(), [job()]), cs(security({ writebackConfiguration: writeback(false, null) }), [job()])],
  'CS-11': [cs(EARLY, [job({ statusCode: 'Paused' })]), cs(EARLY, [job({ statusCode: 'Quarantine', quarantined: true })]), cs(EARLY, [job({ scheduleState: 'Disabled' })])],
  'CS-12': [cs(LATE, [job({ statusCode: 'Quarantine', quarantined: true })])],
  'CS-13': [cs(security(), [job({ statusCode: 'Warming' })])],
};

describe('docs/classification.md per-engine tables', () => {
  const v1Rows = engineRows('V1', 7);
  const csRows = engineRows('CS', 6);

  it('has every Connect Sync v1 and Cloud Sync row, in order', () => {
    expect(v1Rows.map((cells) => cells[0])).toEqual(Object.keys(V1_REPRESENTATIVES));
    expect(csRows.map((cells) => cells[0])).toEqual(Object.keys(CS_REPRESENTATIVES));
  });

  it.each(v1Rows.map((cells) => [cells[0]!, cells] as const))('%s matches the code', (id, cells) => {
    const [, , , , bucket, target, reason] = cells;
    for (const group of V1_REPRESENTATIVES[id]!) {
      const verdict = classifyGroup(group, { engines: V1 }).engines.connectSyncV1!;
      expect(verdict.verdict).toBe(bucket);
      expect(verdict.targetType ?? 'none').toBe(target);
      expect(verdict.reason).toBe(reason);
    }
  });

  it.each(csRows.map((cells) => [cells[0]!, cells] as const))('%s matches the code', (id, cells) => {
    const [, , , verdictCell, target, reason] = cells;
    for (const { group, context } of CS_REPRESENTATIVES[id]!) {
      const verdict = classifyGroup(group, { engines: context }).engines.cloudSync!;
      expect(verdict.verdict).toBe(verdictCell);
      expect(verdict.targetType ?? 'none').toBe(target);
      expect(verdict.reason).toBe(reason);
    }
  });

  it('uses only reason codes that exist', () => {
    for (const cells of [...v1Rows, ...csRows]) expect(Object.keys(REASONS)).toContain(cells[cells.length - 1]);
  });
});
