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
import { attachedTestPrincipal } from '../src/console/testPrincipal';

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
    principal: attachedTestPrincipal(request),
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
