/**
 * Translation between the Functions types and the product's framework-neutral ones; nothing else. The local
 * host calls the same functions with its own services, so both serve requests through this file.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { ApiRequest, ApiResponse } from '../src/api/http';
import { errorResponse } from '../src/api/http';
import { getServices } from '../src/app/runtime';
import type { Services } from '../src/app/services';
import type { Logger } from '../src/observability/logger';
import type { ApiHandler, HttpRoute, TimerTrigger } from './routes';
import { authenticateConsole, requireRole } from '../src/auth/consoleAuth';
import type { ConsoleRole } from '../src/auth/principal';

/** Where a handler gets the product from: in Azure the process-wide one, built on first use. */
export type ServicesProvider = (log: Logger) => Services;

export function contextLogger(context: InvocationContext): Logger {
  return {
    info: (message, properties) => context.log(message, ...(properties ? [properties] : [])),
    warn: (message, properties) => context.warn(message, ...(properties ? [properties] : [])),
    error: (message, properties) => context.error(message, ...(properties ? [properties] : [])),
  };
}

function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    params: request.params,
    query: request.query,
    headers: request.headers,
    json: () => request.json(),
    // Function-key routes never read Easy Auth's headers; only consoleHandler sets a principal.
    principal: null,
  };
}

function toResponseInit(response: ApiResponse): HttpResponseInit {
  return { status: response.status, headers: response.headers, jsonBody: response.jsonBody, body: response.body };
}

/** An API handler as a Functions HTTP handler: services, errors as JSON, no stack traces. */
export function httpHandler(handler: ApiHandler, provider: ServicesProvider = getServices) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = contextLogger(context);
    try {
      return toResponseInit(await handler(provider(log), toApiRequest(request)));
    } catch (error) {
      return toResponseInit(errorResponse(error, log));
    }
  };
}

/** A timer's work as a Functions timer handler. */
export function timerHandler(timer: TimerTrigger, provider: ServicesProvider = getServices) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const log = contextLogger(context);
    await timer.run(provider(log), log);
  };
}

/**
 * A console route's handler (routes under /api/console/, registered with authLevel 'anonymous': Easy Auth,
 * not a key, guards them) as a Functions HTTP handler. Authenticates the caller (src/auth/consoleAuth.ts) and,
 * when `role` is given, checks it (Approver includes Reader) before the handler runs, answering 401/403 in the
 * API's JSON error shape otherwise. The handler finds the caller in `request.principal`, to record it.
 */
export function consoleHandler(handler: ApiHandler, options: { role?: ConsoleRole; provider?: ServicesProvider } = {}) {
  const provider = options.provider ?? getServices;
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = contextLogger(context);
    try {
      const services = provider(log);
      const principal = authenticateConsole(request.headers, services.settings);
      if (options.role) requireRole(principal, options.role);
      return toResponseInit(await handler(services, { ...toApiRequest(request), principal }));
    } catch (error) {
      return toResponseInit(errorResponse(error, log));
    }
  };
}

/** Console routes (under /api/console/) are signed in; every other route is a function-key route that never is. */
export function isConsoleRoute(route: Pick<HttpRoute, 'route'>): boolean {
  return /^console(\/|$)/i.test(route.route);
}

/** The Functions handler for one route of the table: consoleHandler for console routes, httpHandler otherwise. */
export function routeHandler(route: HttpRoute, provider: ServicesProvider = getServices) {
  return isConsoleRoute(route) ? consoleHandler(route.handler, { provider }) : httpHandler(route.handler, provider);
}
