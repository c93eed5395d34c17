/**
 * What the console tests run against: an emulated tenant with an example history (two scans, an approved
 * change, open alerts), served by the real local Functions host three times over: signed in as a Reader, as an
 * Approver, and not signed in.
 */
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { localPrincipal } from '../../src/console/testPrincipal';
import { ensureExampleHistory } from '../../dev/cli/exampleHistory';
import type { AlertServices } from '../../src/app/services';
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
  const host = (principal: ReturnType<typeof localPrincipal> | null) =>
    startFunctionsHost({
      services: world.services,
      port: 0,
      functionKey: 'console-test-key',
      settings: world.env,
      timers: false,
      log: () => {},
      testConsolePrincipal: principal,
    });
  const reader = await host(localPrincipal('Reader', world.settings.tenantId));
  const approver = await host(localPrincipal('Approver', world.settings.tenantId));
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
