/**
 * A real webhook receiver on loopback, for the local demo and the tests: it verifies the signature exactly
 * as a customer's receiver should (raw body, timestamp tolerance, constant-time compare), records what
 * arrived, and answers 401 to anything unsigned or tampered with. Duplicates (same X-WritebackWatch-Delivery,
 * i.e. a retry whose first attempt did arrive) are acknowledged and marked, not handled twice.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../src/errors';
import { DELIVERY_HEADER, verifySignature } from '../../src/alerts/delivery/signature';
import type { WebhookPayload } from '../../src/alerts/delivery/webhook';

const MAX_BODY_BYTES = 1_048_576;

export interface ReceivedAlert {
  receivedAt: Date;
  deliveryId: string | null;
  duplicate: boolean;
  payload: WebhookPayload;
}

export interface WebhookReceiverOptions {
  secret: string;
  /** 0 or omitted = any free port. */
  port?: number;
  /** Called once per new delivery; throwing answers 500, so the sender retries. */
  onAlert?: (payload: WebhookPayload, received: ReceivedAlert) => void | Promise<void>;
  /** One line per request (e.g. console.log); nothing by default. */
  log?: (line: string) => void;
  toleranceMs?: number;
  now?: () => Date;
}

export interface RunningWebhookReceiver {
  url: string;
  port: number;
  /** Every verified delivery, duplicates included, in arrival order. */
  readonly received: readonly ReceivedAlert[];
  /** Requests refused (bad signature, bad JSON), with the reason. */
  readonly rejected: readonly { at: Date; status: number; reason: string }[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<RunningWebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const rejected: { at: Date; status: number; reason: string }[] = [];
  const seen = new Set<string>();
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);

  const refuse = (res: ServerResponse, status: number, reason: string): void => {
    rejected.push({ at: now(), status, reason });
    log(`webhook receiver: refused (${status}) ${reason}`);
    answer(res, status, { error: reason });
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => refuse(res, 500, errorMessage(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'only POST is accepted');
    const body = await readBody(req);
    if (body === null) return refuse(res, 413, `body larger than ${MAX_BODY_BYTES} bytes`);
    const verdict = verifySignature(body, req.headers, options.secret, { now: now(), toleranceMs: options.toleranceMs });
    if (!verdict.valid) return refuse(res, 401, verdict.reason);
    let payload: WebhookPayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as WebhookPayload;
    } catch {
      return refuse(res, 400, 'body is not JSON');
    }
    const header = req.headers[DELIVERY_HEADER.toLowerCase()];
    const deliveryId = (Array.isArray(header) ? header[0] : header) ?? null;
    const duplicate = deliveryId !== null && seen.has(deliveryId);
    const entry: ReceivedAlert = { receivedAt: now(), deliveryId, duplicate, payload };
    if (!duplicate) await options.onAlert?.(payload, entry);
    if (deliveryId) seen.add(deliveryId);
    received.push(entry);
    const a = payload.alert;
    log(`webhook receiver: ${duplicate ? 'duplicate ' : ''}${a?.severity ?? '?'} ${a?.ruleId ?? '?'} ${a?.title ?? ''}`);
    answer(res, 200, { received: true, duplicate });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    port,
    received,
    rejected,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
