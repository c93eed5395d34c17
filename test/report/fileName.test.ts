import { describe, expect, it } from 'vitest';
import { diffReportFileName, safeFileNamePart, scanReportFileName } from '../../src/report/fileName';

const SAFE = /^[A-Za-z0-9._-]+$/;

describe('report file names', () => {
  it('names scan and diff reports after their scan ids', () => {
    expect(scanReportFileName('20261126T020000Z-3fa9c1')).toBe('writeback-scan-20261126T020000Z-3fa9c1.xlsx');
    expect(diffReportFileName('20261125T020000Z-aaaaaa', '20261126T020000Z-bbbbbb')).toBe(
      'writeback-diff-20261125T020000Z-aaaaaa-to-20261126T020000Z-bbbbbb.xlsx',
    );
  });

  it('keeps only [A-Za-z0-9._-] whatever the id holds', () => {
    const hostile = ['../../etc/passwd', 'a"; filename=evil.exe', 'x\r\nSet-Cookie: y', 'C:\\temp\\a', 'ü/ß', '...', '', '-.-'];
    for (const id of hostile) {
      const name = scanReportFileName(id);
      expect(name).toMatch(SAFE);
      expect(name).not.toContain('..');
      expect(name.startsWith('writeback-scan-')).toBe(true);
      expect(name.endsWith('.xlsx')).toBe(true);
      expect(diffReportFileName(id, id)).toMatch(SAFE);
    }
    expect(safeFileNamePart('a"; filename=evil.exe')).toBe('a-filename-evil.exe');
    expect(safeFileNamePart('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFileNamePart('')).toBe('unknown');
  });

  it('bounds the length of each id', () => {
    expect(safeFileNamePart('a'.repeat(500))).toHaveLength(64);
  });
});
