/**
 * Reads the caller App Service Authentication (Easy Auth) passes to the app: `X-MS-CLIENT-PRINCIPAL`, a
 * base64 JSON object `{ auth_typ, claims: [{ typ, val }], name_typ, role_typ }`, plus `-ID`, `-NAME` and
 * `-IDP` beside it (learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 *
 * Parsed here rather than through `HttpRequest.user` of @azure/functions, which throws when `-NAME` is
 * missing, as it is for app-only tokens (azure-functions-nodejs-library#374), and never checks roles or the
 * tenant. Pure: the caller decides whether the headers may be trusted at all (consoleAuth.ts).
 */
import { WritebackWatchError } from '../errors';
import type { ConsoleRole, Principal } from './principal';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';
export const CLIENT_PRINCIPAL_ID_HEADER = 'x-ms-client-principal-id';
export const CLIENT_PRINCIPAL_NAME_HEADER = 'x-ms-client-principal-name';
export const CLIENT_PRINCIPAL_IDP_HEADER = 'x-ms-client-principal-idp';

/** A principal carries a few dozen claims; groups claims can add a few KB. Anything far larger is not Easy Auth's. */
export const MAX_PRINCIPAL_HEADER_CHARS = 65_536;

// Claim names after Easy Auth's default mapping, with the raw token names as the fallback.
const OBJECT_ID = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const TENANT_ID = ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'];
const USER_NAME = ['preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn'];
const DISPLAY_NAME = ['name'];
const APP_ID = ['azp', 'appid'];
const APP_NAME = ['app_displayname'];
/** Roles arrive typed `roles` (app roles), as `role_typ`, or as the long WS-Fed URI, depending on mapping. */
const ROLE_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const CONSOLE_ROLES: readonly ConsoleRole[] = ['Reader', 'Approver'];

export interface HeaderReader {
  get(name: string): string | null;
}

interface Claim {
  typ: string;
  val: string;
}

function unauthenticated(message: string): WritebackWatchError {
  return new WritebackWatchError('Unauthenticated', message);
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decodes the header to its claims; throws Unauthenticated saying what was wrong. */
export function decodeClientPrincipal(header: string): { authType: string; claims: Claim[]; roleType: string | null } {
  const text = header.trim();
  if (text.length > MAX_PRINCIPAL_HEADER_CHARS) throw unauthenticated(`The ${CLIENT_PRINCIPAL_HEADER} header is over ${MAX_PRINCIPAL_HEADER_CHARS} characters; sign in again.`);
  if (!BASE64.test(text)) throw unauthenticated(`The ${CLIENT_PRINCIPAL_HEADER} header is not base64; sign in again.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    throw unauthenticated(`The ${CLIENT_PRINCIPAL_HEADER} header is not base64-encoded JSON; sign in again.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw unauthenticated(`The ${CLIENT_PRINCIPAL_HEADER} header is not a JSON object; sign in again.`);
  }
  const body = parsed as Record<string, unknown>;
  if (!Array.isArray(body.claims)) throw unauthenticated(`The ${CLIENT_PRINCIPAL_HEADER} header has no claims list; sign in again.`);
  // Entries of another shape are skipped, not fatal: the claims we need are checked by name below.
  const claims = body.claims.filter(
    (c): c is Claim => !!c && typeof c === 'object' && typeof (c as Claim).typ === 'string' && typeof (c as Claim).val === 'string',
  );
  return {
    authType: typeof body.auth_typ === 'string' ? body.auth_typ : '',
    claims,
    roleType: typeof body.role_typ === 'string' && body.role_typ ? body.role_typ : null,
  };
}

function first(claims: readonly Claim[], types: readonly string[]): string | null {
  for (const type of types) {
    const found = claims.find((c) => c.typ.toLowerCase() === type.toLowerCase() && c.val.trim() !== '');
    if (found) return found.val.trim();
  }
  return null;
}

export interface ParsePrincipalOptions {
  /** Only principals of this tenant are accepted (TENANT_ID: the tenant the app watches). */
  allowedTenantId: string;
}

/**
 * The principal in Easy Auth's headers. Throws Unauthenticated (401) when the headers are missing or
 * malformed, and Forbidden (403) when the principal belongs to another tenant.
 */
export function parseClientPrincipal(headers: HeaderReader, options: ParsePrincipalOptions): Principal {
  const header = headers.get(CLIENT_PRINCIPAL_HEADER);
  if (!header || header.trim() === '') throw unauthenticated('Not signed in: the request carries no principal from App Service Authentication. Sign in at /.auth/login/aad.');
  const idp = headers.get(CLIENT_PRINCIPAL_IDP_HEADER);
  if (idp !== null && idp.trim().toLowerCase() !== 'aad') throw unauthenticated(`Signed in with "${idp.slice(0, 40)}"; only Microsoft Entra (aad) sign-in is accepted.`);
  const decoded = decodeClientPrincipal(header);
  if (decoded.authType.toLowerCase() !== 'aad') {
    throw unauthenticated(`The principal's auth_typ is "${decoded.authType.slice(0, 40)}"; only Microsoft Entra (aad) sign-in is accepted.`);
  }
  const { claims } = decoded;
  const objectId = first(claims, OBJECT_ID);
  if (!objectId) throw unauthenticated('The principal has no object id (oid) claim; sign in again.');
  const headerId = headers.get(CLIENT_PRINCIPAL_ID_HEADER);
  if (headerId && headerId.trim().toLowerCase() !== objectId.toLowerCase()) {
    throw unauthenticated('The principal headers disagree about who is calling (X-MS-CLIENT-PRINCIPAL-ID is not the oid claim); sign in again.');
  }
  const tenantId = first(claims, TENANT_ID);
  if (!tenantId) throw unauthenticated('The principal has no tenant id (tid) claim; sign in again.');
  if (tenantId.toLowerCase() !== options.allowedTenantId.toLowerCase()) {
    throw new WritebackWatchError(
      'Forbidden',
      `Signed in from tenant ${tenantId.slice(0, 40)}, but this app serves tenant ${options.allowedTenantId} only. Sign in with an account of that tenant.`,
    );
  }
  const roleTypes = decoded.roleType ? [...ROLE_TYPES, decoded.roleType] : ROLE_TYPES;
  const roleValues = new Set(claims.filter((c) => roleTypes.some((t) => t.toLowerCase() === c.typ.toLowerCase())).map((c) => c.val.trim()));
  const roles = CONSOLE_ROLES.filter((role) => roleValues.has(role));
  const userName = first(claims, USER_NAME);
  const appId = first(claims, APP_ID);
  // idtyp=app is set on app-only access tokens when the optional claim is configured; without it, a token
  // with no user name but a client application id is an application's own.
  const isApp = first(claims, ['idtyp'])?.toLowerCase() === 'app' || (!userName && appId !== null);
  if (isApp) {
    return {
      kind: 'app',
      objectId: objectId.toLowerCase(),
      tenantId: tenantId.toLowerCase(),
      name: first(claims, APP_NAME),
      userPrincipalName: null,
      appId: appId?.toLowerCase() ?? null,
      roles,
    };
  }
  const nameHeader = headers.get(CLIENT_PRINCIPAL_NAME_HEADER)?.trim() || null;
  return {
    kind: 'user',
    objectId: objectId.toLowerCase(),
    tenantId: tenantId.toLowerCase(),
    name: first(claims, DISPLAY_NAME),
    userPrincipalName: userName ?? nameHeader,
    appId: null,
    roles,
  };
}
