/**
 * GET (or write) against Graph with retries: each request is one `sendGraphRequest` attempt, repeated through
 * the scan's retry policy (throttling with Retry-After, network drops, cut-off bodies) within its budget.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphRequestError } from './graphError';
import type { Clock } from '../retry/clock';
import { retryPolicy, withRetries, type GiveUp, type RetryPolicy } from '../retry/retryPolicy';
import { RetryBudget } from '../retry/strategies';
import { sendGraphRequest, type GraphAnswer, type GraphFailure } from './graphRequest';

/** Hosts Graph hands out in @odata.nextLink / deltaLink (public and national clouds). */
const GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

export interface GraphRequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called with a successful answer's body before it is parsed (and again for each retried answer). */
  onBody?: (text: string) => void;
  /** Graph version of a relative path (default beta); an absolute link carries its own. */
  version?: GraphVersion;
}

export type GraphVersion = 'beta' | 'v1.0';

export interface GraphTransportOptions {
  /** One scan's policy (scanRetryPolicy): its budget is shared by every request of the transport. */
  retry: RetryPolicy;
  requestTimeoutMs: number;
  /** The configured Graph root; links pointing at it are accepted as well as Graph's own hosts. */
  baseUrl: string;
}

/**
 * The retry policy of one scan: GRAPH_MAX_ATTEMPTS per request, exponential backoff from 1 s (at most 30 s)
 * when Graph gives no Retry-After and exactly Graph's Retry-After when it does (Graph throttling guidance),
 * all within one GRAPH_RETRY_BUDGET_SECONDS budget of waiting.
 */
export function scanRetryPolicy(options: { maxAttempts: number; budgetMs: number; clock?: Clock; random?: () => number }): RetryPolicy {
  return retryPolicy({
    maxAttempts: options.maxAttempts,
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    retryAfter: 'replacesBackoff',
    strategies: [new RetryBudget(options.budgetMs)],
    clock: options.clock,
    random: options.random,
  });
}

export class GraphTransport {
  private readonly baseHost: string;
  requests = 0;
  /** Waits taken, over every request of this transport (one scan). */
  retries = 0;

  constructor(
    readonly client: Client,
    private readonly options: GraphTransportOptions,
  ) {
    this.baseHost = new URL(options.baseUrl).host;
  }

  /**
   * Turns a path ("/groups?$top=5") or an absolute Graph link into { version, path } for the client. The client
   * would send an absolute https link to the host inside it (graph.microsoft.com) rather than the configured
   * base URL, and would not touch an http one at all, so links are reduced to a relative path here.
   */
  toRelative(pathOrLink: string, pathVersion: GraphVersion = 'beta'): { version: string; path: string } {
    if (!/^https?:\/\//i.test(pathOrLink)) {
      // Most reads are beta; a path may name its version ("/v1.0/auditLogs/..."), or the request its option
      // (the synchronization API is read on v1.0).
      const versioned = /^\/(v1\.0|beta)(\/.*)$/i.exec(pathOrLink);
      return versioned ? { version: versioned[1]!.toLowerCase(), path: versioned[2]! } : { version: pathVersion, path: pathOrLink };
    }
    const url = new URL(pathOrLink);
    if (!GRAPH_HOSTS.has(url.hostname.toLowerCase()) && url.host !== this.baseHost) {
      throw new GraphRequestError(
        'GraphRequestFailed',
        `Graph returned a paging link to an unexpected host (${url.host}); refusing to send the token there.`,
      );
    }
    const [, version = 'beta', ...rest] = url.pathname.split('/');
    return { version, path: `/${rest.join('/')}${url.search}` };
  }

  async getJson<T>(pathOrLink: string, what: string, options: GraphRequestOptions = {}): Promise<T> {
    const { text, parsed, json } = await this.send('GET', pathOrLink, what, undefined, options);
    if (parsed) return json as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      // A body that is valid but not declared (or not) JSON.
      throw new GraphRequestError('GraphRequestFailed', `${what}: Graph answered with a body that is not JSON.`, {}, { cause: error });
    }
  }

  async getText(pathOrLink: string, what: string, options: GraphRequestOptions = {}): Promise<string> {
    return (await this.send('GET', pathOrLink, what, undefined, options)).text;
  }

  async post(path: string, body: unknown, what: string, options: GraphRequestOptions = {}): Promise<string> {
    return (await this.send('POST', path, what, body, options)).text;
  }

  private async send(method: 'GET' | 'POST', pathOrLink: string, what: string, body: unknown, options: GraphRequestOptions): Promise<GraphAnswer> {
    const { version, path } = this.toRelative(pathOrLink, options.version);
    const { clock } = this.options.retry;
    const result = await withRetries(
      this.options.retry,
      async () => {
        this.requests += 1;
        const request = { method, version, path, body, headers: options.headers, signal: options.signal, timeoutMs: this.options.requestTimeoutMs, onBody: options.onBody };
        return sendGraphRequest(this.client, request, () => clock.now());
      },
      { signal: options.signal, onRetry: () => void (this.retries += 1) },
    );
    if (result.ok) return result.value;
    throw result.giveUp.reason === 'notRetryable' ? graphError(what, result.failure) : retriesExhausted(what, result.attempts, result.giveUp, result.failure);
  }
}

/** Graph's 4xx answers are not retried: they need an admin (permission, wrong tenant) or a code fix. */
function graphError(what: string, failure: GraphFailure): GraphRequestError {
  const status = failure.statusCode;
  const hint =
    status === 401
      ? ' Check the identity can get a token for this tenant (TENANT_ID, AZURE_CLIENT_ID).'
      : status === 403
        ? ' Grant the managed identity Group.Read.All and Directory.Read.All (scripts/grant-graph-permissions.ps1).'
        : '';
  return new GraphRequestError('GraphRequestFailed', `${what} failed: HTTP ${status} ${failure.graphCode ?? ''} ${failure.message}.${hint}`.replace(/\s+/g, ' '), failure);
}

/** Carries the last answer's status and code, so a caller can still tell a throttled tenant from an outage. */
function retriesExhausted(what: string, attempts: number, giveUp: GiveUp, failure: GraphFailure): GraphRequestError {
  const lastProblem = failure.problem;
  if (giveUp.reason === 'budgetExhausted') {
    return new GraphRequestError(
      'GraphRetryBudgetExhausted',
      `${what} needs another ${Math.ceil(giveUp.delayMs / 1000)} s of waiting (last: ${lastProblem}), more than the ` +
        `${Math.ceil(giveUp.remainingMs / 1000)} s left of GRAPH_RETRY_BUDGET_SECONDS. The scan stops here; ` +
        'raise the budget or run the scan outside busy hours.',
      failure,
    );
  }
  return new GraphRequestError(
    'GraphRetryBudgetExhausted',
    `${what} failed ${attempts} times (last: ${lastProblem}). Graph may be throttling this app or unavailable; ` +
      'the scan stops here and the next scheduled run starts over. Raise GRAPH_MAX_ATTEMPTS if this repeats.',
    failure,
  );
}
