/** `host`: serve functions/ locally with local.settings.json, like `func start` (no emulator, no Azurite). */
import { parseArgs } from 'node:util';
import { loadSettings } from '../../src/config/settings';
import { createServices } from '../../src/app/services';
import { ConfigurationError } from '../../src/errors';
import { startFunctionsHost } from '../host/functionsHost';
import { mergeLocalSettings, readLocalSettings } from '../../src/cli/localSettings';
import { DEFAULT_LOCAL_FUNCTION_KEY } from './embeddedDefault';

export async function hostCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, settings: { type: 'string', default: 'local.settings.json' } } });
  const file = readLocalSettings(values.settings);
  if (!file) throw new ConfigurationError(`${values.settings} not found. Copy local.settings.sample.json to local.settings.json and edit it.`, values.settings);
  const appSettings = mergeLocalSettings(process.env, file);
  for (const [name, value] of Object.entries(appSettings)) if (value !== undefined && process.env[name] === undefined) process.env[name] = value;
  // Fail now, naming the setting, rather than on the first request.
  const services = createServices(loadSettings(process.env));
  const host = await startFunctionsHost({
    services,
    port: Number(values.port ?? file.Host?.LocalHttpPort ?? 7071),
    functionKey: appSettings.LOCAL_FUNCTION_KEY || DEFAULT_LOCAL_FUNCTION_KEY,
    settings: appSettings,
  });
  console.log(`Functions: ${[...host.routes, ...host.timers].map((f) => f.name).join(', ')}\nListening on ${host.url}/api`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => void host.close().then(resolve));
    process.once('SIGTERM', () => void host.close().then(resolve));
  });
  return 0;
}
