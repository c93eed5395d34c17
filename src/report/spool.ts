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
import { createInterface } from 'node:readline';

export class Spool<T> {
  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly out: WriteStream,
  ) {}

  static async open<T>(): Promise<Spool<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'writeback-watch-'));
    const file = join(dir, 'spool.jsonl');
    const out = createWriteStream(file);
    await once(out, 'open');
    return new Spool<T>(dir, file, out);
  }

  /** Appends one record; waits when the file lags behind. */
  async push(record: T): Promise<void> {
    if (!this.out.write(`${JSON.stringify(record)}\n`)) await once(this.out, 'drain');
  }

  /** Every record pushed, in order. Call once, after the last push. */
  async *drain(): AsyncGenerator<T> {
    this.out.end();
    await once(this.out, 'finish');
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield JSON.parse(line) as T;
  }

  async close(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
