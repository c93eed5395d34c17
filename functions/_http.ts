/**
 * Translation between the Functions HTTP types and the API's framework-neutral ones; nothing else.
 * Files starting with "_" hold no triggers.
 */
import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ApiRequest, ApiResponse } from '../src/api/http';
import { errorResponse } from '../src/api/http';
import { getRuntime } from '../src/app/runtime';
import type { Services } from '../src/app/services';
import type { Logger } from '../src/observability/logger';
import { authenticateConsole, requireRole } from '../src/auth/consoleAuth';
import type { ConsoleRole } from '../src/auth/principal';

// Reports and group lists are streamed, never buffered whole.
app.setup({ enableHttpStream: true });

export type ApiHandler = (services: Services, request: ApiRequest) => Promise<ApiResponse>;

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

/** Wraps an API handler as a Functions HTTP handler: services, errors as JSON, no stack traces. */
export function httpHandler(handler: ApiHandler) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = contextLogger(context);
    try {
      return toResponseInit(await handler((await getRuntime(log)).services, toApiRequest(request)));
    } catch (error) {
      return toResponseInit(errorResponse(error, log));
    }
  };
}

/**
 * Wraps a console route's handler (routes under /api/console/, registered with authLevel 'anonymous': Easy
 * Auth, not a key, guards them). Authenticates the caller and checks `role` (Reader unless given; Approver
 * includes it) before the handler runs, answering 401/403 in the API's JSON error shape otherwise. The
 * handler finds the caller in `request.principal`, to record it.
 */
export function consoleHandler(handler: ApiHandler, role: ConsoleRole = 'Reader') {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = contextLogger(context);
    try {
      const { services } = await getRuntime(log);
      const principal = requireRole(authenticateConsole(request.headers, services.settings), role);
      return toResponseInit(await handler(services, { ...toApiRequest(request), principal }));
    } catch (error) {
      return toResponseInit(errorResponse(error, log));
    }
  };
}
