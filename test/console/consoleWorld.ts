/**
 * What the console tests run against: an emulated tenant with an example history (two scans, an approved
 * change, open alerts), served by the real local Functions host three times over: signed in as a Reader, as an
 * Approver, and with sign-in off.
 */
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { ensureExampleHistory } from '../../dev/cli/exampleHistory';
import { createServices, type AlertServices } from '../../src/app/services';
import { loadSettings } from '../../src/config/settings';
import { silentLogger } from '../../src/observability/logger';
import type { ConsoleRole } from '../../src/auth/principal';
import { startWorld, type World } from '../helpers/world';

export interface ConsoleWorld {
  world: World;
  alerts: AlertServices;
  reader: RunningFunctionsHost;
  approver: RunningFunctionsHost;
  anonymous: RunningFunctionsHost;
  close(): Promise<void>;
}

export async function startConsoleWorld(options: { groups?: number } = {}): Promise<ConsoleWorld> {
  const world = await startWorld({ emulator: { groups: options.groups ?? 300, seed: 42 } });
  const alerts = world.services.alerts;
  await ensureExampleHistory(world.services, { graphUrl: world.emulator.url, print: () => {} });
  // One product per sign-in, over the same tables: CONSOLE_AUTH=local with a role is how `local --as` signs a
  // developer in; without it (CONSOLE_AUTH=off) the console refuses everyone.
  const host = (role: ConsoleRole | null) =>
    startFunctionsHost({
      services: role ? createServices(loadSettings({ ...world.env, CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: role }), { log: silentLogger }) : world.services,
      port: 0,
      functionKey: 'console-test-key',
      settings: world.env,
      timers: false,
      log: () => {},
    });
  const reader = await host('Reader');
  const approver = await host('Approver');
  const anonymous = await host(null);
  return {
    world,
    alerts,
    reader,
    approver,
    anonymous,
    close: async () => {
      await Promise.all([reader.close(), approver.close(), anonymous.close()]);
      await world.close();
    },
  };
}
