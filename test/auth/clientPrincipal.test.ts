import { describe, expect, it } from 'vitest';
import { MAX_PRINCIPAL_HEADER_CHARS, parseClientPrincipal } from '../../src/auth/clientPrincipal';
import { WritebackWatchError } from '../../src/errors';
import { APP_ID, APP_OID, OTHER_TENANT, TENANT, USER_OID, appClaims, encodePrincipal, headerReader, principalHeaders, userClaims } from '../helpers/principals';

const options = { allowedTenantId: TENANT };

function parse(headers: Record<string, string>) {
  return parseClientPrincipal(headerReader(headers), options);
}

function failure(headers: Record<string, string>): WritebackWatchError {
  try {
    parse(headers);
  } catch (error) {
    expect(error).toBeInstanceOf(WritebackWatchError);
    return error as WritebackWatchError;
  }
  throw new Error('expected parseClientPrincipal to throw');
}

describe('parseClientPrincipal', () => {
  it('reads a signed-in user: object id, tenant, name, UPN and app roles', () => {
    const principal = parse(principalHeaders(userClaims({ roles: ['Reader', 'Approver'] }), { name: 'alice@contoso.example' }));
    expect(principal).toEqual({
      kind: 'user',
      objectId: USER_OID,
      tenantId: TENANT,
      name: 'Alice Admin',
      userPrincipalName: 'alice@contoso.example',
      appId: null,
      roles: ['Reader', 'Approver'],
    });
  });

  it('finds roles typed `roles`, as the role_typ URI, or under a custom role_typ, once each; unknown roles are dropped', () => {
    const claims = [
      ...userClaims({ roles: [] }),
      { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Reader' },
      { typ: 'roles', val: 'Reader' },
      { typ: 'roles', val: 'GlobalAdmin' },
      { typ: 'roles', val: 'approver' }, // app role values are case-sensitive: not Approver
    ];
    expect(parse(principalHeaders(claims)).roles).toEqual(['Reader']);
    const custom = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [...userClaims({ roles: [] }), { typ: 'myroles', val: 'Approver' }], role_typ: 'myroles' })).toString('base64');
    expect(parse({ 'x-ms-client-principal': custom }).roles).toEqual(['Approver']);
  });

  it('keeps a principal with no role (requireRole refuses it per route)', () => {
    expect(parse(principalHeaders(userClaims({ roles: [] }))).roles).toEqual([]);
  });

  it('reads an app-only token without the -NAME header as that application', () => {
    const headers = principalHeaders(appClaims(), { name: null });
    expect(headers['x-ms-client-principal-name']).toBeUndefined();
    expect(parse(headers)).toEqual({ kind: 'app', objectId: APP_OID, tenantId: TENANT, name: null, userPrincipalName: null, appId: APP_ID, roles: ['Approver'] });
  });

  it('takes a token with no user name but a client app id as an app even without idtyp', () => {
    const principal = parse(principalHeaders([...appClaims({ idtyp: false }), { typ: 'app_displayname', val: 'Change system' }]));
    expect(principal).toMatchObject({ kind: 'app', appId: APP_ID, name: 'Change system' });
  });

  it('accepts the raw token claim names (oid, tid, upn) and URL-safe base64', () => {
    const claims = [
      { typ: 'oid', val: USER_OID.toUpperCase() },
      { typ: 'tid', val: TENANT.toUpperCase() },
      { typ: 'upn', val: 'bob@contoso.example' },
      { typ: 'roles', val: 'Reader' },
    ];
    const urlSafe = encodePrincipal(claims).replace(/\+/g, '-').replace(/\//g, '_');
    expect(parse({ 'x-ms-client-principal': urlSafe })).toMatchObject({ kind: 'user', objectId: USER_OID, tenantId: TENANT, userPrincipalName: 'bob@contoso.example', name: null });
  });

  it('refuses a principal from another tenant with 403', () => {
    const error = failure(principalHeaders(userClaims({ tenantId: OTHER_TENANT })));
    expect(error.code).toBe('Forbidden');
    expect(error.message).toContain(OTHER_TENANT);
    expect(error.message).toContain(TENANT);
  });

  it.each([
    ['no header at all', {}, /Not signed in/],
    ['an empty header', { 'x-ms-client-principal': '  ' }, /Not signed in/],
    ['a header that is not base64', { 'x-ms-client-principal': 'not base64!' }, /not base64/],
    ['base64 that is not JSON', { 'x-ms-client-principal': Buffer.from('{"auth_typ":').toString('base64') }, /not base64-encoded JSON/],
    ['a JSON array', { 'x-ms-client-principal': Buffer.from('[1,2]').toString('base64') }, /not a JSON object/],
    ['JSON without claims', { 'x-ms-client-principal': Buffer.from('{"auth_typ":"aad"}').toString('base64') }, /no claims list/],
    ['another identity provider', { 'x-ms-client-principal': encodePrincipal(userClaims()), 'x-ms-client-principal-idp': 'github' }, /only Microsoft Entra/],
    ['another auth_typ', { 'x-ms-client-principal': encodePrincipal(userClaims(), { auth_typ: 'google' }) }, /auth_typ is "google"/],
    ['no object id', { 'x-ms-client-principal': encodePrincipal(userClaims().filter((c) => !c.typ.endsWith('objectidentifier'))) }, /no object id/],
    ['no tenant id', { 'x-ms-client-principal': encodePrincipal(userClaims().filter((c) => !c.typ.endsWith('tenantid'))) }, /no tenant id/],
    ['an -ID header that is not the oid', principalHeaders(userClaims(), { id: APP_OID }), /disagree/],
    ['an oversized header', { 'x-ms-client-principal': 'A'.repeat(MAX_PRINCIPAL_HEADER_CHARS + 4) }, /over/],
  ])('answers 401 for %s', (_, headers: Record<string, string>, message) => {
    const error = failure(headers);
    expect(error.code).toBe('Unauthenticated');
    expect(error.message).toMatch(message);
  });

  it('skips malformed claim entries instead of failing on them', () => {
    const claims = [null, 5, { typ: 'x' }, { typ: 'roles', val: 7 }, ...userClaims({ roles: ['Reader'] })];
    const header = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims })).toString('base64');
    expect(parse({ 'x-ms-client-principal': header })).toMatchObject({ objectId: USER_OID, roles: ['Reader'] });
  });
});
