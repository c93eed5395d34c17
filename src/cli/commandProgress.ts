/**
 * The progress lines of the CLI commands, on top of progress.ts: a scan's pages and groups (with Graph's count
 * as the total when it gives one), and rows written by export, diff and the reports. Each helper hands the work
 * a progress callback only when the line is shown, so a scan outside a terminal does not even ask for the count,
 * and clears the line however the work ends.
 */
import type { ScanProgress } from '../scan/runScan';
import { createProgressDisplay, type ProgressDisplay, type ProgressLine } from './progress';

/**
 * The display for a command. `dataOnStdout`: the command writes its data to stdout; when that is the same
 * terminal, a progress line would land between the data lines, so none is shown.
 */
export function commandProgress(options: { dataOnStdout?: boolean } = {}): ProgressDisplay {
  return createProgressDisplay({ enabled: !(options.dataOnStdout && process.stdout.isTTY) });
}

export function withScanProgress<T>(display: ProgressDisplay, run: (onProgress?: (progress: ScanProgress) => void) => Promise<T>): Promise<T> {
  return withLine(display, 'Scanning', 'groups', (line) =>
    run(
      line &&
        (({ pages, groups, total, finished }) => {
          // Ended as soon as paging is: what follows a scan (alerts, summary) prints its own lines.
          if (finished) line.finish();
          else line.update({ done: groups, total, detail: `${pages.toLocaleString('en-US')} pages` });
        }),
    ),
  );
}

/** `total`: rows expected (a scan's group count), or null when unknown (no percentage, no time left). */
export function withRowProgress<T>(display: ProgressDisplay, label: string, total: number | null, run: (onProgress?: (rows: number) => void) => Promise<T>): Promise<T> {
  return withLine(display, label, 'rows', (line) => {
    line?.update({ done: 0, total });
    return run(line && ((rows) => line.update({ done: rows, total })));
  });
}

async function withLine<T>(display: ProgressDisplay, label: string, unit: string, run: (line?: ProgressLine) => Promise<T>): Promise<T> {
  if (!display.active) return run();
  const line = display.line(label, unit);
  try {
    return await run(line);
  } finally {
    line.finish();
  }
}
