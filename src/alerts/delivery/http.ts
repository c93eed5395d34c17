/**
 * One JSON POST for the webhook channels. Webhook URLs can carry their secret in the query string (Teams
 * Workflows URLs end in `&sig=...`), so errors name the host only, never the URL.
 */
import { errorMessage } from '../../errors';
import { parseRetryAfter } from '../../retry/retryPolicy';
import { DeliveryError, isRetryableStatus } from './channel';

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  now?: () => number;
}

export async function postJson(url: string, body: string, options: PostOptions = {}): Promise<void> {
  const host = hostOf(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'WritebackWatch', ...options.headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new DeliveryError(`POST to ${host} failed without a response (${cause ?? errorMessage(error)})`, { retryable: true, cause: error });
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), (options.now ?? Date.now)());
  throw new DeliveryError(`POST to ${host} answered ${response.status}${text ? `: ${text}` : ''}`, {
    status: response.status,
    retryable: isRetryableStatus(response.status),
    retryAfterMs,
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
