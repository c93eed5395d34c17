/**
 * One line of progress on a terminal for long CLI work (scan, export, report, diff): counts so far, the rate,
 * and an estimate of the time left when a total is known. The line is redrawn in place with `\r`, at most every
 * `intervalMs`, and cleared at the end, so what remains on screen is the command's own output. When the stream
 * is not a terminal (piped, redirected, CI) nothing at all is written: logs and files get no progress text.
 * The clock and the stream are injectable, so the behaviour is tested without a terminal and without waiting.
 */
import type { Logger } from '../observability/logger';

/** What the reporter needs of a stream; process.stderr qualifies. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** Terminal width; a longer line is cut so it never wraps (a wrapped line cannot be redrawn with `\r`). */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds since some fixed point; default performance.now. */
  now?: () => number;
  /** Least time between two redraws; default 250 ms. */
  intervalMs?: number;
}

export interface ProgressUpdate {
  /** Units done so far (groups, rows). */
  done: number;
  /** Units in all, when known (an estimate is fine); without it no percentage and no time left are shown. */
  total?: number | null;
  /** Shown before the counts, e.g. "12 pages". */
  detail?: string;
}

export interface ProgressLine {
  update(update: ProgressUpdate): void;
  /** Clears the line; later updates are ignored. */
  finish(): void;
}

/** The terminal's one progress line: a new line replaces the current one. */
export interface ProgressDisplay {
  /** False when the stream is not a terminal (or the display is disabled): then nothing is ever written. */
  readonly active: boolean;
  line(label: string, unit: string): ProgressLine;
  /** The logger with the current line cleared before each message and drawn again after it. */
  around(log: Logger): Logger;
}

const DEFAULT_INTERVAL_MS = 250;
/** A rate measured over less time than this is noise, so neither rate nor time left is shown before it. */
const MIN_RATE_WINDOW_MS = 1_000;

const number = (value: number): string => Math.round(value).toLocaleString('en-US');

/** "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The text of one progress line. The rate counts from `since` (the first update), so a resumed scan that starts
 * at 40,000 groups does not claim 40,000 groups a second. The time left needs a total above `done`.
 */
export function progressText(label: string, unit: string, update: ProgressUpdate, since: { done: number; at: number }, now: number): string {
  const { done, total } = update;
  const parts: string[] = [];
  if (update.detail) parts.push(update.detail);
  const known = total != null && total >= done && total > 0;
  parts.push(known ? `${number(done)} of ${number(total)} ${unit} (${Math.floor((done / total) * 100)}%)` : `${number(done)} ${unit}`);
  const elapsed = now - since.at;
  if (elapsed >= MIN_RATE_WINDOW_MS) {
    const perSecond = ((done - since.done) * 1000) / elapsed;
    parts.push(`${number(perSecond)} ${unit}/s`);
    if (known && perSecond > 0 && total > done) parts.push(`about ${formatDuration(((total - done) / perSecond) * 1000)} left`);
  }
  return `${label}: ${parts.join(', ')}`;
}

export function createProgressDisplay(options: ProgressOptions & { enabled?: boolean } = {}): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const active = options.enabled !== false && stream.isTTY === true;
  /** Characters on screen now (to blank out when a shorter line or nothing replaces them). */
  let shown = 0;
  /** Draws the current line again (after a log message), or null when there is none. */
  let redraw: (() => void) | null = null;

  const clear = (): void => {
    if (shown > 0) stream.write(`\r${' '.repeat(shown)}\r`);
    shown = 0;
  };
  const show = (text: string): void => {
    const width = stream.columns && stream.columns > 1 ? stream.columns - 1 : Infinity;
    const cut = text.slice(0, width);
    stream.write(`\r${cut}${' '.repeat(Math.max(0, shown - cut.length))}`);
    shown = cut.length;
  };

  const INACTIVE: ProgressLine = { update: () => {}, finish: () => {} };
  let current: { finish(): void } | null = null;

  return {
    active,
    line(label, unit) {
      if (!active) return INACTIVE;
      current?.finish();
      let since: { done: number; at: number } | null = null;
      let last: ProgressUpdate | null = null;
      let lastDrawAt = -Infinity;
      let finished = false;
      const draw = (): void => {
        if (!last || !since) return;
        lastDrawAt = now();
        show(progressText(label, unit, last, since, lastDrawAt));
      };
      const line: ProgressLine = {
        update(update) {
          if (finished) return;
          const at = now();
          since ??= { done: update.done, at };
          last = update;
          if (at - lastDrawAt >= intervalMs) draw();
        },
        finish() {
          if (finished) return;
          finished = true;
          clear();
          if (current === line) {
            current = null;
            redraw = null;
          }
        },
      };
      current = line;
      redraw = draw;
      return line;
    },
    around(log) {
      if (!active) return log;
      const wrap =
        (write: Logger['info']): Logger['info'] =>
        (message, properties) => {
          const visible = shown > 0;
          clear();
          write(message, properties);
          if (visible) redraw?.();
        };
      return { info: wrap(log.info), warn: wrap(log.warn), error: wrap(log.error) };
    },
  };
}
