/**
 * Cell values and styles shared by every report. Each function returns a value with one of a fixed set of
 * style objects: exceljs caches a style id per style object, so reusing the same objects keeps the styles
 * table and the work per cell constant however many rows a report has.
 */
import type ExcelJS from 'exceljs';
import type { Bucket, Severity } from '../model';
import { cellText } from './cellText';

export type CellStyle = Partial<ExcelJS.Style>;

export interface ReportCell {
  value: ExcelJS.CellValue;
  style?: CellStyle;
}

/** Dates are written as real date cells in UTC (exceljs converts from epoch milliseconds). */
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

/** Text number format: Excel keeps anything typed into such a cell as text, formula-looking input included. */
const TEXT_FORMAT = '@';

export const STYLES = {
  text: { numFmt: TEXT_FORMAT },
  wrappedText: { numFmt: TEXT_FORMAT, alignment: { wrapText: true, vertical: 'top' } },
  date: { numFmt: DATE_FORMAT },
  count: { numFmt: '#,##0' },
  flag: { alignment: { horizontal: 'center' } },
  header: {
    numFmt: TEXT_FORMAT,
    font: { bold: true },
    fill: solid('FFD9E1F2'),
    border: { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } },
    alignment: { vertical: 'middle' },
  },
  title: { numFmt: TEXT_FORMAT, font: { bold: true, size: 14 } },
  label: { numFmt: TEXT_FORMAT, font: { bold: true } },
  warning: { numFmt: TEXT_FORMAT, font: { bold: true, color: { argb: 'FF9C0006' } }, fill: solid('FFFFC7CE') },
  link: { font: { color: { argb: 'FF0563C1' }, underline: true } },
} satisfies Record<string, CellStyle>;

/** Bucket colours: green = written back, amber = written back by the legacy default, grey = not written back. */
const BUCKET_FILL: Record<Bucket, string> = {
  writtenBack: 'FFC6EFCE',
  legacyDefault: 'FFFFEB9C',
  notWrittenBack: 'FFEDEDED',
};

const SEVERITY_FILL: Record<Severity, string> = {
  high: 'FFFFC7CE',
  medium: 'FFFFEB9C',
  low: 'FFDDEBF7',
  info: 'FFF2F2F2',
};

const BUCKET_STYLES = Object.fromEntries(
  Object.entries(BUCKET_FILL).map(([bucket, argb]) => [bucket, { numFmt: TEXT_FORMAT, fill: solid(argb) }]),
) as Record<Bucket, CellStyle>;

const SEVERITY_STYLES = Object.fromEntries(
  Object.entries(SEVERITY_FILL).map(([severity, argb]) => [severity, { numFmt: TEXT_FORMAT, fill: solid(argb) }]),
) as Record<Severity, CellStyle>;

export const EMPTY: ReportCell = { value: null };

/** A string cell; text from Graph always goes through here. */
export function text(value: string | null | undefined, style: CellStyle = STYLES.text): ReportCell {
  const cleaned = cellText(value);
  return cleaned === null ? EMPTY : { value: cleaned, style };
}

export function wrappedText(value: string | null | undefined): ReportCell {
  return text(value, STYLES.wrappedText);
}

/** A date cell from a Date or an ISO 8601 string; a string that is not a date is kept as text. */
export function date(value: Date | string | null | undefined): ReportCell {
  if (value === null || value === undefined) return EMPTY;
  const parsed = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(parsed.getTime())) return typeof value === 'string' ? text(value) : EMPTY;
  return { value: parsed, style: STYLES.date };
}

export function count(value: number | null | undefined): ReportCell {
  return value === null || value === undefined ? EMPTY : { value, style: STYLES.count };
}

export function flag(value: boolean | null | undefined): ReportCell {
  return value === null || value === undefined ? EMPTY : { value, style: STYLES.flag };
}

export function bucket(value: Bucket | null | undefined): ReportCell {
  return value === null || value === undefined ? EMPTY : { value, style: BUCKET_STYLES[value] };
}

export function severity(value: Severity | null | undefined): ReportCell {
  return value === null || value === undefined ? EMPTY : { value, style: SEVERITY_STYLES[value] };
}

/**
 * A raw Graph value shown as Graph sent it: null is written as the word `null` (so "never configured" is
 * visible and filterable, unlike an empty cell), strings as cleaned text.
 */
export function raw(value: string | boolean | null): ReportCell {
  if (value === null) return text('null');
  return text(typeof value === 'boolean' ? String(value) : value);
}
