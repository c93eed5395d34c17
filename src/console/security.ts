/**
 * What every console response carries, and the checks in front of console routes: a strict Content Security
 * Policy (scripts and styles only from this app, nothing inline, never framed), the signed-in principal's
 * role, and, for writes, proof that the request came from the console's own pages.
 */
import { hasRole, type ConsoleRole, type Principal } from '../auth/principal';
import type { Services } from '../app/services';
import { errorResponse, type ApiRequest, type ApiResponse } from '../api/http';

/** Where the platform's sign-in sends a browser back to afterwards. */
export const CONSOLE_PATH = '/api/console/';
export const SIGN_IN_URL = `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(CONSOLE_PATH)}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});

export type ConsoleHandler = (services: Services, request: ApiRequest, principal: Principal) => Promise<ApiResponse>;
type PlainHandler = (services: Services, request: ApiRequest) => Promise<ApiResponse>;

export function withSecurityHeaders(response: ApiResponse): ApiResponse {
  const headers = { ...SECURITY_HEADERS, ...response.headers };
  // JSON about the tenant is never cached by a browser or a proxy; downloads already say no-store.
  if (!headers['Cache-Control']) headers['Cache-Control'] = 'no-store';
  return { ...response, headers };
}

function refusal(status: 401 | 403, code: string, message: string): ApiResponse {
  return withSecurityHeaders({ status, jsonBody: { error: { code, message } } });
}

/** 401 without a principal, 403 without the role; the message says what to do about it. */
export function roleRefusal(principal: Principal | null | undefined, role: ConsoleRole): ApiResponse | null {
  if (!principal) {
    return refusal(401, 'Unauthenticated', `Sign in first: open ${SIGN_IN_URL} (the console does this for you).`);
  }
  if (!hasRole(principal, role)) {
    const held = principal.roles.length ? `holds ${principal.roles.join(', ')}` : 'holds no role of this app';
    return refusal(
      403,
      'Forbidden',
      `This needs the ${role} role and ${principal.name ?? principal.userPrincipalName ?? principal.objectId} ${held}. Ask an admin to assign ${role} to you in Enterprise applications > Writeback Watch > Users and groups.`,
    );
  }
  return null;
}

/**
 * Cross-site request forgery guard for writes: a browser only sends `Content-Type: application/json` from
 * another site after a preflight this app never answers, and it names the page's origin in `Origin`.
 */
export function crossSiteRefusal(request: ApiRequest): ApiResponse | null {
  const contentType = request.headers.get('content-type') ?? '';
  if (request.method !== 'DELETE' && !/^application\/json\b/i.test(contentType)) {
    return withSecurityHeaders({ status: 415, jsonBody: { error: { code: 'UnsupportedMediaType', message: 'Send the body as JSON with Content-Type: application/json.' } } });
  }
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (origin && origin !== 'null' && host) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) {
      return refusal(403, 'Forbidden', `Writes are accepted only from this app's own console (the request came from ${origin.slice(0, 100)}).`);
    }
  }
  return null;
}

/** A console route: security headers on every answer, and the role checked before the handler runs. */
export function consoleRoute(role: ConsoleRole, handler: ConsoleHandler, options: { write?: boolean } = {}): PlainHandler {
  return async (services, request) => {
    const refused = roleRefusal(request.principal, role) ?? (options.write ? crossSiteRefusal(request) : null);
    if (refused) return refused;
    try {
      return withSecurityHeaders(await handler(services, request, request.principal!));
    } catch (error) {
      return withSecurityHeaders(errorResponse(error, services.log));
    }
  };
}

/** A principal in a log line: a name to read and the ids that are the identity. */
export function principalLabel(principal: Principal): string {
  const name = (principal.name ?? principal.appId ?? principal.objectId).slice(0, 80);
  const who = principal.kind === 'app' ? `app ${name}${principal.appId && principal.appId !== name ? ` (${principal.appId})` : ''}` : name;
  const upn = principal.userPrincipalName && principal.userPrincipalName !== name ? ` <${principal.userPrincipalName.slice(0, 80)}>` : '';
  return `${who}${upn} [oid ${principal.objectId}, tid ${principal.tenantId}]`;
}

/** The principal as the console shows it (no tokens, nothing the browser does not already know). */
export function principalView(principal: Principal): Record<string, unknown> {
  return {
    kind: principal.kind,
    name: principal.name,
    userPrincipalName: principal.userPrincipalName,
    objectId: principal.objectId,
    tenantId: principal.tenantId,
    appId: principal.appId,
    roles: principal.roles,
    canApprove: hasRole(principal, 'Approver'),
  };
}
