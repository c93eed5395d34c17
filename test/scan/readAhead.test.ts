/** readAheadUntil: pages keep coming while the gate is pending, bounded, in order, errors where they happened. */
import { describe, expect, it } from 'vitest';
import { readAheadUntil } from '../../src/scan/readAhead';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A source that counts how many items were requested. */
function counting(items: number, failAt?: number) {
  let requested = 0;
  async function* source(): AsyncGenerator<number> {
    for (let i = 0; i < items; i++) {
      requested += 1;
      await settle();
      if (i === failAt) throw new Error(`item ${i} failed`);
      yield i;
    }
  }
  return { iterator: source()[Symbol.asyncIterator](), requested: () => requested };
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('readAheadUntil', () => {
  it('requests up to the limit ahead while the gate is pending, then only what the consumer asks for', async () => {
    const source = counting(50);
    const g = gate();
    const ahead = readAheadUntil(source.iterator, g.promise, 5);
    const first = ahead.next();
    for (let i = 0; i < 40; i++) await settle();
    expect(source.requested()).toBe(6); // the one asked for, and five ahead
    g.open();
    await settle();
    const seen = [(await first).value];
    for (;;) {
      const result = await ahead.next();
      if (result.done) break;
      seen.push(result.value);
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('hands an error to the consumer at the item that failed, after the items before it', async () => {
    const source = counting(10, 3);
    const g = gate();
    const ahead = readAheadUntil(source.iterator, g.promise, 8);
    const results: unknown[] = [];
    results.push((await ahead.next()).value);
    for (let i = 0; i < 20; i++) await settle();
    g.open();
    results.push((await ahead.next()).value, (await ahead.next()).value);
    await expect(ahead.next()).rejects.toThrow('item 3 failed');
    expect(results).toEqual([0, 1, 2]);
  });

  it('reads nothing ahead once the gate has settled', async () => {
    const source = counting(10);
    const ahead = readAheadUntil(source.iterator, Promise.resolve(), 8);
    await settle();
    await ahead.next();
    for (let i = 0; i < 20; i++) await settle();
    expect(source.requested()).toBe(1);
  });
});
