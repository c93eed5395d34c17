/**
 * A Microsoft Graph beta emulator on loopback: a real HTTP server (node:http only) that answers the
 * groups, settings, directory and organization requests Writeback Watch makes, with Graph's paging,
 * error shapes, throttling and delta behaviour, plus injectable faults and latency.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatorError } from './errors';
import { handleControl, type EmulatorControls } from './controlRoutes';
import { groupDelta } from './deltaRoute';
import {
  createSetting,
  deleteSetting,
  getOnPremisesSynchronization,
  getOrganization,
  getSetting,
  listSettings,
  updateSetting,
} from './directoryRoutes';
import { FaultInjector, type FaultSettings } from './faults';
import { loadFixture, type TenantFixture } from './fixture';
import { countMembers, createGroup, deleteGroup, getGroup, listGroups, updateGroup } from './groupRoutes';
import { graphError, LinkBuilder, type EmulatorResponse } from './odata';
import { header, type EmulatorPermissions, type RequestContext, type RouteSettings } from './requestContext';
import { StatsRecorder, type EmulatorStats } from './stats';
import type { SyntheticGroupGenerator } from './syntheticTenant';
import { EmulatedTenant } from './tenant';
import { resolveCloudSyncRoute } from './cloudSyncRoutes';
import type { CloudSyncConfigurationInput } from './cloudSyncTenant';
import { EMULATOR_CLIENT, EmulatedAuditLog, type AuditCaller, type AuditLogControls } from './auditLog';
import { AUDIT_ROUTE_KEY, auditWrite, handleAuditControl, isAuditPath, listDirectoryAudits } from './auditRoutes';

export const DEFAULT_EMULATOR_TOKEN = 'emulator-token';
export const GRAPH_ORIGIN = 'https://graph.microsoft.com';
const LOOPBACK = '127.0.0.1';
const MAX_BODY_BYTES = 1_000_000;
const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;

export interface EmulatorOptions {
  /** 0 (default) = a free port chosen by the OS. The server always binds 127.0.0.1. */
  port?: number;
  /** Number of synthetic groups (default 100). Ignored when `fixture` is given. */
  groups?: number;
  /** Seed of the synthetic tenant (default 1). */
  seed?: number;
  /** Path of a fixture JSON file, or an already loaded fixture. */
  fixture?: string | TenantFixture;
  /** Delay before every `/beta/*` response. Default 0. */
  latencyMs?: number;
  faults?: Partial<FaultSettings>;
  /** The bearer token every `/beta/*` request must carry. Default "emulator-token". */
  token?: string;
  permissions?: Partial<EmulatorPermissions>;
  tenantId?: string;
  /** Initial NewUnifiedGroupWritebackDefault (null = no Group.Unified setting). Default "true". */
  tenantDefault?: string | null;
  /** `features.groupWriteBackEnabled` (null = no sync object). Default true. */
  groupWritebackFeature?: boolean | null;
  /** `onPremisesLastSyncDateTime` of the organization (null = never synced). Default: an hour before start. */
  lastDirectorySyncDateTime?: string | null;
  /**
   * Origin of `@odata.nextLink` / `@odata.deltaLink` / `@odata.context`. "graph" (default) writes
   * `https://graph.microsoft.com/beta/...` exactly as Graph does, so a client must rebase links onto
   * its configured base URL; "emulator" writes this server's own `http://127.0.0.1:<port>/beta/...`.
   */
  links?: 'graph' | 'emulator';
  /** Default 7 days (Graph's limit for directory objects). */
  deltaTokenMaxAgeMs?: number;
  /** Items per delta page. Default 100. */
  deltaPageSize?: number;
  /**
   * Properties left out of changed groups in a delta round after the first: Graph represents an updated
   * instance by its id and "at least" the changed properties, so a client must cope with partial groups.
   */
  deltaOmitFromChanges?: readonly string[];
  /** Most positions one groups page may look at (see RouteSettings). Default: unlimited. */
  pageScanLimit?: number;
  /** Clock for token ageing and createdDateTime. */
  now?: () => number;
  /** Synthetic group generator (tests count calls through it). */
  generate?: SyntheticGroupGenerator;
  /** Cloud Sync configurations present at start (`assignFirstGroups`: assign the tenant's first n groups). */
  cloudSync?: (CloudSyncConfigurationInput & { assignFirstGroups?: number })[];
  /** The audit log's latency, access, throttle and writeback property name (see EmulatedAuditLog). */
  audit?: Partial<AuditLogControls>;
  /** More accepted tokens, each standing for the user or app recorded as initiator of its writes. */
  callers?: Record<string, AuditCaller>;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: use it as GRAPH_BASE_URL. */
  url: string;
  port: number;
  tenant: EmulatedTenant;
  /** The directory audit log: every write through the emulator adds an event; controls are writable. */
  audit: EmulatedAuditLog;
  faults: FaultInjector;
  stats(): EmulatorStats;
  resetStats(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

type Handler = (ctx: RequestContext) => EmulatorResponse;

interface ResolvedRoute {
  /** Route template for stats, e.g. `GET /beta/groups/{id}`. */
  key: string;
  handle: Handler;
}

const DELTA_SEGMENTS = new Set(['delta', 'delta()', 'microsoft.graph.delta', 'microsoft.graph.delta()']);

function methodNotAllowed(): EmulatorResponse {
  return graphError(405, 'Request_BadRequest', 'The requested HTTP method is not supported for this resource.');
}

/** Maps method + path segments (after the version) to a handler; v1.0 serves only the Cloud Sync routes. */
function resolveVersionedRoute(method: string, version: 'beta' | 'v1.0', segments: string[]): ResolvedRoute {
  const cloudSync = resolveCloudSyncRoute(method, segments);
  if (cloudSync) return { key: `${method} /${version}/${cloudSync.template}`, handle: cloudSync.handle };
  if (version === 'beta') return resolveRoute(method, segments);
  const segment = segments.join('/') || '(root)';
  return { key: `${method} /v1.0/(unknown)`, handle: () => graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`) };
}

/** Maps method + path segments (after /beta) to a handler. Segment names match case-insensitively, as Graph's do. */
function resolveRoute(method: string, segments: string[]): ResolvedRoute {
  const lower = segments.map((s) => s.toLowerCase());
  const [first, second, third, fourth] = lower;
  const id = segments[1] ?? '';
  const pick = (template: string, handlers: Partial<Record<string, Handler>>): ResolvedRoute => {
    const handle = handlers[method];
    return { key: `${method} /beta/${template}`, handle: handle ?? methodNotAllowed };
  };

  if (first === 'groups') {
    if (lower.length === 1) return pick('groups', { GET: listGroups, POST: createGroup });
    if (lower.length === 2 && second !== undefined && DELTA_SEGMENTS.has(second)) return pick('groups/delta', { GET: groupDelta });
    if (lower.length === 2 && second === '$count') {
      return pick('groups/$count', {
        GET: (ctx) =>
          header(ctx.headers, 'ConsistencyLevel')?.trim().toLowerCase() === 'eventual'
            ? { status: 200, text: String(ctx.tenant.groupCount()) }
            : graphError(400, 'Request_BadRequest', '$count is not currently supported.'),
      });
    }
    if (lower.length === 2) {
      return pick('groups/{id}', {
        GET: (ctx) => getGroup(ctx, id),
        PATCH: (ctx) => updateGroup(ctx, id),
        DELETE: (ctx) => deleteGroup(ctx, id),
      });
    }
    if (lower.length === 4 && third === 'members' && fourth === '$count') {
      return pick('groups/{id}/members/$count', { GET: (ctx) => countMembers(ctx, id) });
    }
  }
  if (first === 'settings') {
    if (lower.length === 1) return pick('settings', { GET: listSettings, POST: createSetting });
    if (lower.length === 2) {
      return pick('settings/{id}', {
        GET: (ctx) => getSetting(ctx, id),
        PATCH: (ctx) => updateSetting(ctx, id),
        DELETE: (ctx) => deleteSetting(ctx, id),
      });
    }
  }
  if (first === 'directory' && second === 'onpremisessynchronization') {
    if (lower.length === 2) return pick('directory/onPremisesSynchronization', { GET: (ctx) => getOnPremisesSynchronization(ctx, undefined) });
    if (lower.length === 3) {
      return pick('directory/onPremisesSynchronization/{id}', { GET: (ctx) => getOnPremisesSynchronization(ctx, segments[2]) });
    }
  }
  if (first === 'organization') {
    if (lower.length === 1) return pick('organization', { GET: (ctx) => getOrganization(ctx, undefined) });
    if (lower.length === 2) return pick('organization/{id}', { GET: (ctx) => getOrganization(ctx, id) });
  }
  const segment = segments.join('/') || '(root)';
  return {
    key: `${method} /beta/(unknown)`,
    handle: () => graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new EmulatorError('EntityTooLarge', 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function bearerToken(req: IncomingMessage): string | null {
  const value = req.headers.authorization;
  if (!value) return null;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1]?.trim() ?? '';
}

async function resolveFixture(fixture: EmulatorOptions['fixture']): Promise<TenantFixture | undefined> {
  if (fixture === undefined) return undefined;
  return typeof fixture === 'string' ? loadFixture(fixture) : fixture;
}

function checkOptions(options: EmulatorOptions): void {
  const nonNegativeInt = (name: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) {
      throw new EmulatorError('InvalidInput', `Emulator option ${name} must be a whole number from 0 to ${max}, got ${value}.`);
    }
  };
  nonNegativeInt('port', options.port, 65535);
  nonNegativeInt('groups', options.groups, 10_000_000);
  nonNegativeInt('seed', options.seed, 0xffffffff);
  nonNegativeInt('deltaPageSize', options.deltaPageSize);
  if (options.deltaPageSize === 0) throw new EmulatorError('InvalidInput', 'Emulator option deltaPageSize must be at least 1.');
  if (options.latencyMs !== undefined && (!Number.isFinite(options.latencyMs) || options.latencyMs < 0)) {
    throw new EmulatorError('InvalidInput', `Emulator option latencyMs must be a non-negative number, got ${options.latencyMs}.`);
  }
  if (options.token !== undefined && options.token.trim() === '') {
    throw new EmulatorError('InvalidInput', 'Emulator option token must not be empty.');
  }
}

export async function startGraphEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  checkOptions(options);
  const fixture = await resolveFixture(options.fixture);
  const tenant = new EmulatedTenant({
    groups: options.groups,
    seed: options.seed,
    fixture,
    tenantId: options.tenantId,
    tenantDefault: options.tenantDefault,
    groupWritebackFeature: options.groupWritebackFeature,
    lastDirectorySyncDateTime: options.lastDirectorySyncDateTime,
    now: options.now,
    generate: options.generate,
  });
  for (const { assignFirstGroups = 0, ...configuration } of options.cloudSync ?? []) {
    const first: string[] = [];
    for (let position = 0; first.length < assignFirstGroups && position < tenant.positionCount(); position += 1) {
      const group = tenant.groupAtPosition(position);
      if (group) first.push(group.id);
    }
    tenant.cloudSync.addConfiguration({ ...configuration, assignedGroupIds: [...(configuration.assignedGroupIds ?? []), ...first] });
  }
  const faults = new FaultInjector(options.faults);
  const stats = new StatsRecorder();
  const token = options.token ?? DEFAULT_EMULATOR_TOKEN;
  const audit = new EmulatedAuditLog(tenant.now, options.audit);
  const callers = new Map<string, AuditCaller>([...Object.entries(options.callers ?? {}), [token, EMULATOR_CLIENT]]);
  let latencyMs = options.latencyMs ?? 0;
  const routeSettings: RouteSettings = {
    permissions: { onPremSync: true, organization: true, settings: true, synchronization: true, applications: true, ...options.permissions },
    deltaTokenMaxAgeMs: options.deltaTokenMaxAgeMs ?? SEVEN_DAYS_MS,
    deltaPageSize: options.deltaPageSize ?? 100,
    deltaOmitFromChanges: options.deltaOmitFromChanges ?? [],
    pageScanLimit: options.pageScanLimit ?? Number.POSITIVE_INFINITY,
  };
  let links = new LinkBuilder(GRAPH_ORIGIN);
  // Aborted on close(), so requests waiting out their latency end instead of holding the process open.
  const closing = new AbortController();
  const controls: EmulatorControls = {
    url: '',
    tenant,
    faults,
    stats,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    latency: () => latencyMs,
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(req, res, graphError(500, 'generalException', `Emulator failure: ${String(error)}`), false);
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      send(req, res, graphError(400, 'BadRequest', 'The request URL is malformed.'), false);
      return;
    }
    const rawBody = await readBody(req);
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        send(req, res, graphError(400, 'BadRequest', 'Invalid JSON in the request body.'), false);
        return;
      }
    }

    if (segments[0] === '_emulator') {
      const action = segments.slice(1).join('/');
      const control = segments[1] === 'audit' ? handleAuditControl(audit, method, action, body) : handleControl(controls, method, action, body);
      send(req, res, control, false);
      return;
    }

    const version = segments[0]?.toLowerCase();
    const auditRead = version === 'v1.0' && isAuditPath(segments.slice(1));
    if (version !== 'beta' && version !== 'v1.0') {
      stats.request(`${method} (not beta)`);
      respond(req, res, graphError(400, 'BadRequest', `Only the beta endpoint (and v1.0 for audit logs and Cloud Sync) is emulated; got '${url.pathname}'.`), false);
      return;
    }

    // v1.0 serves the audit log and the Cloud Sync routes only (resolveVersionedRoute).
    const route: ResolvedRoute = auditRead
      ? { key: AUDIT_ROUTE_KEY, handle: method === 'GET' ? (ctx) => listDirectoryAudits(ctx, audit, bearerToken(req) ?? '') : methodNotAllowed }
      : resolveVersionedRoute(method, version, segments.slice(1));
    stats.request(route.key);
    // A Graph request takes latencyMs from arrival to answer, the emulator's own work included: the answer is
    // prepared first and sent when the latency has passed (or at once, if preparing took longer).
    const answer = (response: EmulatorResponse, truncate = false): Promise<void> => {
      stats.status(response.status);
      const prepared = prepareAnswer(req, response, truncate);
      return afterLatency(res, arrivedAt, () => writeAnswer(res, prepared));
    };

    const presented = bearerToken(req);
    if (presented === null || presented === '') {
      await answer(graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'));
      return;
    }
    if (!callers.has(presented)) {
      await answer(graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'));
      return;
    }

    const fault = faults.decide();
    if (fault?.kind === 'drop') {
      stats.fault('drop', null, fault.scripted);
      await afterLatency(res, arrivedAt, () => req.socket.destroy());
      return;
    }
    if (fault?.kind === 'status') {
      stats.fault('status', fault.status, fault.scripted);
      await answer(faultResponse(fault.status, fault.retryAfterSeconds));
      return;
    }

    const ctx: RequestContext = { method, url, segments: segments.slice(1), version, headers: req.headers, body, tenant, links, settings: routeSettings };
    const recordAudit = auditWrite(route.key, ctx, audit, callers.get(presented)!);
    const response = route.handle(ctx);
    recordAudit?.(response);
    if (fault?.kind === 'truncate') stats.fault('truncate', null, fault.scripted);
    else if (response.page && response.status === 200) stats.page(response.page.kind, response.page.items);
    await answer(response, fault?.kind === 'truncate');
  }

  /** Runs `act` once latencyMs have passed since the request arrived; a closing server cuts the wait short. */
  async function afterLatency(res: ServerResponse, arrivedAt: number, act: () => void): Promise<void> {
    const remaining = latencyMs - (performance.now() - arrivedAt);
    if (remaining > 0) {
      try {
        await sleep(remaining, undefined, { signal: closing.signal });
      } catch {
        res.destroy();
        return;
      }
    }
    act();
  }

  function respond(req: IncomingMessage, res: ServerResponse, response: EmulatorResponse, truncate: boolean): void {
    stats.status(response.status);
    send(req, res, response, truncate);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}`;
  controls.url = url;
  if (options.links === 'emulator') links = new LinkBuilder(url);

  return {
    url,
    port,
    tenant,
    audit,
    faults,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setLatency: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new EmulatorError('InvalidInput', `Latency must be a non-negative number, got ${ms}.`);
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function faultResponse(status: number, retryAfterSeconds: number | null): EmulatorResponse {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== null) headers['Retry-After'] = String(Math.ceil(retryAfterSeconds));
  if (status === 429) {
    return graphError(429, 'TooManyRequests', 'Too many requests. The request has been throttled; retry after the interval in Retry-After.', headers);
  }
  if (status === 503) return graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Try the request again after a delay.', headers);
  if (status === 504) return graphError(504, 'UnknownError', 'The gateway did not receive a timely response.', headers);
  return graphError(status, 'generalException', `Injected failure with status ${status}.`, headers);
}

const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Writes the response; with `truncate`, declares the full Content-Length but closes after half the body. */
function send(req: IncomingMessage, res: ServerResponse, response: EmulatorResponse, truncate: boolean): void {
  writeAnswer(res, prepareAnswer(req, response, truncate));
}

interface PreparedAnswer {
  status: number;
  headers: Record<string, string>;
  payload: Buffer | null;
  truncate: boolean;
}

/** Headers and serialized body of an answer, ready to write. */
function prepareAnswer(req: IncomingMessage, response: EmulatorResponse, truncate: boolean): PreparedAnswer {
  const requestId = randomUUID();
  const clientHeader = req.headers['client-request-id'];
  const clientRequestId = (Array.isArray(clientHeader) ? clientHeader[0] : clientHeader) ?? requestId;
  const headers: Record<string, string> = {
    'request-id': requestId,
    'client-request-id': clientRequestId,
    'Cache-Control': 'no-cache',
    ...response.headers,
  };
  let payload: Buffer | null = null;
  if (response.error) {
    const date = new Date().toISOString().replace(/\.\d{3}Z$/, '');
    payload = Buffer.from(
      JSON.stringify({
        error: {
          code: response.error.code,
          message: response.error.message,
          innerError: { date, 'request-id': requestId, 'client-request-id': clientRequestId },
        },
      }),
    );
    headers['Content-Type'] = 'application/json';
  } else if (response.text !== undefined) {
    payload = Buffer.from(response.text, 'utf8');
    headers['Content-Type'] = 'text/plain;charset=utf-8';
  } else if (response.json !== undefined) {
    payload = Buffer.from(typeof response.json === 'string' ? response.json : JSON.stringify(response.json), 'utf8');
    headers['Content-Type'] = JSON_CONTENT_TYPE;
    headers['OData-Version'] = '4.0';
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  return { status: response.status, headers, payload, truncate };
}

function writeAnswer(res: ServerResponse, { status, headers, payload, truncate }: PreparedAnswer): void {
  res.writeHead(status, headers);
  if (!payload || payload.length === 0) {
    res.end();
    if (truncate) res.destroy();
    return;
  }
  if (truncate) {
    const half = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)));
    res.write(half, () => res.destroy());
    return;
  }
  res.end(payload);
}
