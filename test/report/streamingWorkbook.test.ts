import { describe, expect, it } from 'vitest';
import { text } from '../../src/report/cells';
import { StreamingWorkbook } from '../../src/report/streamingWorkbook';
import { sheet, writeAndRead } from './workbooks';

const columns = [{ header: 'A', width: 10 }];

describe('StreamingWorkbook', () => {
  it('refuses a second sheet while the first is open, because exceljs would buffer it whole', async () => {
    await writeAndRead(async (out) => {
      const workbook = new StreamingWorkbook(out);
      const first = workbook.addSheet('First', { columns, header: true });
      expect(() => workbook.addSheet('Second', { columns, header: true })).toThrow(/must be committed/);
      first.commit();
      await expect(first.add([text('late')])).rejects.toThrow(/committed/);
      workbook.addSheet('Second', { columns, header: false });
      await workbook.commit();
    });
  });

  it('fails instead of waiting forever when the output is destroyed', async () => {
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const workbook = new StreamingWorkbook(out);
    const worksheet = workbook.addSheet('Rows', { columns, header: true });
    out.destroy(new Error('client went away'));
    await expect(worksheet.add([text('x')])).rejects.toThrow('client went away');
  });

  it('writes a header-less sheet without frozen panes or filter', async () => {
    const workbook = await writeAndRead(async (out) => {
      const book = new StreamingWorkbook(out);
      const plain = book.addSheet('Plain', { columns, header: false });
      await plain.add([text('one')]);
      await book.commit();
    });
    const plain = sheet(workbook, 'Plain');
    expect(plain.getRow(1).getCell(1).value).toBe('one');
    expect(plain.autoFilter).toBeUndefined();
    expect((plain.views ?? []).some((view) => view.state === 'frozen')).toBe(false);
  });
});
