/**
 * A thin layer over exceljs' streaming workbook writer (exceljs 4.4.0, lib/stream/xlsx/*) that keeps a
 * report's memory flat however many rows it has. What exceljs does, and what this layer does about it:
 *
 * - Each worksheet is one zip entry, and archiver zips entries one after another. A sheet opened while an
 *   earlier one is still being written is buffered whole in memory until the earlier one ends, so sheets
 *   here are written strictly one at a time: a sheet must be committed before the next is added.
 * - Committed rows are written into the zip without back-pressure (lib/utils/stream-buf.js ignores the
 *   return value of write), so a fast producer fills memory while deflate and the output lag behind. After
 *   each row this layer checks how much is still queued for the zip and whether the output wants a drain,
 *   and waits while either is too high.
 * - The worksheet writer keeps every formula cell it has written in a map for shared formulas
 *   (lib/xlsx/xform/sheet/cell-xform.js). Reports write no shared formulas, so the map is emptied after each
 *   committed row.
 * Column widths and frozen panes have to be set before the first row (exceljs writes them at the top of the
 * sheet), the autofilter range at commit.
 */
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { STYLES, type ReportCell } from './cells';

export interface ColumnSpec {
  header: string;
  /** Width in characters. */
  width: number;
}

export interface SheetOptions {
  /** Column widths, plus header titles when `header` is true. */
  columns: readonly ColumnSpec[];
  /** Write the titles as a bold, filled, frozen header row with an autofilter over the data. */
  header: boolean;
}

/** Bytes queued for the zip above which writing pauses until deflate and the output catch up. */
const MAX_QUEUED_BYTES = 1 << 20;
/** Re-check at least this often while waiting, in case progress happens without an event we listen to. */
const WAIT_RECHECK_MS = 200;

/** What the streaming worksheet writer has at runtime beyond its published typings. */
interface WorksheetWriterInternals {
  _formulae?: Record<string, unknown>;
  /** A StreamBuf: `buffers` not yet handed on, `pipes` the streams it writes into (archiver's input). */
  stream?: { buffers?: Array<{ length?: number }>; pipes?: Array<QueueStream> };
}

interface QueueStream extends NodeJS.EventEmitter {
  writableLength?: number;
  readableLength?: number;
  _writableState?: { length?: number };
  _readableState?: { length?: number };
}

export class StreamingWorkbook {
  private readonly writer: ExcelJS.stream.xlsx.WorkbookWriter;
  private openSheet: ReportSheet | null = null;
  private failure: unknown = null;

  constructor(private readonly out: Writable) {
    this.writer = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      // Shared strings would keep every distinct string in memory until the end; inline strings do not.
      useSharedStrings: false,
    });
    this.writer.creator = 'Writeback Watch';
    const zip = (this.writer as unknown as { zip?: NodeJS.EventEmitter }).zip;
    zip?.on('error', (error: unknown) => this.fail(error));
    out.on('error', (error: unknown) => this.fail(error));
  }

  addSheet(name: string, options: SheetOptions): ReportSheet {
    if (this.openSheet !== null && !this.openSheet.committed) {
      throw new Error(`Sheet "${this.openSheet.name}" must be committed before sheet "${name}" is added.`);
    }
    const worksheet = this.writer.addWorksheet(name, {
      views: options.header ? [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }] : [],
    });
    worksheet.columns = options.columns.map((column) => ({ width: column.width }));
    const sheet = new ReportSheet(name, worksheet, options, this);
    this.openSheet = sheet;
    return sheet;
  }

  /** Commits any open sheet, writes the remaining parts and waits until the output has everything. */
  async commit(): Promise<void> {
    this.openSheet?.commit();
    this.throwIfFailed();
    await this.writer.commit();
  }

  /** Waits while the zip queue or the output is full; throws once the output has failed. */
  async relieve(worksheet: ExcelJS.Worksheet): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      const queue = queueOf(worksheet);
      const queued = queue.reduce((sum, stream) => sum + queuedBytes(stream), bufferedBytes(worksheet));
      if (!this.out.writableNeedDrain && queued <= MAX_QUEUED_BYTES) return;
      await this.progress(queue);
    }
  }

  private progress(queue: readonly QueueStream[]): Promise<void> {
    return new Promise((resolve) => {
      const emitters: NodeJS.EventEmitter[] = [this.out, ...queue];
      const done = (): void => {
        clearTimeout(timer);
        for (const emitter of emitters) emitter.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, WAIT_RECHECK_MS);
      for (const emitter of emitters) emitter.once('drain', done);
      this.out.once('close', done);
      this.out.once('error', done);
    });
  }

  private fail(error: unknown): void {
    this.failure ??= error;
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
    if (this.out.destroyed) {
      throw this.out.errored ?? new Error('The report output was closed before the report was complete.');
    }
  }
}

