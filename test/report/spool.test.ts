import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../src/report/spool';

describe('Spool', () => {
  it('gives back every record in order from a temporary file, and removes the file on close', async () => {
    const spool = await Spool.open<{ id: string; n: number; text: string | null }>();
    const records = Array.from({ length: 20_000 }, (_, n) => ({ id: `g${n}`, n, text: n % 3 ? `line\nbreak "${n}"` : null }));
    for (const record of records) await spool.push(record);
    const back = [];
    for await (const record of spool.drain()) back.push(record);
    expect(back).toEqual(records);
    const dir = (spool as unknown as { dir: string }).dir;
    expect(existsSync(dir)).toBe(true);
    await spool.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('removes the file when closed without being drained', async () => {
    const spool = await Spool.open<number>();
    await spool.push(1);
    const dir = (spool as unknown as { dir: string }).dir;
    await spool.close();
    expect(existsSync(dir)).toBe(false);
  });
});
