/** The terminal progress line, with a fake stream and a hand-driven clock: no terminal, no waiting. */
import { describe, expect, it } from 'vitest';
import { createProgressDisplay, formatDuration, progressText, type ProgressStream } from '../../src/cli/progress';
import { withRowProgress, withScanProgress } from '../../src/cli/commandProgress';
import type { Logger } from '../../src/observability/logger';

function fakeTerminal(isTTY: boolean, columns?: number): ProgressStream & { out: string[]; screen(): string } {
  const out: string[] = [];
  return {
    isTTY,
    columns,
    out,
    write(text: string) {
      out.push(text);
      return true;
    },
    /** What a terminal shows on the current line after all writes: `\r` returns to its start. */
    screen() {
      let line = '';
      let cursor = 0;
      for (const ch of out.join('')) {
        if (ch === '\r') cursor = 0;
        else if (ch === '\n') {
          line = '';
          cursor = 0;
        } else {
          line = line.slice(0, cursor) + ch + line.slice(cursor + 1);
          cursor += 1;
        }
      }
      return line.trimEnd();
    },
  };
}

function clock(start = 0): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('progress line', () => {
  it('writes nothing at all when the stream is not a terminal', async () => {
    const stream = fakeTerminal(false);
    const display = createProgressDisplay({ stream, now: clock().now });
    expect(display.active).toBe(false);
    const line = display.line('Scanning', 'groups');
    line.update({ done: 10, total: 100 });
    line.finish();
    const log: Logger = { info: () => {}, warn: () => {}, error: () => {} };
    expect(display.around(log)).toBe(log);
    let called: unknown = 'not called';
    await withScanProgress(display, async (onProgress) => void (called = onProgress));
    expect(called).toBeUndefined();
    expect(stream.out).toEqual([]);
  });

  it('writes nothing when disabled, even on a terminal', () => {
    const stream = fakeTerminal(true);
    const display = createProgressDisplay({ stream, enabled: false });
    display.line('Exporting', 'rows').update({ done: 1 });
    expect(display.active).toBe(false);
    expect(stream.out).toEqual([]);
  });

  it('draws at once, then at most once per interval, in place, and clears the line at the end', () => {
    const stream = fakeTerminal(true);
    const time = clock();
    const line = createProgressDisplay({ stream, now: time.now, intervalMs: 250 }).line('Exporting', 'rows');
    line.update({ done: 0, total: 1000 });
    expect(stream.out).toHaveLength(1);
    expect(stream.out[0]).toBe('\rExporting: 0 of 1,000 rows (0%)');
    time.advance(100);
    line.update({ done: 10, total: 1000 });
    time.advance(100);
    line.update({ done: 20, total: 1000 });
    expect(stream.out).toHaveLength(1); // throttled
    time.advance(50);
    line.update({ done: 30, total: 1000 });
    expect(stream.out).toHaveLength(2);
    expect(stream.out[1]!.startsWith('\r')).toBe(true);
    expect(stream.out.join('')).not.toContain('\n');
    expect(stream.screen()).toBe('Exporting: 30 of 1,000 rows (3%)');
    line.finish();
    expect(stream.screen()).toBe('');
    line.update({ done: 40, total: 1000 });
    line.finish();
    expect(stream.screen()).toBe('');
    expect(stream.out.join('')).not.toContain('\n');
  });

  it('blanks out what a longer line left behind, and never wraps a narrow terminal', () => {
    const stream = fakeTerminal(true, 30);
    const time = clock();
    const line = createProgressDisplay({ stream, now: time.now, intervalMs: 0 }).line('Scanning', 'groups');
    line.update({ done: 123456, detail: '12 pages' });
    expect(stream.screen()).toBe('Scanning: 12 pages, 123,456 g');
    expect(stream.screen().length).toBe(29);
    const wide = fakeTerminal(true);
    const other = createProgressDisplay({ stream: wide, now: time.now, intervalMs: 0 }).line('Scanning', 'groups');
    other.update({ done: 123456, detail: '12 pages' });
    other.update({ done: 1 });
    expect(wide.screen()).toBe('Scanning: 1 groups');
  });

  it('clears the line for a log message and draws it again after', () => {
    const stream = fakeTerminal(true);
    const time = clock();
    const display = createProgressDisplay({ stream, now: time.now });
    const logged: string[] = [];
    const log = display.around({
      info: (m) => {
        logged.push(`[${stream.screen()}]${m}`);
        stream.write(`${m}\n`);
      },
      warn: () => {},
      error: () => {},
    });
    const line = display.line('Scanning', 'groups');
    line.update({ done: 5 });
    log.info('Scan 1 started.');
    expect(logged).toEqual(['[]Scan 1 started.']);
    expect(stream.screen()).toBe('Scanning: 5 groups');
    line.finish();
    log.info('Done.');
    expect(stream.screen()).toBe('');
  });

  it('a new line replaces the one before', () => {
    const stream = fakeTerminal(true);
    const display = createProgressDisplay({ stream, now: clock().now });
    display.line('Scanning', 'groups').update({ done: 5000 });
    display.line('Writing report', 'rows').update({ done: 1 });
    expect(stream.screen()).toBe('Writing report: 1 rows');
  });
});

