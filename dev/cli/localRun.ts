/**
 * `npm start`: the whole app on this machine. Starts Azurite and an emulated tenant, serves the HTTP API and the
 * console on the local Functions host (http://localhost:7071/api/...), scans right away (twice, with an admin's
 * changes between, on a fresh start: see exampleHistory.ts), prints the summary and the console's URL,
 * and keeps scanning on SCAN_SCHEDULE until stopped (Ctrl+C). `--as reader|approver` signs console requests in
 * as a local developer with that role.
 */
import { parseArgs } from 'node:util';
import { loadSettings, settingDefaults } from '../../src/config/settings';
import { createServices } from '../../src/app/services';
import { startFunctionsHost } from '../host/functionsHost';
import { consoleLogger } from '../../src/observability/logger';
import { formatScanSummary } from '../../src/cli/scanSummary';
import { DEFAULT_LOCAL_FUNCTION_KEY, startEmbeddedDefault } from './embeddedDefault';
import { readLocalSettings } from '../../src/cli/localSettings';
import { startDemoReceiver } from '../demo/demoReceiver';
import { localSignInSettings } from './localSignIn';
import { ensureExampleHistory } from './exampleHistory';

export async function localCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      groups: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '42' },
      port: { type: 'string', default: '7071' },
      once: { type: 'boolean', default: false },
      'in-memory': { type: 'boolean', default: false },
      // The console opens signed in, so a newcomer sees every view (reader to see it without the Approver's buttons).
      as: { type: 'string', default: 'approver' },
    },
  });
  const signIn = localSignInSettings(values.as);
  const groups = Number(values.groups);
  if (!Number.isInteger(groups) || groups < 1 || groups > 1_000_000) throw new Error(`--groups ${values.groups}: give a whole number from 1 to 1000000.`);
  const port = Number(values.port);
  const localFile = readLocalSettings('local.settings.json');
  const functionKey = localFile?.Values?.LOCAL_FUNCTION_KEY || DEFAULT_LOCAL_FUNCTION_KEY;

  console.log(`Starting Azurite and an emulated tenant of ${groups} groups...`);
  const embedded = await startEmbeddedDefault({ groups, seed: Number(values.seed), inMemory: values['in-memory'] });
  const appSettings = { ...settingDefaults(), ...embedded.env, ...signIn };
  const settings = loadSettings(appSettings);
  const receiver = await startDemoReceiver({ publicBaseUrl: settings.publicBaseUrl });
  const services = createServices(settings, { log: consoleLogger, extraAlertChannels: [receiver.channel] });
  const host = await startFunctionsHost({
    services,
    port,
    functionKey,
    settings: appSettings,
    timers: !values.once,
    log: (line) => console.log(line),
  });
  console.log(`Graph emulator: ${embedded.emulator.url}   Azurite tables: 127.0.0.1:${embedded.azurite.port}`);
  console.log(`HTTP API: ${host.url}/api/scans?code=${functionKey}`);
  if (signIn.CONSOLE_AUTH) console.log(`Console requests are signed in as the local developer with the ${signIn.CONSOLE_LOCAL_ROLE} role.`);

  const stop = async (): Promise<void> => {
    await host.close();
    await receiver.close();
    await embedded.stop();
  };
  try {
    const { latest } = await ensureExampleHistory(services, { graphUrl: embedded.emulator.url });
    console.log(`\n${formatScanSummary(latest)}\n`);
    console.log(`Console: ${host.url}/api/console/${signIn.CONSOLE_LOCAL_ROLE ? `   (signed in locally as ${signIn.CONSOLE_LOCAL_ROLE}; --as reader|approver)` : ''}`);
    if (values.once) {
      await stop();
      return 0;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  console.log(`Scanning again on "${settings.scan.schedule}" (UTC). Press Ctrl+C to stop.`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => void stop().then(resolve);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return 0;
}
