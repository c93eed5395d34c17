import { describe, expect, it } from 'vitest';
import { localSignInSettings } from '../../dev/cli/localSignIn';
import { loadSettings } from '../../src/config/settings';
import { authenticateConsole } from '../../src/auth/consoleAuth';

describe('local --as', () => {
  it('signs the console in as the local developer with the chosen role', () => {
    expect(localSignInSettings('approver', {})).toEqual({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' });
    const settings = loadSettings({ TENANT_ID: '11111111-2222-3333-4444-555555555555', TABLE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', ...localSignInSettings('Reader', {}) });
    expect(authenticateConsole({ get: () => null }, settings).roles).toEqual(['Reader']);
  });

  it('changes nothing without --as, and names the roles for a wrong one', () => {
    expect(localSignInSettings(undefined, { WEBSITE_SITE_NAME: 'func-api-x' })).toEqual({});
    expect(() => localSignInSettings('admin', {})).toThrow(/--as admin: give reader or approver/);
  });

  it.each(['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID', 'WEBSITE_HOSTNAME', 'WEBSITE_OWNER_NAME', 'WEBSITE_RESOURCE_GROUP'])('refuses when %s shows the process runs in Azure', (marker) => {
    expect(() => localSignInSettings('approver', { [marker]: 'x' })).toThrow(new RegExp(`refused in Azure \\(${marker} set\\)`));
    // An empty variable is not a marker.
    expect(localSignInSettings('approver', { [marker]: ' ' })).toEqual({ CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: 'Approver' });
  });
});
