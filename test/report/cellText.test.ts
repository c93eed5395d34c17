import { describe, expect, it } from 'vitest';
import { cellText, EXCEL_MAX_CELL_CHARS, TRUNCATION_MARK } from '../../src/report/cellText';

describe('cellText', () => {
  it('keeps formula-looking text exactly as it is', () => {
    for (const value of ['=1+1', '+SUM(A1)', '-2', '@A1', "=HYPERLINK(\"http://x\",\"y\")", "'quoted"]) {
      expect(cellText(value)).toBe(value);
    }
  });

  it('removes characters XML 1.0 cannot carry and keeps tab, line feed and other Unicode', () => {
    expect(cellText('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\u007Fh\uFFFEi\uFFFFj')).toBe('abcdefghij');
    expect(cellText('tab\there\nline Ünïcödé 😀 \u0085')).toBe('tab\there\nline Ünïcödé 😀 \u0085');
  });

  it('removes unpaired surrogates but keeps pairs', () => {
    expect(cellText('a\uD800b\uDC00c\uD83D\uDE00')).toBe('abc\uD83D\uDE00');
  });

  it('turns CR LF and lone CR into LF', () => {
    expect(cellText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('truncates to the Excel cell limit with a visible mark, never splitting a surrogate pair', () => {
    const long = 'x'.repeat(EXCEL_MAX_CELL_CHARS + 10);
    const cut = cellText(long)!;
    expect(cut).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);

    const exact = 'y'.repeat(EXCEL_MAX_CELL_CHARS);
    expect(cellText(exact)).toBe(exact);

    // An emoji straddling the cut point is dropped whole.
    const keep = EXCEL_MAX_CELL_CHARS - TRUNCATION_MARK.length - 1;
    const straddling = 'z'.repeat(keep) + '😀' + 'z'.repeat(100);
    const result = cellText(straddling)!;
    expect(result).toBe('z'.repeat(keep) + TRUNCATION_MARK);
    expect(result.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
  });

  it('returns null for nothing to show', () => {
    expect(cellText(null)).toBeNull();
    expect(cellText(undefined)).toBeNull();
    expect(cellText('')).toBeNull();
    expect(cellText('\u0000')).toBeNull();
  });
});
