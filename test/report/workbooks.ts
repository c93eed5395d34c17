/** Reading written reports back with exceljs' (non-streaming) reader, as a user's spreadsheet program would. */
import ExcelJS from 'exceljs';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

export async function writeAndRead(write: (out: Writable) => Promise<unknown>): Promise<ExcelJS.Workbook> {
  const path = join(mkdtempSync(join(tmpdir(), 'wbw-report-')), 'report.xlsx');
  await write(createWriteStream(path));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

export function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}; sheets: ${workbook.worksheets.map((w) => w.name).join(', ')}`);
  return found;
}

/** The cells of the first row whose column A holds `label`. */
export function rowLabelled(worksheet: ExcelJS.Worksheet, label: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  worksheet.eachRow((row) => {
    if (found === undefined && row.getCell(1).value === label) found = row;
  });
  if (!found) throw new Error(`no row labelled ${label} in ${worksheet.name}`);
  return found;
}

/** Header titles of row 1. */
export function headers(worksheet: ExcelJS.Worksheet): unknown[] {
  return (worksheet.getRow(1).values as unknown[]).slice(1);
}

/** Column number (1-based) of a header title. */
export function column(worksheet: ExcelJS.Worksheet, title: string): number {
  const index = headers(worksheet).indexOf(title);
  if (index < 0) throw new Error(`no column ${title} in ${worksheet.name}`);
  return index + 1;
}

export function cellAt(worksheet: ExcelJS.Worksheet, row: number, title: string): ExcelJS.Cell {
  return worksheet.getRow(row).getCell(column(worksheet, title));
}

export function fillOf(cell: ExcelJS.Cell): string | undefined {
  const fill = cell.fill as ExcelJS.FillPattern | undefined;
  return fill?.fgColor?.argb;
}

/** Every formula cell of the workbook as [sheet, address, formula]. */
export function formulaCells(workbook: ExcelJS.Workbook): Array<[string, string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const worksheet of workbook.worksheets) {
    worksheet.eachRow((row) => {
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) found.push([worksheet.name, cell.address, cell.formula]);
      });
    });
  }
  return found;
}
