/** The what-if workbook: the diff report's layout, with the scan as stored on the left and the what-if on the right. */
import type { Writable } from 'node:stream';
import type { WhatIf } from '../diff/whatIf';
import type { DiffSummary } from '../model';
import { writeDiffReport } from './diffReport';

export async function writeWhatIfReport(out: Writable, whatIf: WhatIf): Promise<{ rows: number; summary: DiffSummary }> {
  // Counted first so the Summary leads the workbook; the snapshot is then streamed again for the rows.
  const summary = await whatIf.summarize();
  const { rows } = await writeDiffReport(out, {
    summary,
    changes: () => whatIf.changes(),
    engines: { from: whatIf.assumed, to: whatIf.engines },
    title: 'Writeback Watch: what-if under other writeback engines',
  });
  return { rows, summary };
}
