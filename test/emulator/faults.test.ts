import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../dev/emulator/faults';
import type { RunningEmulator } from '../../dev/emulator/server';
import { authHeaders, emulator, get } from './helpers';

type Outcome = number | 'drop' | 'truncate';

/** Makes one request and says what happened: a status, a dropped connection or a cut-off body. */
async function outcome(em: RunningEmulator, path = '/beta/groups?$top=5'): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetch(`${em.url}${path}`, { headers: authHeaders() });
  } catch {
    return 'drop';
  }
  try {
    const text = await response.text();
    if (response.status === 200) JSON.parse(text);
    return response.status;
  } catch {
    return 'truncate';
  }
}

async function outcomes(em: RunningEmulator, count: number): Promise<Outcome[]> {
  const results: Outcome[] = [];
  for (let i = 0; i < count; i++) results.push(await outcome(em));
  return results;
}

const RATES = { rate429: 0.15, rate503: 0.1, rateDrop: 0.1, rateTruncate: 0.1, retryAfterSeconds: 2 };

describe('fault injection', () => {
  it('injects every fault kind from a seeded sequence that replays exactly', async () => {
    const first = await emulator({ groups: 10, faults: { ...RATES, seed: 42 } });
    const second = await emulator({ groups: 10, faults: { ...RATES, seed: 42 } });
    const other = await emulator({ groups: 10, faults: { ...RATES, seed: 43 } });
    const a = await outcomes(first, 120);
    const b = await outcomes(second, 120);
    const c = await outcomes(other, 120);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const kind of [200, 429, 503, 'drop', 'truncate'] as const) expect(a).toContain(kind);

    const stats = first.stats();
    expect(stats.faults.throttled429).toBe(a.filter((o) => o === 429).length);
    expect(stats.faults.unavailable503).toBe(a.filter((o) => o === 503).length);
    expect(stats.faults.dropped).toBe(a.filter((o) => o === 'drop').length);
    expect(stats.faults.truncated).toBe(a.filter((o) => o === 'truncate').length);
    expect(stats.faults.scripted).toBe(0);
    // Truncated and faulted responses are not counted as pages served.
    expect(stats.pages.groups).toBe(a.filter((o) => o === 200).length);
  });

  it('sends Retry-After with 429 and 503 and a Graph error body', async () => {
    const em = await emulator({ groups: 3, faults: { retryAfterSeconds: 4 } });
    em.faults.failNext(1, { status: 429 });
    em.faults.failNext(1, { status: 503, retryAfterSeconds: 9 });
    const throttled = await get(em, '/beta/groups');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('4');
    const body = (await throttled.json()) as { error: { code: string; innerError: { 'request-id': string } } };
    expect(body.error.code).toBe('TooManyRequests');
    expect(body.error.innerError['request-id']).toBe(throttled.headers.get('request-id'));
    const unavailable = await get(em, '/beta/groups');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('9');
    expect((await get(em, '/beta/groups')).status).toBe(200);
    expect(em.stats().faults).toMatchObject({ throttled429: 1, unavailable503: 1, scripted: 2, total: 2 });
  });

  it('fails exactly the next N requests, then recovers', async () => {
    const em = await emulator({ groups: 3 });
    em.faults.failNext(3, { status: 503 });
    expect(await outcomes(em, 5)).toEqual([503, 503, 503, 200, 200]);
    em.faults.failNext(1, { fault: 'drop' });
    em.faults.failNext(1, { fault: 'truncate' });
    em.faults.failNext(1, { status: 504 });
    expect(await outcomes(em, 4)).toEqual(['drop', 'truncate', 504, 200]);
  });

  it('fails every request with failAlways until clear(), and still checks the token first', async () => {
    const em = await emulator({ groups: 3, faults: { rate429: 0.5, seed: 1 } });
    em.faults.failAlways({ status: 500 });
    expect(await outcomes(em, 3)).toEqual([500, 500, 500]);
    expect((await fetch(`${em.url}/beta/groups`)).status).toBe(401);
    em.faults.clear();
    expect(await outcomes(em, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(em.faults.settings.rate429).toBe(0);
  });

  it('truncates bodies after half of the declared Content-Length', async () => {
    const em = await emulator({ groups: 50 });
    em.faults.failNext(1, { fault: 'truncate' });
    const response = await fetch(`${em.url}/beta/groups?$top=50`, { headers: authHeaders() });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(1000);
    await expect(response.text()).rejects.toThrow();
  });

  it('is driven over HTTP by /_emulator controls', async () => {
    const em = await emulator({ groups: 3 });
    const post = (path: string, body?: unknown) =>
      fetch(`${em.url}/_emulator/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

    expect((await post('faults/fail-next', { count: 2, status: 429, retryAfterSeconds: 3 })).status).toBe(204);
    const throttled = await get(em, '/beta/groups');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect((await get(em, '/beta/groups')).status).toBe(429);
    expect((await get(em, '/beta/groups')).status).toBe(200);

    expect((await post('faults', { rate503: 1, retryAfterSeconds: 5 })).status).toBe(200);
    expect((await get(em, '/beta/groups')).status).toBe(503);
    expect((await post('faults/clear')).status).toBe(204);
    expect((await get(em, '/beta/groups')).status).toBe(200);

    const stats = (await (await fetch(`${em.url}/_emulator/stats`)).json()) as { requests: number; faults: { total: number } };
    expect(stats.requests).toBe(5);
    expect(stats.faults.total).toBe(3);
    expect((await post('reset-stats')).status).toBe(204);
    expect(em.stats().requests).toBe(0);

    expect((await post('faults', { rate429: 2 })).status).toBe(400);
    expect((await post('faults/fail-always', { status: 200 })).status).toBe(400);
    expect((await post('nope')).status).toBe(404);

    expect((await post('tenant/default', { value: 'false' })).status).toBe(204);
    expect(em.tenant.tenantDefault()).toBe('false');
    expect((await post('tenant/writeback-feature', { enabled: false })).status).toBe(204);
    expect(em.tenant.groupWritebackFeature()).toBe(false);
    const epoch = em.tenant.deltaEpoch();
    expect((await post('tenant/expire-delta-tokens')).status).toBe(204);
    expect(em.tenant.deltaEpoch()).toBe(epoch + 1);
  });

  it('delays /beta responses by the configured latency, changeable at runtime', async () => {
    const em = await emulator({ groups: 3 });
    expect((await fetch(`${em.url}/_emulator/latency`, { method: 'POST', body: JSON.stringify({ ms: 60_000 }) })).status).toBe(204);
    await expect(fetch(`${em.url}/beta/groups`, { headers: authHeaders(), signal: AbortSignal.timeout(200) })).rejects.toThrow();
    // Control routes are never delayed.
    expect((await fetch(`${em.url}/_emulator/health`)).status).toBe(200);
    em.setLatency(0);
    expect((await get(em, '/beta/groups')).status).toBe(200);
  });
});

describe('FaultInjector', () => {
  it('validates settings and scripts', () => {
    const faults = new FaultInjector();
    expect(() => faults.set({ rate429: -0.1 })).toThrow(/rate429/);
    expect(() => faults.set({ rate429: 0.6, rate503: 0.6 })).toThrow(/sum/);
    expect(() => faults.failNext(0)).toThrow(/positive/);
    expect(() => faults.failNext(1, { status: 302 })).toThrow(/400-599/);
    expect(faults.decide()).toBeNull();
  });

  it('restarts the random sequence when the seed is set again', () => {
    const faults = new FaultInjector({ rate429: 0.5, seed: 7 });
    const first = Array.from({ length: 30 }, () => faults.decide()?.kind ?? 'none');
    faults.set({ seed: 7 });
    const again = Array.from({ length: 30 }, () => faults.decide()?.kind ?? 'none');
    expect(again).toEqual(first);
    expect(first).toContain('status');
    expect(first).toContain('none');
  });
});
