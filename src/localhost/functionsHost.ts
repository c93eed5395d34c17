/**
 * A small local Functions host: serves the HTTP triggers of functions/ on http://localhost:7071/api/... with
 * function-key checks like Azure, and fires the timer triggers on their NCRONTAB schedules ('%SETTING%'
 * resolved from the app settings, as the real host does).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { installFunctionsCore, registeredFunctions, type RegisteredFunction } from './functionsCore';
import type { Principal } from '../auth/principal';
import { attachTestPrincipal } from '../console/testPrincipal';

export interface FunctionsHostOptions {
  /** Folder of compiled (or, under the test runner, source) trigger files. */
  functionsDir: string;
  port?: number;
  host?: string;
  /** Key required by authLevel "function" routes (header x-functions-key or ?code=). */
  functionKey: string;
  /** App settings, for %NAME% schedule placeholders. */
  settings: Readonly<Record<string, string | undefined>>;
  /** Fire timers (off in tests that drive scans themselves). */
  timers?: boolean;
  log?: (line: string) => void;
  /** Test and local use only: every console request (route console/...) arrives signed in as this principal. */
  testConsolePrincipal?: Principal | null;
}

export interface RunningFunctionsHost {
  url: string;
  port: number;
  functions: readonly RegisteredFunction[];
  /** Invokes a timer function now, as the schedule would. */
  fireTimer(name: string): Promise<void>;
  close(): Promise<void>;
}

interface Route {
  fn: RegisteredFunction;
  methods: Set<string>;
  pattern: RegExp;
  paramNames: string[];
}

export async function startFunctionsHost(options: FunctionsHostOptions): Promise<RunningFunctionsHost> {
  installFunctionsCore();
  const { HttpRequest, HttpResponse, InvocationContext } = await import('@azure/functions');
  const before = registeredFunctions().length;
  for (const file of readdirSync(options.functionsDir).sort()) {
    if (/\.(js|ts)$/.test(file) && !file.endsWith('.d.ts') && !file.endsWith('.map')) {
      await import(join(options.functionsDir, file));
    }
  }
  const functions = registeredFunctions().slice(before > 0 ? 0 : 0);
  const log = options.log ?? ((line: string) => console.log(line));
  const routes = functions.filter((f) => f.trigger.type === 'httpTrigger').map(toRoute);
  const timers = functions.filter((f) => f.trigger.type === 'timerTrigger');

  const context = (fn: RegisteredFunction) =>
    new InvocationContext({ invocationId: randomUUID(), functionName: fn.name, logHandler: (level, ...args) => log(`[${fn.name}] ${level}: ${args.map(String).join(' ')}`) });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`Local host error: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: 'The local host failed to serve this request.' } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '');
    let matched: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (!route.methods.has(method)) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      matched = { route, params };
      break;
    }
    if (!matched) {
      const status = pathMatched ? 405 : 404;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: status === 404 ? 'NotFound' : 'MethodNotAllowed', message: status === 404 ? `No route ${path}.` : `${method} is not allowed on ${path}.` } }));
      return;
    }
    const { route, params } = matched;
    if (route.fn.trigger.authLevel !== 'anonymous' && !keyMatches(req.headers['x-functions-key'] ?? url.searchParams.get('code'), options.functionKey)) {
      // Azure answers 401 with an empty body for a missing or wrong function key.
      res.writeHead(401);
      res.end();
      return;
    }
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query: Object.fromEntries(url.searchParams),
      params,
      body: body.length ? { bytes: body } : undefined,
    });
    if (options.testConsolePrincipal && /^console\//i.test(route.fn.trigger.route ?? '')) attachTestPrincipal(request, options.testConsolePrincipal);
    const result = (await route.fn.handler(request, context(route.fn))) as ConstructorParameters<typeof HttpResponse>[0];
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    const stream = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    stream.on('error', (error) => {
      log(`[${route.fn.name}] response stream failed: ${String(error)}`);
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
    const fn = timers.find((t) => t.name === name);
    if (!fn) throw new Error(`No timer function ${name}.`);
    await fn.handler({ isPastDue: false, scheduleStatus: {} }, context(fn));
  };
  const crons = (options.timers ?? true)
    ? timers.map((fn) => {
        const schedule = resolveSchedule(fn.trigger.schedule ?? '', options.settings);
        log(`Timer ${fn.name}: "${schedule}" (UTC)`);
        // protect: a run still going when the next is due is skipped, as the Functions host does.
        return new Cron(schedule, { timezone: 'UTC', protect: true }, () =>
          fireTimer(fn.name).catch((error: unknown) => log(`[${fn.name}] failed: ${String(error)}`)),
        );
      })
    : [];

  return {
    url: `http://${host}:${port}`,
    port,
    functions,
    fireTimer,
    close: async () => {
      for (const cron of crons) cron.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toRoute(fn: RegisteredFunction): Route {
  const template = fn.trigger.route ?? fn.name;
  const paramNames: string[] = [];
  const source = template
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
  return { fn, methods: new Set((fn.trigger.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase())), pattern: new RegExp(`^/api/${source}$`, 'i'), paramNames };
}

/** '%SCAN_SCHEDULE%' → the setting's value, as the Functions host resolves binding expressions. */
export function resolveSchedule(schedule: string, settings: Readonly<Record<string, string | undefined>>): string {
  return schedule.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = settings[name];
    if (!value) throw new Error(`Timer schedule needs the app setting ${name}, which is not set.`);
    return value;
  });
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
