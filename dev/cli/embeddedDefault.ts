/**
 * The embedded default: everything the app needs on one machine with no Azure account. Azurite (data kept in
 * .local/azurite), the Graph emulator with a synthetic tenant, and app settings pointing at both.
 */
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../localhost/azurite';
import { startGraphEmulator, type RunningEmulator } from '../emulator/server';

/** The emulated tenant's id (a fixed GUID, not a real tenant). */
export const EMULATED_TENANT_ID = '8d1f6b57-0c3a-4b8e-9f27-5a6e2c4d1b90';
/** Function key the local host requires unless local.settings.json sets LOCAL_FUNCTION_KEY. */
export const DEFAULT_LOCAL_FUNCTION_KEY = 'local-dev-function-key';

export interface EmbeddedDefault {
  azurite: RunningAzurite;
  emulator: RunningEmulator;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startEmbeddedDefault(options: { groups: number; seed: number; dataDir?: string; inMemory?: boolean }): Promise<EmbeddedDefault> {
  const azurite = await startAzurite(options.inMemory ? {} : { location: join(options.dataDir ?? '.local', 'azurite') });
  let emulator: RunningEmulator;
  try {
    emulator = await startGraphEmulator({ port: 0, groups: options.groups, seed: options.seed, tenantId: EMULATED_TENANT_ID });
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  const env: Record<string, string> = {
    TENANT_ID: EMULATED_TENANT_ID,
    GRAPH_BASE_URL: emulator.url,
    GRAPH_CREDENTIAL: 'emulator',
    TABLE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: 'wbw',
  };
  return {
    azurite,
    emulator,
    env,
    stop: async () => {
      await emulator.close();
      await azurite.stop();
    },
  };
}
