/**
 * Every route of functions/routes.ts, on the local host, with malformed path and query parameters: the answer
 * is always a 4xx with the API's JSON error shape (or a success), never a 500 and never a stack trace.
 * Query parameters come from docs/openapi.yaml, which a test keeps equal to the route table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HTTP_ROUTES } from '../../functions/routes';
import { runScheduledScan } from '../../src/scan/scheduledScan';
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { startWorld, type World } from '../helpers/world';

const KEY = 'fuzz-key';
/** Raw (already percent-encoded where needed) values for path segments and query values. */
const NASTY = ['%ED%A0%80', '%', '%zz', '%E0%A4%A', '%00', '..', '%2F..%2F', 'x'.repeat(3000), '%F0%9F%99%82', "'%20or%201=1", '-1', '1e309', 'NaN', '0', '99999999999999999999', 'latest%00', ''];

interface Parameter { name: string; in: string }
type Operation = { parameters?: ({ $ref: string } | Parameter)[] };

const api = parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter> };
};

function queryParameters(route: string, method: string): string[] {
  const operation = api.paths[`/${route}`]?.[method.toLowerCase()];
  return (operation?.parameters ?? [])
    .map((p) => ('$ref' in p ? api.components.parameters[p.$ref.split('/').pop()!]! : p))
    .filter((p) => p.in === 'query')
    .map((p) => p.name);
}

let world: World;
let host: RunningFunctionsHost;

beforeAll(async () => {
  world = await startWorld({ emulator: { groups: 60, seed: 3 }, env: { GRAPH_PAGE_SIZE: '50' } });
  // Two complete scans, so the routes get past "no scan yet" and validate what they are given.
  for (let i = 0; i < 2; i += 1) expect((await runScheduledScan(world.services, { trigger: 'cli' })).status).toBe('complete');
  host = await startFunctionsHost({ services: world.services, port: 0, functionKey: KEY, settings: world.env, timers: false, log: () => {} });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await world?.close();
});

async function expectHandled(method: string, path: string): Promise<void> {
  const response = await fetch(`${host.url}/api/${path}`, { method, headers: { 'x-functions-key': KEY } });
  const text = await response.text();
  const where = `${method} /api/${path.slice(0, 120)} answered ${response.status}: ${text.slice(0, 200)}`;
  expect(response.status, where).toBeLessThan(500);
  if (response.status >= 400) {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, where).toBe('string');
    expect(typeof body.error?.message, where).toBe('string');
    expect(String(body.error?.message), where).not.toMatch(/\n\s+at /);
  }
}

describe('every route copes with malformed parameters', () => {
  // POST /scans has no parameters and starts a scan; it is exercised by the API tests.
  const routes = HTTP_ROUTES.flatMap((route) => route.methods.map((method) => ({ route, method }))).filter((r) => !(r.method === 'POST' && r.route.route === 'scans'));

  it.each(routes.filter((r) => r.route.route.includes('{')).map((r) => [`${r.method} ${r.route.route}`, r] as const))('%s: path parameters', async (_, { route, method }) => {
    for (const value of NASTY.filter(Boolean)) {
      await expectHandled(method, route.route.replace(/\{[^}]+\}/g, value));
    }
  });

  it.each(routes.map((r) => [`${r.method} ${r.route.route}`, r] as const))('%s: query parameters', async (_, { route, method }) => {
    const names = queryParameters(route.route, method);
    const path = route.route.replace(/\{[^}]+\}/g, 'latest');
    for (const name of names) {
      for (const value of NASTY) await expectHandled(method, `${path}?${name}=${value}`);
      await expectHandled(method, `${path}?${name}=1&${name}=2`);
    }
  });
});
