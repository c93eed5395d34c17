/** docs/findings.md must list exactly the catalog's findings, so the docs cannot drift from the code. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_NAMES, FINDINGS } from '../../src/classify/findings';

const DOC = readFileSync(path.resolve(__dirname, '../../docs/findings.md'), 'utf8');

/** Rows of every Markdown table in the doc whose first cell is a finding id. */
function findingRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    )
    .filter((cells) => /^WBW-F\d+$/.test(cells[0] ?? ''));
}

/** Code spans are formatting only. */
const plain = (cell: string | undefined) => (cell ?? '').replace(/`/g, '');

const catalogRows = findingRows(DOC).filter((cells) => cells.length === 7);
const whenRows = findingRows(DOC).filter((cells) => cells.length === 2);

describe('docs/findings.md', () => {
  it('lists every finding of the catalog exactly once, and nothing else', () => {
    const names = catalogRows.map((cells) => plain(cells[1]));
    expect(names).toEqual([...FINDING_NAMES]);
  });

  it.each(FINDING_NAMES.map((name) => [name]))('%s: id, severity, title, rationale, source and remediation match the code', (name) => {
    const row = catalogRows.find((cells) => plain(cells[1]) === name);
    expect(row, `no row for ${name}`).toBeDefined();
    const [id, , severity, title, rationale, source, remediation] = row!.map(plain);
    const definition = FINDINGS[name];
    expect({ id, severity, title, rationale, source, remediation }).toEqual({
      id: definition.id,
      severity: definition.severity,
      title: definition.title,
      rationale: definition.rationale,
      source: definition.source,
      remediation: definition.remediation,
    });
  });

  it('says when every finding is raised', () => {
    expect(whenRows.map((cells) => cells[0])).toEqual(FINDING_NAMES.map((name) => FINDINGS[name].id));
  });
});
