import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings';
import { ConfigurationError } from '../../src/errors';

const base = {
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  TABLE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

function failure(env: Record<string, string>): ConfigurationError {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected loadSettings to throw');
}

describe('loadSettings', () => {
  it('applies every default and freezes the result', () => {
    const settings = loadSettings(base);
    expect(settings.graph.baseUrl).toBe('https://graph.microsoft.com');
    expect(settings.graph.pageSize).toBe(999);
    expect(settings.scan.schedule).toBe('0 0 2 * * *');
    expect(settings.scan.retentionDays).toBe(90);
    expect(Object.isFrozen(settings.graph)).toBe(true);
    expect(settings.engines).toEqual(['connectSyncV2', 'cloudSync']);
    expect(Object.isFrozen(settings.engines)).toBe(true);
  });

  it.each([
    ['cloudSync, connectSyncV1', ['connectSyncV1', 'cloudSync']],
    ['connectSyncV2', ['connectSyncV2']],
    ['cloudSync', ['cloudSync']],
    ['none', []],
  ])('reads WRITEBACK_ENGINES=%s in canonical order', (value, engines) => {
    expect(loadSettings({ ...base, WRITEBACK_ENGINES: value }).engines).toEqual(engines);
  });

  it.each([
    [{}, 'TENANT_ID', /missing/],
    [{ TENANT_ID: 'contoso' }, 'TENANT_ID', /GUID/],
    [{ GRAPH_BASE_URL: 'not a url' }, 'GRAPH_BASE_URL', /absolute URL/],
    [{ GRAPH_BASE_URL: 'http://graph.example.com' }, 'GRAPH_BASE_URL', /https/],
    [{ GRAPH_PAGE_SIZE: '1000' }, 'GRAPH_PAGE_SIZE', /between 1 and 999/],
    [{ GRAPH_PAGE_SIZE: 'ten' }, 'GRAPH_PAGE_SIZE', /whole number/],
    [{ GRAPH_CREDENTIAL: 'secret' }, 'GRAPH_CREDENTIAL', /one of/],
    [{ SCAN_SCHEDULE: '0 2 * * *' }, 'SCAN_SCHEDULE', /six-field/],
    [{ MEMBER_COUNTS_ENABLED: 'yes' }, 'MEMBER_COUNTS_ENABLED', /true or false/],
    [{ CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: '9c2b1a4e-0c1d-4d8e-9f00-1234567890ab,contoso' }, 'CLOUD_SYNC_SERVICE_PRINCIPAL_IDS', /"contoso" is not a GUID/],
    [{ TABLE_PREFIX: '1abc' }, 'TABLE_PREFIX', /start with a letter/],
    [{ ALERT_EMAIL_FROM: 'alerts@contoso.com' }, 'ALERT_EMAIL_TO', /recipient/],
    [{ WRITEBACK_ENGINES: 'connectSyncV2,connectSyncV1' }, 'WRITEBACK_ENGINES', /exclude each other/],
    [{ WRITEBACK_ENGINES: 'none,cloudSync' }, 'WRITEBACK_ENGINES', /"none" cannot be combined/],
    [{ WRITEBACK_ENGINES: 'connectSyncV3' }, 'WRITEBACK_ENGINES', /"connectSyncV3" is not an engine; it must be a comma-separated list of connectSyncV2, connectSyncV1, cloudSync/],
    [{ WRITEBACK_ENGINES: ',' }, 'WRITEBACK_ENGINES', /empty/],
  ])('rejects %j naming %s', (override, setting, message) => {
    const env: Record<string, string> = { ...base, ...override };
    if (Object.keys(override).length === 0) delete env.TENANT_ID; // the "missing" case
    const error = failure(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toMatch(message);
  });

  it('reads CLOUD_SYNC_SERVICE_PRINCIPAL_IDS as a lower-cased list without duplicates (empty by default)', () => {
    expect(loadSettings(base).cloudSync.servicePrincipalIds).toEqual([]);
    const ids = ' 9C2B1A4E-0C1D-4D8E-9F00-1234567890AB, 9c2b1a4e-0c1d-4d8e-9f00-1234567890ab ,1f0e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
    expect(loadSettings({ ...base, CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: ids }).cloudSync.servicePrincipalIds).toEqual([
      '9c2b1a4e-0c1d-4d8e-9f00-1234567890ab',
      '1f0e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
    ]);
  });

  it('needs one Table Storage setting', () => {
    const error = failure({ TENANT_ID: base.TENANT_ID });
    expect(error.message).toMatch(/TABLE_STORAGE_ENDPOINT.*TABLE_STORAGE_CONNECTION_STRING/);
  });

  it('accepts the emulator credential only on loopback', () => {
    expect(() => loadSettings({ ...base, GRAPH_CREDENTIAL: 'emulator' })).toThrow(/loopback/);
    expect(loadSettings({ ...base, GRAPH_CREDENTIAL: 'emulator', GRAPH_BASE_URL: 'http://127.0.0.1:8080/' }).graph.baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('never repeats a webhook URL in an error: it carries its own token', () => {
    for (const name of ['ALERT_WEBHOOK_URL', 'ALERT_TEAMS_WEBHOOK_URL']) {
      const error = failure({ ...base, [name]: 'ftp://example.invalid/hook?sig=TOPSECRET' });
      expect(error.setting).toBe(name);
      expect(error.message).toContain('(hidden)');
      expect(error.message).not.toContain('TOPSECRET');
    }
  });
});
