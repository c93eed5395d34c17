/**
 * A small local Functions host: serves the route table of functions/routes.ts on http://localhost:7071/api/...
 * with function-key checks like Azure, strips client-principal headers as Easy Auth does, and fires its timers on their NCRONTAB schedules ('%SETTING%' resolved
 * from the app settings, as the real host does). Requests go through the same translation as in Azure
 * (functions/_http.ts, with @azure/functions' own HttpRequest and InvocationContext), handed the services the
 * caller built instead of the process-wide ones. Reading the table needs no stand-in for the worker's
 * @azure/functions-core, which the registration files would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { Cron } from 'croner';
import { HttpRequest, HttpResponse, InvocationContext, type Timer } from '@azure/functions';
import { HTTP_ROUTES, TIMERS, type HttpRoute, type TimerTrigger } from '../../functions/routes';
import { routeHandler, timerHandler } from '../../functions/_http';
import type { Services } from '../../src/app/services';

export interface FunctionsHostOptions {
  /** The product the routes and timers run against. */
  services: Services;
  port?: number;
  host?: string;
  /** Key required by authLevel "function" routes (header x-functions-key or ?code=). */
  functionKey: string;
  /** App settings, for %NAME% schedule placeholders. */
  settings: Readonly<Record<string, string | undefined>>;
  /** Fire timers (off in tests that drive scans themselves). */
  timers?: boolean;
  log?: (line: string) => void;
  /** The routes to serve; functions/routes.ts unless a test brings its own. */
  routes?: readonly HttpRoute[];
}

export interface RunningFunctionsHost {
  url: string;
  port: number;
  routes: readonly HttpRoute[];
  timers: readonly TimerTrigger[];
  /** Invokes a timer function now, as the schedule would. */
  fireTimer(name: string): Promise<void>;
  close(): Promise<void>;
}

interface CompiledRoute {
  route: HttpRoute;
  methods: ReadonlySet<string>;
  pattern: RegExp;
  paramNames: string[];
  handler: ReturnType<typeof routeHandler>;
}

type ErrorBody = { error: { code: string; message: string } };

export async function startFunctionsHost(options: FunctionsHostOptions): Promise<RunningFunctionsHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const provider = () => options.services;
  const routes = (options.routes ?? HTTP_ROUTES).map((route) => compileRoute(route, routeHandler(route, provider)));
  const timerHandlers = new Map(TIMERS.map((timer) => [timer.name, timerHandler(timer, provider)]));

  const context = (name: string) =>
    new InvocationContext({ invocationId: randomUUID(), functionName: name, logHandler: (level, ...args) => log(`[${name}] ${level}: ${args.map(String).join(' ')}`) });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`Local host error: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: 'The local host failed to serve this request.' } }));
    });
  });

  function answer(res: ServerResponse, status: number, body: ErrorBody): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '');
    let matched: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const compiled of routes) {
      const m = compiled.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (!compiled.methods.has(method)) continue;
      const params = decodeParams(compiled.paramNames, m.slice(1));
      if (!params) {
        return answer(res, 400, {
          error: { code: 'InvalidInput', message: `The path ${path} has malformed percent-encoding; encode each path segment as UTF-8 (for example with encodeURIComponent).` },
        });
      }
      matched = { compiled, params };
      break;
    }
    if (!matched) {
      const status = pathMatched ? 405 : 404;
      return answer(res, status, { error: { code: status === 404 ? 'NotFound' : 'MethodNotAllowed', message: status === 404 ? `No route ${path}.` : `${method} is not allowed on ${path}.` } });
    }
    const { compiled, params } = matched;
    if (compiled.route.authLevel === 'function' && !keyMatches(req.headers['x-functions-key'] ?? url.searchParams.get('code'), options.functionKey)) {
      // Azure answers 401 with an empty body for a missing or wrong function key.
      res.writeHead(401);
      res.end();
      return;
    }
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && !isClientPrincipalHeader(name)) headers[name] = value;
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query: Object.fromEntries(url.searchParams),
      params,
      body: body.length ? { bytes: body } : undefined,
    });
    const response = new HttpResponse(await compiled.handler(request, context(compiled.route.name)));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    const stream = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    stream.on('error', (error) => {
      log(`[${compiled.route.name}] response stream failed: ${String(error)}`);
      res.destroy(error);
    });
    stream.pipe(res);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const fireTimer = async (name: string): Promise<void> => {
    const handler = timerHandlers.get(name);
    if (!handler) throw new Error(`No timer function ${name}.`);
    await handler({ isPastDue: false } as Timer, context(name));
  };
  const crons = (options.timers ?? true)
    ? TIMERS.map((timer) => {
        const schedule = resolveSchedule(timer.schedule, options.settings);
        log(`Timer ${timer.name}: "${schedule}" (UTC)`);
        // protect: a run still going when the next is due is skipped, as the Functions host does.
        return new Cron(schedule, { timezone: 'UTC', protect: true }, () =>
          fireTimer(timer.name).catch((error: unknown) => log(`[${timer.name}] failed: ${String(error)}`)),
        );
      })
    : [];

  return {
    url: `http://${host}:${port}`,
    port,
    routes: HTTP_ROUTES,
    timers: TIMERS,
    fireTimer,
    close: async () => {
      for (const cron of crons) cron.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function compileRoute(route: HttpRoute, handler: CompiledRoute['handler']): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.route
    .split('/')
    .map((segment) =>
      segment.replace(/\{([^}:?]+)[^}]*\}|[.*+?^$()|[\]\\]/g, (token, name?: string) => {
        if (name) {
          paramNames.push(name);
          return '([^/]+)';
        }
        return `\\${token}`;
      }),
    )
    .join('/');
  return { route, handler, methods: new Set(route.methods), pattern: new RegExp(`^/api/${source}$`, 'i'), paramNames };
}

/** Path parameters decoded as the Functions host does, or null when one is not valid percent-encoded UTF-8. */
function decodeParams(names: readonly string[], raw: readonly (string | undefined)[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      params[name] = decodeURIComponent(raw[i] ?? '');
    } catch {
      return null;
    }
  }
  return params;
}

/** '%SCAN_SCHEDULE%' → the setting's value, as the Functions host resolves binding expressions. */
export function resolveSchedule(schedule: string, settings: Readonly<Record<string, string | undefined>>): string {
  return schedule.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = settings[name];
    if (!value) throw new Error(`Timer schedule needs the app setting ${name}, which is not set.`);
    return value;
  });
}

/**
 * Easy Auth's X-MS-CLIENT-PRINCIPAL* headers never come from a client: App Service drops client-sent ones
 * (configure-authentication-user-identities), and so does this host, so no local request can forge them.
 */
export function isClientPrincipalHeader(name: string): boolean {
  return name.toLowerCase().startsWith('x-ms-client-principal');
}

function keyMatches(given: string | string[] | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const MAX_BODY = 1_048_576;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('Request body over 1 MiB.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
