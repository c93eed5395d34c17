/** The rule table in docs/classification.md must say what the code does, row by row. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyGroup, decideWriteback } from '../../src/classify/classifyGroup';
import { REASONS } from '../../src/classify/findings';
import { readWritebackSettings } from '../../src/classify/normalize';
import type { GraphGroup } from '../../src/model';
import { distribution, microsoft365, security, writeback } from './groups';

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
