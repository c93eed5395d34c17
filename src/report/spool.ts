/**
 * A temporary JSON-lines file for rows a later sheet needs: the report reads the snapshot once and keeps what
 * the Findings sheet needs on disk instead of in memory (a 500,000-group tenant would not fit) or in a second
 * pass over Table Storage (slow). The file is removed when the spool is closed.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';

export class Spool<T> {
  private failure: Error | null = null;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly out: WriteStream,
  ) {
    // A write that fails (disk full) surfaces at the next push or at drain, never as an unhandled error.
    out.on('error', (error) => (this.failure ??= error));
  }

  static async open<T>(): Promise<Spool<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'writeback-watch-'));
    const file = join(dir, 'spool.jsonl');
    const out = createWriteStream(file);
    await once(out, 'open');
    return new Spool<T>(dir, file, out);
  }

  /** Appends one record; waits when the file lags behind. */
  async push(record: T): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.out.write(`${JSON.stringify(record)}\n`)) await once(this.out, 'drain');
  }

  /** Every record pushed, in order. Call once, after the last push. */
  async *drain(): AsyncGenerator<T> {
    this.out.end();
    await finished(this.out);
    if (this.failure) throw this.failure;
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield JSON.parse(line) as T;
  }

  async close(): Promise<void> {
    if (!this.out.writableFinished) {
      this.out.end();
      await finished(this.out).catch(() => undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
