/**
 * One request to Graph, judged but not retried: the answer, or a failure saying what went wrong and whether
 * another attempt could help. Responses are taken RAW from the Graph client so status, headers and body are
 * ours to judge. GraphTransport retries these through the retry policy for the scan; the email channel makes
 * one per delivery attempt and leaves retrying to the alert delivery policy.
 */
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { errorMessage } from '../errors';
import { parseRetryAfter, type Attempt, type AttemptFailure } from '../retry/retryPolicy';

/** Graph answers throttling with 429 (sometimes 503/504) plus Retry-After; 500/502 are transient too. */
export const GRAPH_RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export interface GraphRequest {
  method: 'GET' | 'POST';
  version: string;
  /** Relative to the version: "/groups?$top=5". */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Called with a successful answer's body before it is parsed. */
  onBody?: (text: string) => void;
}

export interface GraphAnswer {
  text: string;
  /** True when the body was declared JSON and parsed into `json` (parsed once: a page is about a megabyte). */
  parsed: boolean;
  json: unknown;
}

export interface GraphFailure extends AttemptFailure {
  /** HTTP status of Graph's error answer; null when none came (network error, timeout, cut-off body). */
  statusCode: number | null;
  /** Graph's `error.code`, or null. */
  graphCode: string | null;
  /** Short, for logs and error messages: "HTTP 429 TooManyRequests", "network error: …". */
  problem: string;
  /** Graph's `error.message` (else the start of the body), or what went wrong without an answer. */
  message: string;
}

export async function sendGraphRequest(client: Client, request: GraphRequest, now: () => number): Promise<Attempt<GraphAnswer, GraphFailure>> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    let builder = client.api(request.path).version(request.version).responseType(ResponseType.RAW).option('signal', signal);
    if (request.headers) builder = builder.headers(request.headers);
    const response = (request.method === 'GET' ? await builder.get() : await builder.post(request.body)) as Response;
    const text = await response.text();
    if (response.ok) {
      request.onBody?.(text);
      if (request.method !== 'GET' || response.status === 204 || !response.headers.get('content-type')?.includes('json')) {
        return { ok: true, value: { text, parsed: false, json: undefined } };
      }
      try {
        return { ok: true, value: { text, parsed: true, json: JSON.parse(text) as unknown } };
      } catch {
        // A declared JSON body that does not parse is a truncated answer: worth another attempt.
        const problem = 'the response body was cut off';
        return { ok: false, failure: { retryable: true, retryAfterMs: null, statusCode: null, graphCode: null, problem, message: problem } };
      }
    }
    const { code, message } = graphErrorBody(text);
    return {
      ok: false,
      failure: {
        retryable: GRAPH_RETRYABLE_STATUS.has(response.status),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
        statusCode: response.status,
        graphCode: code,
        problem: `HTTP ${response.status}${code ? ` ${code}` : ''}`,
        message,
      },
    };
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const problem = timeout.aborted ? `no answer within ${request.timeoutMs / 1000} s` : `network error: ${errorMessage(error)}`;
    return { ok: false, failure: { retryable: true, retryAfterMs: null, statusCode: null, graphCode: null, problem, message: problem } };
  }
}

/** Graph's error body `{ error: { code, message } }`; the raw start of the body when it is not one. */
function graphErrorBody(text: string): { code: string | null; message: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return { code: parsed.error?.code || null, message: parsed.error?.message ?? text.slice(0, 300) };
  } catch {
    return { code: null, message: text.slice(0, 300) };
  }
}
