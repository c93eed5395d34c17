/** Builds validated Settings for tests: the shared Azurite, a fresh table prefix, and any overrides. */
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { loadSettings, type Settings } from '../../src/config/settings';

export const TEST_TENANT_ID = '11111111-2222-3333-4444-555555555555';

export function uniqueTablePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TENANT_ID: TEST_TENANT_ID,
    TABLE_STORAGE_CONNECTION_STRING: inject('tablesConnectionString'),
    TABLE_PREFIX: uniqueTablePrefix(),
    GRAPH_CREDENTIAL: 'emulator',
    GRAPH_BASE_URL: 'http://127.0.0.1:9',
    ...overrides,
  };
}

export function testSettings(overrides: Record<string, string> = {}): Settings {
  return loadSettings(testEnv(overrides));
}
