import { describe, expect, it } from 'vitest';
import { RequestPacer } from '../../src/graph/requestPacer';
import type { Clock } from '../../src/retry/clock';

function fakeClock(): Clock & { time: number; slept: number[] } {
  const clock = {
    time: 0,
    slept: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

describe('RequestPacer', () => {
  it('lets 5 requests through per 10 s and waits for the oldest to leave the window', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer({ limit: 5, windowMs: 10_000, clock });
    const starts: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      await pacer.acquire();
      starts.push(clock.time);
      clock.time += 100; // each request takes 100 ms
    }
    expect(starts.slice(0, 5)).toEqual([0, 100, 200, 300, 400]);
    expect(starts[5]).toBe(10_000);
    expect(starts[10]).toBe(20_000);
    // No window of 10 s ever holds more than 5 starts.
    for (let i = 5; i < starts.length; i += 1) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(10_000);
    expect(pacer.waitedMs).toBe(clock.slept.reduce((a, b) => a + b, 0));
  });

  it('does not wait when requests are already spread out', async () => {
    const clock = fakeClock();
    const pacer = new RequestPacer({ limit: 5, windowMs: 10_000, clock });
    for (let i = 0; i < 8; i += 1) {
      await pacer.acquire();
      clock.time += 2_500;
    }
    expect(clock.slept).toEqual([]);
  });
});