describe('rate and time left', () => {
  const since = { done: 0, at: 0 };

  it('shows the rate since the first update and the time left from it', () => {
    expect(progressText('Exporting', 'rows', { done: 200, total: 1000 }, since, 2000)).toBe('Exporting: 200 of 1,000 rows (20%), 100 rows/s, about 8 s left');
    expect(progressText('Scanning', 'groups', { done: 30_000, total: 500_000, detail: '30 pages' }, since, 60_000)).toBe(
      'Scanning: 30 pages, 30,000 of 500,000 groups (6%), 500 groups/s, about 15 min 40 s left',
    );
    expect(progressText('Scanning', 'groups', { done: 1000, total: 8_200_000 }, since, 1000)).toBe('Scanning: 1,000 of 8,200,000 groups (0%), 1,000 groups/s, about 2 h 16 min left');
  });

  it('counts a resumed run from where it started, not from zero', () => {
    expect(progressText('Scanning', 'groups', { done: 40_500, total: 50_000 }, { done: 40_000, at: 10_000 }, 15_000)).toBe(
      'Scanning: 40,500 of 50,000 groups (81%), 100 groups/s, about 1 min 35 s left',
    );
  });

  it('shows no rate in the first second, and no estimate without a usable total', () => {
    expect(progressText('Exporting', 'rows', { done: 10, total: 1000 }, since, 999)).toBe('Exporting: 10 of 1,000 rows (1%)');
    expect(progressText('Diffing', 'rows', { done: 300, total: null }, since, 3000)).toBe('Diffing: 300 rows, 100 rows/s');
    // Graph's count is eventually consistent: a tenant that grew past it has no estimate rather than a wrong one.
    expect(progressText('Scanning', 'groups', { done: 600, total: 500 }, since, 3000)).toBe('Scanning: 600 groups, 200 groups/s');
    expect(progressText('Scanning', 'groups', { done: 0, total: 500 }, since, 3000)).toBe('Scanning: 0 of 500 groups (0%), 0 groups/s');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('1 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(60_000)).toBe('1 min 0 s');
    expect(formatDuration(3_599_000)).toBe('59 min 59 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
  });
});

describe('command progress', () => {
  it('turns scan progress into groups of Graph\'s total, with pages, and clears when the scan ends or fails', async () => {
    const stream = fakeTerminal(true);
    const time = clock();
    const display = createProgressDisplay({ stream, now: time.now, intervalMs: 0 });
    const shown: string[] = [];
    await withScanProgress(display, async (onProgress) => {
      onProgress!({ pages: 0, groups: 0, total: null, finished: false });
      shown.push(stream.screen());
      time.advance(2000);
      onProgress!({ pages: 3, groups: 2997, total: 9990, finished: false });
      shown.push(stream.screen());
      // Paging is over: the line goes before whatever the command prints next.
      onProgress!({ pages: 10, groups: 9990, total: 9990, finished: true });
      shown.push(stream.screen());
    });
    expect(shown).toEqual(['Scanning: 0 pages, 0 groups', 'Scanning: 3 pages, 2,997 of 9,990 groups (30%), 1,499 groups/s, about 5 s left', '']);
    expect(stream.screen()).toBe('');
    await expect(
      withRowProgress(display, 'Writing report', 10, async (onProgress) => {
        onProgress!(4);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(stream.screen()).toBe('');
    expect(stream.out.join('')).toContain('Writing report: 4 of 10 rows (40%)');
  });
});
