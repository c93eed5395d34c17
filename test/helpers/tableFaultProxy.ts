/**
 * A loopback HTTP proxy in front of Azurite's Table endpoint that forwards every request unchanged and, on a
 * deterministic schedule, makes chosen requests fail the way Table Storage and networks do:
 * - `serverBusy`: 503 with a ServerBusy error, the request never reaches storage;
 * - `dropAfterApply`: the request IS applied by storage, then the client's connection is cut before it sees
 *   the answer (what a timeout or a reset after commit looks like to the client: the hard case);
 * - `delay`: the answer is held for a while before it is sent.
 */
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export type TableFault = { kind: 'serverBusy' } | { kind: 'dropAfterApply' } | { kind: 'delay'; ms: number };

export interface ProxiedRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FaultPlan {
  /** Which requests the schedule counts; default: entity group transactions (POST …/$batch). */
  match?: (request: ProxiedRequest) => boolean;
  /** The fault for the n-th matching request (1-based, counted from setFaults), or null to let it through. */
  faultFor: (ordinal: number) => TableFault | null;
}

export interface TableFaultStats {
  requests: number;
  /** Requests the current plan's predicate matched. */
  matched: number;
  /** Matching requests whose body had been seen before: a client retry re-sending the same request. */
  replays: number;
  serverBusy: number;
  droppedAfterApply: number;
  /** Storage's status for each request applied and then dropped (202 = the batch was committed). */
  droppedStatuses: number[];
  delayed: number;
}

export interface TableFaultProxy {
  /** The upstream connection string with TableEndpoint pointing at the proxy. */
  connectionString: string;
  stats: TableFaultStats;
  /** Replaces the plan (null = no faults) and restarts the ordinal count. */
  setFaults(plan: FaultPlan | null): void;
  close(): Promise<void>;
}

export const isBatchRequest = (request: ProxiedRequest): boolean => request.method === 'POST' && request.path.endsWith('/$batch');

/** Faults on exactly these ordinals of matching requests. */
export function faultsAt(schedule: Record<number, TableFault>): FaultPlan {
  return { faultFor: (ordinal) => schedule[ordinal] ?? null };
}

/** The same fault on every matching request. */
export function faultAlways(fault: TableFault): FaultPlan {
  return { faultFor: () => fault };
}

/** Table Storage's own wording for this error. */
export const SERVER_BUSY_MESSAGE = 'The server is busy.';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export async function startTableFaultProxy(upstreamConnectionString: string): Promise<TableFaultProxy> {
  const endpointMatch = /TableEndpoint=([^;]+)/i.exec(upstreamConnectionString);
  if (!endpointMatch) throw new Error('The connection string has no TableEndpoint.');
  const upstream = new URL(endpointMatch[1]!);
  const agent = new Agent({ keepAlive: true });
  const stats: TableFaultStats = { requests: 0, matched: 0, replays: 0, serverBusy: 0, droppedAfterApply: 0, droppedStatuses: [], delayed: 0 };
  let plan: FaultPlan | null = null;
  let ordinal = 0;
  const seenBodies = new Set<string>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const reply = (res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer): void => {
    const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
    res.writeHead(status, { ...kept, 'content-length': String(body.length) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    stats.requests += 1;
    const info: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(new URL(req.url ?? '/', 'http://proxy').pathname),
      headers: req.headers,
    };
    let fault: TableFault | null = null;
    if (plan && (plan.match ?? isBatchRequest)(info)) {
      stats.matched += 1;
      // A retry re-sends the very same bytes (a batch body carries its own unique boundary ids).
      const digest = createHash('sha256').update(info.method).update(info.path).update(body).digest('hex');
      if (seenBodies.has(digest)) stats.replays += 1;
      seenBodies.add(digest);
      ordinal += 1;
      fault = plan.faultFor(ordinal);
    }
    if (fault?.kind === 'serverBusy') {
      stats.serverBusy += 1;
      const error = { 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: SERVER_BUSY_MESSAGE } } };
      const headers = { 'content-type': 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8', 'x-ms-error-code': 'ServerBusy' };
      reply(res, 503, headers, Buffer.from(JSON.stringify(error)));
      return;
    }
    const answer = await forward(req, body);
    if (fault?.kind === 'dropAfterApply') {
      stats.droppedAfterApply += 1;
      stats.droppedStatuses.push(answer.status);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') {
      stats.delayed += 1;
      const { ms } = fault;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    reply(res, answer.status, answer.headers, answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = `http://127.0.0.1:${port}${upstream.pathname}`.replace(/\/+$/, '');
  return {
    connectionString: upstreamConnectionString.replace(endpointMatch[0], `TableEndpoint=${proxied}`),
    stats,
    setFaults(next) {
      plan = next;
      ordinal = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
