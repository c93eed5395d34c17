/**
 * The Graph transport against the emulator: which answers are retried and how long is waited (an instant
 * clock records it), and the typed errors a caller gets when Graph refuses or the retries run out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GraphRequestError } from '../../src/graph/graphError';
import { DeltaTokenExpiredError } from '../../src/graph/groupReader';
import { instantClock, startWorld, type World } from '../helpers/world';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function transportWorld(env: Record<string, string> = {}) {
  const clock = instantClock();
  world = await startWorld({ emulator: { groups: 5 }, env, clock });
  return { world, clock, deps: world.services.scanDependencies() };
}

/** The error the promise rejects with, which must be a GraphRequestError. */
function rejection(promise: Promise<unknown>): Promise<GraphRequestError> {
  return promise.then(
    () => expect.unreachable('expected the request to fail'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(GraphRequestError);
      return error as GraphRequestError;
    },
  );
}

describe('GraphTransport', () => {
  it('retries 429, 503, 504, drops and cut-off bodies, waiting exactly the Retry-After Graph sends', async () => {
    const { world, clock, deps } = await transportWorld();
    world.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 3 });
    world.emulator.faults.failNext(1, { status: 503, retryAfterSeconds: 9 });
    world.emulator.faults.failNext(1, { status: 504, retryAfterSeconds: null });
    world.emulator.faults.failNext(1, { fault: 'drop' });
    world.emulator.faults.failNext(1, { fault: 'truncate' });
    const page = await deps.transport.getJson<{ value: unknown[] }>('/groups?$top=5', 'Reading groups');
    expect(page.value).toHaveLength(5);
    expect(clock.slept.slice(0, 2)).toEqual([3_000, 9_000]);
    expect(clock.slept).toHaveLength(5);
    expect(deps.transport.retries).toBe(5);
    expect(deps.transport.requests).toBe(6);
  });

  it('does not retry a refusal, and says what Graph answered in typed fields', async () => {
    const { world, clock, deps } = await transportWorld();
    world.emulator.faults.failNext(1, { status: 403 });
    const error = await rejection(deps.transport.getJson('/groups', 'Reading groups'));
    expect(error).toMatchObject({ code: 'GraphRequestFailed', statusCode: 403, graphCode: 'generalException' });
    expect(error.message).toMatch(/^Reading groups failed: HTTP 403 generalException .*Group\.Read\.All/);
    expect(error.details).toBeUndefined();
    expect(clock.slept).toEqual([]);
    expect(world.emulator.stats().requests).toBe(1);
  });

  it('keeps the last answer on the error when the attempts run out', async () => {
    const { world, deps } = await transportWorld({ GRAPH_MAX_ATTEMPTS: '3' });
    world.emulator.faults.failAlways({ status: 503, retryAfterSeconds: 1 });
    const throttled = await rejection(deps.transport.getJson('/groups', 'Reading groups'));
    expect(throttled).toMatchObject({ code: 'GraphRetryBudgetExhausted', statusCode: 503, graphCode: 'serviceNotAvailable' });
    expect(throttled.message).toMatch(/^Reading groups failed 3 times \(last: HTTP 503 serviceNotAvailable\).*GRAPH_MAX_ATTEMPTS/);

    world.emulator.faults.failAlways({ fault: 'drop' });
    const dropped = await rejection(deps.transport.getJson('/groups', 'Reading groups'));
    expect(dropped).toMatchObject({ code: 'GraphRetryBudgetExhausted', statusCode: null, graphCode: null });
    expect(dropped.message).toContain('network error');
  });

  it('fails on the wait that would pass the scan budget, shared by every request', async () => {
    const { world, clock, deps } = await transportWorld({ GRAPH_RETRY_BUDGET_SECONDS: '10' });
    world.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 6 });
    await deps.transport.getJson('/groups', 'Reading groups');
    world.emulator.faults.failNext(1, { status: 429, retryAfterSeconds: 6 });
    const error = await rejection(deps.transport.getJson('/groups', 'Reading groups again'));
    expect(error).toMatchObject({ code: 'GraphRetryBudgetExhausted', statusCode: 429, graphCode: 'TooManyRequests' });
    expect(error.message).toMatch(/needs another 6 s of waiting .* more than the 4 s left of GRAPH_RETRY_BUDGET_SECONDS/);
    expect(clock.slept).toEqual([6_000]);
  });
});

describe('GraphGroupReader errors', () => {
  it('gives an expired delta token its own code, with Graph status and code', async () => {
    const { world, deps } = await transportWorld();
    const link = await deps.reader.latestDeltaLink();
    world.emulator.tenant.expireDeltaTokens();
    const error = await rejection(deps.reader.readDelta(link).next());
    expect(error).toBeInstanceOf(DeltaTokenExpiredError);
    expect(error).toMatchObject({ code: 'GraphDeltaTokenExpired', statusCode: 410, graphCode: 'resyncRequired' });
    expect(error.message).toContain('resyncRequired');
  });

  it('reads a group that is gone (404) as null and a refused optional signal (403) as unknown', async () => {
    const { deps } = await transportWorld();
    expect(await deps.reader.readGroup('00000000-0000-0000-0000-000000000000')).toBeNull();
    const denied = await startWorld({ emulator: { groups: 3, permissions: { onPremSync: false, organization: false } }, clock: instantClock() });
    try {
      const context = await denied.services.scanDependencies().reader.readTenantContext();
      expect(context).toMatchObject({ groupWritebackFeatureEnabled: null, lastDirectorySyncDateTime: null });
    } finally {
      await denied.close();
    }
  });
});
