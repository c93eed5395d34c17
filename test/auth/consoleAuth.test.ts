import { describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_OBJECT_ID, authenticateConsole, requireRole, type ConsoleAuthSettings } from '../../src/auth/consoleAuth';
import { actorColumns, actorFromColumns, describeActor, recordPrincipal } from '../../src/auth/actor';
import { loadSettings } from '../../src/config/settings';
import { WritebackWatchError } from '../../src/errors';
import { APPROVER, CHANGE_SYSTEM, TENANT, USER_OID, headerReader, principalHeaders, userClaims } from '../helpers/principals';

const base = { TENANT_ID: TENANT, TABLE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };

/** Settings as the app would load them from these app settings and platform variables. */
function settingsFrom(env: Record<string, string>): ConsoleAuthSettings {
  return loadSettings({ ...base, ...env });
}

const forged = headerReader(principalHeaders(userClaims({ roles: ['Approver'] }), { name: 'alice@contoso.example' }));

function refusal(headers: ReturnType<typeof headerReader>, settings: ConsoleAuthSettings): WritebackWatchError {
  try {
    authenticateConsole(headers, settings);
  } catch (error) {
    expect(error).toBeInstanceOf(WritebackWatchError);
    return error as WritebackWatchError;
  }
  throw new Error('expected authenticateConsole to refuse');
}

describe('authenticateConsole', () => {
  it('trusts Easy Auth headers when CONSOLE_AUTH=entra and the platform says authentication is on', () => {
    const principal = authenticateConsole(forged, settingsFrom({ CONSOLE_AUTH: 'entra', WEBSITE_AUTH_ENABLED: 'True', WEBSITE_SITE_NAME: 'func-api-x' }));
    expect(principal).toMatchObject({ kind: 'user', objectId: USER_OID, roles: ['Approver'] });
  });

  it.each([
    ['sign-in off (the default)', {}, /CONSOLE_AUTH=off/],
    ['CONSOLE_AUTH=entra without the platform marker', { CONSOLE_AUTH: 'entra' }, /WEBSITE_AUTH_ENABLED/],
    ['CONSOLE_AUTH=entra with the marker false', { CONSOLE_AUTH: 'entra', WEBSITE_AUTH_ENABLED: 'false' }, /WEBSITE_AUTH_ENABLED/],
    ['the marker alone, CONSOLE_AUTH off', { WEBSITE_AUTH_ENABLED: 'true' }, /CONSOLE_AUTH=off/],
  ])('ignores a forged principal header with %s: 401', (_, env: Record<string, string>, message) => {
    const error = refusal(forged, settingsFrom(env));
    expect(error.code).toBe('Unauthenticated');
    expect(error.message).toMatch(message);
  });

  it('signs the local developer in with the chosen role, ignoring any principal header', () => {
    const settings = settingsFrom({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Reader' });
    const principal = authenticateConsole(forged, settings);
    expect(principal).toEqual({
      kind: 'user',
      objectId: LOCAL_DEVELOPER_OBJECT_ID,
      tenantId: TENANT,
      name: 'Local developer (Reader)',
      userPrincipalName: 'developer@localhost',
      appId: null,
      roles: ['Reader'],
    });
    expect(authenticateConsole(headerReader({}), settingsFrom({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' })).roles).toEqual(['Approver']);
  });

  it.each(['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID', 'WEBSITE_HOSTNAME'])('refuses CONSOLE_AUTH=local when %s shows the process runs in Azure', (marker) => {
    const error = refusal(headerReader({}), settingsFrom({ CONSOLE_AUTH: 'local', [marker]: 'func-api-x' }));
    expect(error.code).toBe('Unauthenticated');
    expect(error.message).toContain(marker);
  });

  it('rejects an unknown CONSOLE_AUTH value when settings load', () => {
    expect(() => settingsFrom({ CONSOLE_AUTH: 'easyauth' })).toThrow(/CONSOLE_AUTH.*one of off, entra, local/);
  });
});

describe('requireRole', () => {
  it('lets an Approver do what a Reader may, and names the missing role otherwise', () => {
    expect(requireRole(APPROVER, 'Reader')).toBe(APPROVER);
    expect(requireRole(APPROVER, 'Approver')).toBe(APPROVER);
    const reader = { ...APPROVER, roles: ['Reader' as const] };
    expect(() => requireRole(reader, 'Approver')).toThrow(expect.objectContaining({ code: 'Forbidden', message: expect.stringMatching(/alice@contoso\.example holds Reader; this needs the Approver role/) }));
    expect(() => requireRole({ ...APPROVER, roles: [] }, 'Reader')).toThrow(/holds no role/);
    expect(() => requireRole(null, 'Reader')).toThrow(expect.objectContaining({ code: 'Unauthenticated' }));
  });
});

describe('recorded actors', () => {
  it('round-trip through table columns without their roles', () => {
    for (const principal of [APPROVER, CHANGE_SYSTEM]) {
      const columns = actorColumns('requestedBy', recordPrincipal(principal));
      expect(actorFromColumns('requestedBy', columns)).toEqual(recordPrincipal(principal));
      expect(columns).not.toHaveProperty('roles');
    }
  });

  it('read a name-only record as legacy and describe it as unverified', () => {
    const legacy = actorFromColumns('requestedBy', { requestedBy: 'body@contoso.example' });
    expect(legacy).toEqual({ kind: 'legacy', name: 'body@contoso.example' });
    expect(describeActor(legacy)).toBe('body@contoso.example (recorded by name, unverified)');
    expect(actorFromColumns('requestedBy', {})).toBeNull();
  });

  it('describe users and apps for people', () => {
    expect(describeActor(recordPrincipal(APPROVER))).toBe('Alice Admin (alice@contoso.example)');
    expect(describeActor(recordPrincipal(CHANGE_SYSTEM))).toBe(`app Change system (appId ${CHANGE_SYSTEM.appId})`);
  });
});
