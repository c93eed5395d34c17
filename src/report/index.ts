/** The reporting stage: Excel reports written as streams, and their download names. */
export { writeScanReport, SCAN_REPORT_SHEETS } from './scanReport';
export type { ScanReportInput, ScanReportResult } from './scanReport';
export { writeDiffReport, DIFF_REPORT_SHEETS } from './diffReport';
export type { DiffReportInput } from './diffReport';
export { diffReportFileName, scanReportFileName, safeFileNamePart } from './fileName';
export { DEFAULT_ENTRA_PORTAL_BASE_URL, entraGroupUrl } from './entraLinks';
export { cellText, EXCEL_MAX_CELL_CHARS } from './cellText';
