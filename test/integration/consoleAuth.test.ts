/**
 * Console sign-in through the real local Functions host over HTTP: consoleHandler authenticates before the
 * handler runs, the host strips client-sent principal headers, and function-key routes never see a principal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from '../../src/api/http';
import { createServices, type Services } from '../../src/app/services';
import { loadSettings } from '../../src/config/settings';
import { silentLogger } from '../../src/observability/logger';
import { LOCAL_DEVELOPER_OBJECT_ID } from '../../src/auth/consoleAuth';
import { requireRole } from '../../src/auth/consoleAuth';
import type { HttpRoute } from '../../functions/routes';
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { testEnv } from '../helpers/settings';
import { TENANT, principalHeaders, userClaims } from '../helpers/principals';

const KEY = 'test-function-key';
let host: RunningFunctionsHost;
let services: Services;
const forged = principalHeaders(userClaims({ roles: ['Approver'] }), { name: 'alice@contoso.example' });

/** Echoes who the app thinks is calling, and whether a principal header reached the handler. */
async function whoAmI(_services: Services, request: ApiRequest): Promise<ApiResponse> {
  return { status: 200, jsonBody: { principal: request.principal ?? null, principalHeader: request.headers.get('x-ms-client-principal') } };
}

async function approveOnly(s: Services, request: ApiRequest): Promise<ApiResponse> {
  requireRole(request.principal, 'Approver');
  return whoAmI(s, request);
}

const ROUTES: HttpRoute[] = [
  { name: 'testConsoleWhoAmI', route: 'console/test/whoami', methods: ['GET'], authLevel: 'anonymous', handler: whoAmI },
  { name: 'testConsoleApprove', route: 'console/test/approve', methods: ['POST'], authLevel: 'anonymous', handler: approveOnly },
  { name: 'testKeyedWhoAmI', route: 'test/whoami', methods: ['GET'], authLevel: 'function', handler: whoAmI },
];

/** Serves the next requests with these app settings and platform variables (the host reads `services` per request). */
function useSettings(env: Record<string, string>): void {
  services = createServices(loadSettings(testEnv(env)), { log: silentLogger });
}

async function call(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${host.url}/api/${path}`, { headers, method });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  useSettings({});
  const proxy = new Proxy({} as Services, { get: (_, name) => services[name as keyof Services] });
  host = await startFunctionsHost({ services: proxy, routes: ROUTES, port: 0, functionKey: KEY, settings: {}, timers: false, log: () => {} });
});

afterAll(async () => {
  await host?.close();
});

describe('console routes on the local host', () => {
  it('sign in the local developer with the chosen role, and the handler never sees a client-sent principal', async () => {
    useSettings({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' });
    const { status, body } = await call('console/test/whoami', forged);
    expect(status).toBe(200);
    expect(body.principal).toMatchObject({ kind: 'user', objectId: LOCAL_DEVELOPER_OBJECT_ID, tenantId: TENANT, roles: ['Approver'] });
    expect(body.principalHeader).toBeNull();
  });

  it('strip a forged principal even where the app would trust Easy Auth: not signed in, 401', async () => {
    useSettings({ CONSOLE_AUTH: 'entra', WEBSITE_AUTH_ENABLED: 'true' });
    const { status, body } = await call('console/test/whoami', forged);
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: 'Unauthenticated', message: expect.stringMatching(/Not signed in/) });
  });

  it('answer 401 with the API\'s JSON error when sign-in is off, whatever the request brings', async () => {
    useSettings({});
    for (const headers of [{}, forged, { 'x-functions-key': KEY }]) {
      const { status, body } = await call('console/test/whoami', headers);
      expect(status).toBe(401);
      expect(body.error).toMatchObject({ code: 'Unauthenticated', message: expect.stringMatching(/CONSOLE_AUTH=off/) });
    }
  });

  it('let a handler refuse a principal without its role with 403 JSON', async () => {
    useSettings({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Reader' });
    expect((await call('console/test/whoami')).status).toBe(200);
    const refused = await call('console/test/approve', {}, 'POST');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'Forbidden', message: expect.stringMatching(/holds Reader; this needs the Approver role/) });
    useSettings({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' });
    expect((await call('console/test/approve', {}, 'POST')).body.principal.roles).toEqual(['Approver']);
  });

  it('refuse the local developer where Azure is detected', async () => {
    useSettings({ CONSOLE_AUTH: 'local', WEBSITE_INSTANCE_ID: 'abc123' });
    const { status, body } = await call('console/test/whoami');
    expect(status).toBe(401);
    expect(body.error.message).toMatch(/refused in Azure \(WEBSITE_INSTANCE_ID/);
  });
});

describe('function-key routes', () => {
  it('never get a principal, even with sign-in on and a principal header sent', async () => {
    useSettings({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' });
    const { status, body } = await call('test/whoami', { ...forged, 'x-functions-key': KEY });
    expect(status).toBe(200);
    expect(body).toEqual({ principal: null, principalHeader: null });
  });
});
