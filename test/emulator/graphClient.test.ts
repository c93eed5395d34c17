/**
 * The real @microsoft/microsoft-graph-client against the emulator. Two client behaviours matter to
 * anyone pointing it at a loopback URL (read from the client's GraphRequest.parsePath and
 * AuthenticationHandler, version 3.0.7):
 * - its AuthenticationHandler only adds the bearer token to https URLs of Graph or `customHosts`, so
 *   with an http base URL `Client.init` sends no token at all;
 * - `client.api(absoluteUrl)` takes the host from an https link (a Graph nextLink would go to
 *   graph.microsoft.com, not to the configured base URL) and mangles http links; a link must be
 *   rebased to a path (`/groups?...`) before it is handed to `client.api`.
 */
import { Client, GraphError, HTTPMessageHandler, RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/emulator/server';
import { emulator, TOKEN } from './helpers';

/** Adds the bearer token whatever the URL scheme (the client's own handler skips http URLs). */
class BearerToken implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly token: string) {}
  async execute(context: Context): Promise<void> {
    const options = context.options ?? {};
    // The client builds request headers as a plain object (GraphRequest.updateRequestOptions).
    const headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${this.token}` };
    context.options = { ...options, headers };
    if (!this.next) throw new Error('BearerToken must not be the last middleware');
    await this.next.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function clientFor(em: RunningEmulator): Client {
  const bearer = new BearerToken(TOKEN);
  const retry = new RetryHandler(new RetryHandlerOptions(0, 3));
  bearer.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: bearer, baseUrl: em.url, defaultVersion: 'beta', customHosts: new Set(['127.0.0.1']) });
}

/** The path and query of a Graph link, without origin and version: what `client.api` can follow. */
function relativeLink(link: string): string {
  const url = new URL(link);
  return `${url.pathname.replace(/^\/beta(?=\/)/, '')}${url.search}`;
}

interface Page {
  value: { id: string; displayName?: string; writebackConfiguration?: unknown }[];
  '@odata.nextLink'?: string;
}

describe('the real Graph client against the emulator', () => {
  it('pages through every group following nextLinks', async () => {
    const em = await emulator({ groups: 2_345, seed: 21 });
    const client = clientFor(em);
    const seen: string[] = [];
    let page = (await client.api('/groups').select(['id', 'displayName', 'writebackConfiguration']).top(999).get()) as Page;
    let pages = 1;
    for (;;) {
      seen.push(...page.value.map((g) => g.id));
      const next = page['@odata.nextLink'];
      if (!next) break;
      expect(next.startsWith('https://graph.microsoft.com/beta/groups?')).toBe(true);
      page = (await client.api(relativeLink(next)).get()) as Page;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...em.tenant.allGroups()].map((g) => g.id));
    expect(em.stats().byRoute['GET /beta/groups']).toBe(3);
  });

  it('follows emulator-origin links the same way', async () => {
    const em = await emulator({ groups: 30, links: 'emulator' });
    const client = clientFor(em);
    const first = (await client.api('/groups').top(20).get()) as Page;
    const second = (await client.api(relativeLink(first['@odata.nextLink'] ?? '')).get()) as Page;
    expect([...first.value, ...second.value].map((g) => g.id)).toEqual([...em.tenant.allGroups()].map((g) => g.id));
  });

  it('retries a 429 with the client RetryHandler using the emulator Retry-After', async () => {
    const em = await emulator({ groups: 5 });
    em.faults.failNext(2, { status: 429, retryAfterSeconds: 0 });
    const page = (await clientFor(em).api('/groups').get()) as Page;
    expect(page.value).toHaveLength(5);
    expect(em.stats().faults.throttled429).toBe(2);
    expect(em.stats().byStatus['200']).toBe(1);
  });

  it('surfaces Graph errors as GraphError with status and code', async () => {
    const em = await emulator({ groups: 5 });
    const error = await clientFor(em).api('/groups').top(1000).get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).statusCode).toBe(400);
    expect((error as GraphError).code).toBe('Request_UnsupportedQuery');
  });

  it('reads member counts as text with ConsistencyLevel: eventual', async () => {
    const em = await emulator({ groups: 10 });
    const id = [...em.tenant.allGroups()][4]?.id ?? '';
    const count: unknown = await clientFor(em).api(`/groups/${id}/members/$count`).header('ConsistencyLevel', 'eventual').get();
    expect(Number(count)).toBe(em.tenant.memberCount(id));
  });

  it('gets no token from Client.init with an http base URL (client behaviour, see file comment)', async () => {
    const em = await emulator({ groups: 5 });
    const client = Client.init({
      authProvider: (done) => done(null, TOKEN),
      baseUrl: em.url,
      defaultVersion: 'beta',
      customHosts: new Set(['127.0.0.1']),
    });
    const error = await client.api('/groups').get().catch((e: unknown) => e);
    expect((error as GraphError).statusCode).toBe(401);
    expect((error as GraphError).code).toBe('InvalidAuthenticationToken');
  });
});
