/** Easy Auth client principals for tests, in the shape App Service sends (claims after its default mapping). */
import type { Principal } from '../../src/auth/principal';

/** The tenant of test/helpers/settings.ts. */
export const TENANT = '11111111-2222-3333-4444-555555555555';
export const OTHER_TENANT = '99999999-8888-7777-6666-555555555555';
export const USER_OID = 'aaaaaaaa-0000-4000-8000-000000000001';
export const APP_OID = 'bbbbbbbb-0000-4000-8000-000000000002';
export const APP_ID = 'cccccccc-0000-4000-8000-000000000003';

const ROLE_URI = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

export interface Claim {
  typ: string;
  val: string;
}

/** A browser sign-in: the Node library's own fixture (modelled on a live v2 sign-in) plus tid and roles. */
export function userClaims(options: { roles?: string[]; tenantId?: string; oid?: string } = {}): Claim[] {
  return [
    { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', val: 'alice@contoso.example' },
    { typ: 'name', val: 'Alice Admin' },
    { typ: 'nonce', val: '54b39eaa5596466f9336b9369e91d95e_20211117004911' },
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: options.oid ?? USER_OID },
    { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: options.tenantId ?? TENANT },
    { typ: 'preferred_username', val: 'alice@contoso.example' },
    { typ: 'ver', val: '2.0' },
    ...(options.roles ?? ['Approver']).map((val) => ({ typ: 'roles', val })),
  ];
}

/** An app-only access token (client credentials): no user name, the client's azp, idtyp=app. */
export function appClaims(options: { roles?: string[]; idtyp?: boolean } = {}): Claim[] {
  return [
    { typ: 'aud', val: 'api://writeback-watch' },
    { typ: 'azp', val: APP_ID },
    { typ: 'azpacr', val: '1' },
    ...(options.idtyp === false ? [] : [{ typ: 'idtyp', val: 'app' }]),
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: APP_OID },
    { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: TENANT },
    { typ: 'ver', val: '2.0' },
    ...(options.roles ?? ['Approver']).map((val) => ({ typ: 'roles', val })),
  ];
}

export function encodePrincipal(claims: Claim[], extra: Record<string, unknown> = {}): string {
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims, name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', role_typ: ROLE_URI, ...extra })).toString('base64');
}

/** The four headers Easy Auth sets for a signed-in user; apps get no -NAME. */
export function principalHeaders(claims: Claim[], options: { name?: string | null; id?: string | null } = {}): Record<string, string> {
  const oid = claims.find((c) => c.typ.endsWith('objectidentifier'))?.val;
  const headers: Record<string, string> = { 'x-ms-client-principal': encodePrincipal(claims), 'x-ms-client-principal-idp': 'aad' };
  const id = options.id === undefined ? oid : options.id;
  if (id) headers['x-ms-client-principal-id'] = id;
  if (options.name) headers['x-ms-client-principal-name'] = options.name;
  return headers;
}

export function headerReader(headers: Record<string, string>): { get(name: string): string | null } {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower.get(name.toLowerCase()) ?? null };
}

/** Principals as consoleHandler puts them on a request, for tests of what gets recorded. */
export const APPROVER: Principal = {
  kind: 'user',
  objectId: USER_OID,
  tenantId: TENANT,
  name: 'Alice Admin',
  userPrincipalName: 'alice@contoso.example',
  appId: null,
  roles: ['Approver'],
};

export const CHANGE_SYSTEM: Principal = {
  kind: 'app',
  objectId: APP_OID,
  tenantId: TENANT,
  name: 'Change system',
  userPrincipalName: null,
  appId: APP_ID,
  roles: ['Approver'],
};
