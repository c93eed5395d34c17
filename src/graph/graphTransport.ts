/**
 * One GET (or write) against Graph with retries: throttling (429/503/504 + Retry-After), network drops and
 * cut-off bodies. Responses are taken RAW from the Graph client so status, headers and body are ours to judge.
 */
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { WritebackWatchError, errorMessage } from '../errors';
import { RETRYABLE_STATUS, RetryBudget, parseRetryAfter, systemClock, type Clock } from './retryPolicy';

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
  budget: RetryBudget;
  requestTimeoutMs: number;
  /** The configured Graph root; links pointing at it are accepted as well as Graph's own hosts. */
  baseUrl: string;
  clock?: Clock;
}

export class GraphTransport {
  private readonly clock: Clock;
  private readonly baseHost: string;
  requests = 0;

  constructor(
    readonly client: Client,
    private readonly options: GraphTransportOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.baseHost = new URL(options.baseUrl).host;
  }

  get retries(): number {
    return this.options.budget.retries;
  }

  /**
   * Turns a path ("/groups?$top=5") or an absolute Graph link into { version, path } for the client. The client
   * would send an absolute https link to the host inside it (graph.microsoft.com) rather than the configured
   * base URL, and would not touch an http one at all, so links are reduced to a relative path here.
   */
  toRelative(pathOrLink: string, pathVersion: GraphVersion = 'beta'): { version: string; path: string } {
    if (!/^https?:\/\//i.test(pathOrLink)) return { version: pathVersion, path: pathOrLink };
    const url = new URL(pathOrLink);
    if (!GRAPH_HOSTS.has(url.hostname.toLowerCase()) && url.host !== this.baseHost) {
      throw new WritebackWatchError(
        'GraphRequestFailed',
        `Graph returned a paging link to an unexpected host (${url.host}); refusing to send the token there.`,
      );
    }
    const [, version = 'beta', ...rest] = url.pathname.split('/');
    return { version, path: `/${rest.join('/')}${url.search}` };
  }

  async getJson<T>(pathOrLink: string, what: string, options: GraphRequestOptions = {}): Promise<T> {
    const { text, json } = await this.send('GET', pathOrLink, what, undefined, options);
    if (json !== NOT_JSON) return json as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      // A body that is valid but not declared (or not) JSON.
      throw new WritebackWatchError('GraphRequestFailed', `${what}: Graph answered with a body that is not JSON.`, {}, { cause: error });
    }
  }

  async getText(pathOrLink: string, what: string, options: GraphRequestOptions = {}): Promise<string> {
    return (await this.send('GET', pathOrLink, what, undefined, options)).text;
  }

  async post(path: string, body: unknown, what: string, options: GraphRequestOptions = {}): Promise<string> {
    return (await this.send('POST', path, what, body, options)).text;
  }

  /** The body as text, and parsed when it is JSON (parsed once: a page is about a megabyte). */
  private async send(
    method: 'GET' | 'POST',
    pathOrLink: string,
    what: string,
    body: unknown,
    options: GraphRequestOptions,
  ): Promise<{ text: string; json: unknown }> {
    const { version, path } = this.toRelative(pathOrLink, options.version);
    for (let attempt = 1; ; attempt += 1) {
      const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let problem: string;
      let retryAfterMs: number | null = null;
      try {
        this.requests += 1;
        let request = this.client.api(path).version(version).responseType(ResponseType.RAW).option('signal', signal);
        if (options.headers) request = request.headers(options.headers);
        const response = (method === 'GET' ? await request.get() : await request.post(body)) as Response;
        const text = await response.text();
        if (response.ok) {
          options.onBody?.(text);
          const json = method === 'GET' && response.status !== 204 ? parseJsonBody(text, response.headers.get('content-type')) : NOT_JSON;
          if (json === CUT_OFF) problem = 'the response body was cut off';
          else return { text, json };
        } else if (RETRYABLE_STATUS.has(response.status)) {
          problem = `HTTP ${response.status}${graphErrorCode(text)}`;
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
        } else {
          throw graphError(what, response.status, text);
        }
      } catch (error) {
        if (error instanceof WritebackWatchError) throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        problem = timeout.aborted ? `no answer within ${this.options.requestTimeoutMs / 1000} s` : `network error: ${errorMessage(error)}`;
      }
      const delay = this.options.budget.nextDelay(attempt, retryAfterMs, what, problem);
      await this.clock.sleep(delay, options.signal);
    }
  }
}

const NOT_JSON = Symbol('not JSON');
const CUT_OFF = Symbol('cut off');

/** A JSON body parsed; CUT_OFF when it does not parse (a truncated answer, retried); NOT_JSON for other types. */
function parseJsonBody(text: string, contentType: string | null): unknown {
  if (!contentType?.includes('json')) return NOT_JSON;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return CUT_OFF;
  }
}

function graphErrorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    return code ? ` ${code}` : '';
  } catch {
    return '';
  }
}

/** Graph's 4xx answers are not retried: they need an admin (permission, wrong tenant) or a code fix. */
function graphError(what: string, status: number, text: string): WritebackWatchError {
  let code = '';
  let message = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = parsed.error?.code ?? '';
    message = parsed.error?.message ?? message;
  } catch {
    /* keep the raw text */
  }
  const hint =
    status === 401
      ? ' Check the identity can get a token for this tenant (TENANT_ID, AZURE_CLIENT_ID).'
      : status === 403
        ? ' Grant the managed identity Group.Read.All and Directory.Read.All (scripts/grant-graph-permissions.ps1).'
        : '';
  return new WritebackWatchError('GraphRequestFailed', `${what} failed: HTTP ${status} ${code} ${message}.${hint}`.replace(/\s+/g, ' '), {
    status,
    graphCode: code,
  });
}