export class ReportSheet {
  /** Rows written, the header row excluded. */
  rows = 0;
  committed = false;
  private nextRow = 1;

  constructor(
    readonly name: string,
    private readonly worksheet: ExcelJS.Worksheet,
    private readonly options: SheetOptions,
    private readonly workbook: StreamingWorkbook,
  ) {
    if (options.header) {
      this.writeRow(options.columns.map((column) => ({ value: column.header, style: STYLES.header })));
    }
  }

  /** Writes one row and waits if the zip or the output has fallen behind. */
  async add(cells: readonly ReportCell[], options: { height?: number } = {}): Promise<void> {
    this.writeRow(cells, options);
    this.rows += 1;
    await this.workbook.relieve(this.worksheet);
  }

  /** Merges cells of the next row to be added, from column `from` to `to` (1-based). */
  mergeNext(from: number, to: number): void {
    this.worksheet.mergeCells(this.nextRow, from, this.nextRow, to);
  }

  /** Ends the sheet: no rows can be added after this. */
  commit(): void {
    if (this.committed) return;
    if (this.options.header) {
      this.worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, this.nextRow - 1), column: this.options.columns.length } };
    }
    this.worksheet.commit();
    this.committed = true;
  }

  private writeRow(cells: readonly ReportCell[], options: { height?: number } = {}): void {
    if (this.committed) throw new Error(`Sheet "${this.name}" is committed; no rows can be added.`);
    const row = this.worksheet.getRow(this.nextRow);
    cells.forEach((cell, index) => {
      if (cell.value === null || cell.value === undefined) return;
      const target = row.getCell(index + 1);
      target.value = cell.value;
      if (cell.style) target.style = cell.style;
    });
    if (options.height !== undefined) row.height = options.height;
    row.commit();
    this.nextRow += 1;
    forgetFormulas(this.worksheet);
  }
}

function internals(worksheet: ExcelJS.Worksheet): WorksheetWriterInternals {
  return worksheet as unknown as WorksheetWriterInternals;
}

function forgetFormulas(worksheet: ExcelJS.Worksheet): void {
  const sheet = internals(worksheet);
  if (sheet._formulae !== undefined) sheet._formulae = {};
}

function queueOf(worksheet: ExcelJS.Worksheet): QueueStream[] {
  const pipes = internals(worksheet).stream?.pipes;
  return Array.isArray(pipes) ? pipes : [];
}

function bufferedBytes(worksheet: ExcelJS.Worksheet): number {
  const buffers = internals(worksheet).stream?.buffers;
  if (!Array.isArray(buffers)) return 0;
  return buffers.reduce((sum, buffer) => sum + (typeof buffer.length === 'number' ? buffer.length : 0), 0);
}

function queuedBytes(stream: QueueStream): number {
  const writable = stream.writableLength ?? stream._writableState?.length ?? 0;
  const readable = stream.readableLength ?? stream._readableState?.length ?? 0;
  return writable + readable;
}
