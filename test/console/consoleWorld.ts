/**
 * What the console tests run against: an emulated tenant with an example history (two scans, an approved
 * change, open alerts), served by the real local Functions host three times over: signed in as a Reader, as an
 * Approver, and not signed in.
 */
import { join } from 'node:path';
import { setRuntime } from '../../src/app/runtime';
import { wireAlerts, type WiredAlerts } from '../../src/app/wireStages';
import { startFunctionsHost, type RunningFunctionsHost } from '../../src/localhost/functionsHost';
import { localPrincipal } from '../../src/console/testPrincipal';
import { ensureExampleHistory } from '../../src/cli/exampleHistory';
import { startWorld, type World } from '../helpers/world';

export interface ConsoleWorld {
  world: World;
  alerts: WiredAlerts;
  reader: RunningFunctionsHost;
  approver: RunningFunctionsHost;
  anonymous: RunningFunctionsHost;
  close(): Promise<void>;
}

export async function startConsoleWorld(options: { groups?: number } = {}): Promise<ConsoleWorld> {
  const world = await startWorld({ emulator: { groups: options.groups ?? 300, seed: 42 } });
  const alerts = await wireAlerts(world.services);
  setRuntime({ services: world.services, alerts });
  await ensureExampleHistory(world.services, alerts, { graphUrl: world.emulator.url, print: () => {} });
  const host = (principal: ReturnType<typeof localPrincipal> | null) =>
    startFunctionsHost({
      functionsDir: join(__dirname, '..', '..', 'functions'),
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
      setRuntime(undefined);
    },
  };
}
