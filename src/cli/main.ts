#!/usr/bin/env node
/**
 * writeback-watch: the command line. `local` is the one-command local run (emulated tenant + Azurite + the
 * local Functions host); the other commands work against whatever the settings point at.
 */
import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadSettings } from '../config/settings';
import { createServices, type Services } from '../app/services';
import { ConfigurationError, WritebackWatchError, errorMessage } from '../errors';
import { runScheduledScan } from '../scan/scheduledScan';
import { requireCompleteScan } from '../store/scanStore';
import { formatScanSummary } from './scanSummary';
import { mergeLocalSettings, readLocalSettings } from './localSettings';

const USAGE = `writeback-watch <command> [options]

Commands:
  local      Start Azurite, an emulated tenant and the local Functions host on :7071; scan now and nightly.
             --groups N (default 2000)  --seed S  --port P (default 7071)  --once (exit after the first scan)
  host       Serve functions/ locally with the settings in local.settings.json (like "func start").
  scan       Run one scan now with the current settings; exit code 1 when it fails.
  emulator   Start the Graph emulator: --port --groups N --seed S --fixture FILE --latency MS
             --rate-429 R --rate-503 R --rate-drop R --rate-truncate R --retry-after S --delta-page-size N
  export     --scan <id|latest> [--format json] [--out FILE]: one JSON line per classified group.
  diff       --from <id> --to <id|latest> [--format json|xlsx] [--out FILE]
  report     --scan <id|latest> --out FILE: the scan's Excel report.
  whatif     --scan <id|latest> --engines <list> [--format json|xlsx] [--out FILE]: the groups whose bucket or
             target would differ under other writeback engines (e.g. connectSyncV1,cloudSync), without Graph.
  demo       Scan, change the emulated tenant as an admin would, scan again, print the diff, write both reports.

Settings come from the environment, or from local.settings.json (Values) when present.`;

function settingsFromEnvironment() {
  return loadSettings(mergeLocalSettings(process.env, readLocalSettings('local.settings.json')));
}

async function servicesFromEnvironment(): Promise<Services> {
  return createServices(settingsFromEnvironment());
}

async function scanCommand(): Promise<number> {
  const services = await servicesFromEnvironment();
  const outcome = await runScheduledScan(services, { trigger: 'cli' });
  if (outcome.status === 'skipped') {
    console.error(`No scan ran: ${outcome.reason}`);
    return 1;
  }
  console.log(formatScanSummary(outcome.scan));
  return outcome.status === 'failed' ? 1 : 0;
}

async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { scan: { type: 'string', default: 'latest' }, format: { type: 'string', default: 'json' }, out: { type: 'string' } } });
  if (values.format !== 'json') throw new WritebackWatchError('InvalidInput', `--format ${values.format} is not supported by export; use --format json (one JSON line per group).`);
  const services = await servicesFromEnvironment();
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, values.scan));
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  for await (const group of services.snapshots.readGroups(scan)) {
    if (!out.write(`${JSON.stringify(group)}\n`)) await once(out, 'drain');
  }
  if (values.out) {
    out.end();
    await once(out, 'finish');
    console.error(`Wrote scan ${scan.id} to ${values.out}.`);
  }
  return 0;
}

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  scan: () => scanCommand(),
  export: exportCommand,
  local: async (argv) => (await import('./localRun')).localCommand(argv),
  host: async (argv) => (await import('./hostCommand')).hostCommand(argv),
  emulator: async (argv) => {
    await (await import('../emulator/cli')).runEmulatorCommand(argv);
    return 0;
  },
  diff: async (argv) => (await import('./diffCommands')).diffCommand(argv, await servicesFromEnvironment()),
  report: async (argv) => (await import('./diffCommands')).reportCommand(argv, await servicesFromEnvironment()),
  whatif: async (argv) => (await import('./whatifCommand')).whatifCommand(argv, await servicesFromEnvironment()),
  demo: async (argv) => (await import('./demo')).demoCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof ConfigurationError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof WritebackWatchError) console.error(`Error (${error.code}): ${error.message}`);
    else if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') console.error(`${errorMessage(error)}\n\n${USAGE}`);
    else console.error(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
