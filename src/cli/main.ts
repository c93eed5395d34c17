#!/usr/bin/env node
/**
 * writeback-watch: the product's command line. Every command works against whatever the settings point at and
 * runs the same product as the Functions triggers (src/app/services.ts, src/scan/scheduledScan.ts). In a clone,
 * the development entry point (dev/cli/main.ts, the package's bin) adds the local run, the local host, the
 * Graph emulator and the demo.
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
import { commandProgress, withRowProgress, withScanProgress } from './commandProgress';
import { consoleLogger, type Logger } from '../observability/logger';

export const PRODUCT_USAGE = `  scan       Run one scan now with the current settings, then alerts and retention as the nightly timer
             does; exit code 1 when it fails.
  export     --scan <id|latest> [--format json] [--out FILE]: one JSON line per classified group.
  diff       --from <id> --to <id|latest> [--format json|xlsx] [--out FILE]
  report     --scan <id|latest> --out FILE: the scan's Excel report.
  whatif     --scan <id|latest> --engines <list> [--format json|xlsx] [--out FILE]: the groups whose bucket or
             target would differ under other writeback engines (e.g. connectSyncV1,cloudSync), without Graph.`;

export const SETTINGS_USAGE = 'Settings come from the environment, or from local.settings.json (Values) when present.';

const USAGE = `writeback-watch <command> [options]

Commands:
${PRODUCT_USAGE}

${SETTINGS_USAGE}`;

function settingsFromEnvironment() {
  return loadSettings(mergeLocalSettings(process.env, readLocalSettings('local.settings.json')));
}

async function servicesFromEnvironment(log?: Logger): Promise<Services> {
  return createServices(settingsFromEnvironment(), { log });
}

async function scanCommand(): Promise<number> {
  const progress = commandProgress();
  const services = await servicesFromEnvironment(progress.around(consoleLogger));
  const outcome = await withScanProgress(progress, (onProgress) => runScheduledScan(services, { trigger: 'cli', onProgress }));
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
  let rows = 0;
  await withRowProgress(commandProgress({ dataOnStdout: !values.out }), 'Exporting', scan.counts.total, async (onProgress) => {
    for await (const group of services.snapshots.readGroups(scan)) {
      if (!out.write(`${JSON.stringify(group)}\n`)) await once(out, 'drain');
      onProgress?.((rows += 1));
    }
  });
  if (values.out) {
    out.end();
    await once(out, 'finish');
    console.error(`Wrote scan ${scan.id} to ${values.out}.`);
  }
  return 0;
}

export type Command = (argv: string[]) => Promise<number>;

export const PRODUCT_COMMANDS: Readonly<Record<string, Command>> = {
  scan: () => scanCommand(),
  export: exportCommand,
  diff: async (argv) => (await import('./diffCommands')).diffCommand(argv, await servicesFromEnvironment()),
  report: async (argv) => (await import('./diffCommands')).reportCommand(argv, await servicesFromEnvironment()),
  whatif: async (argv) => (await import('./whatifCommand')).whatifCommand(argv, await servicesFromEnvironment()),
};

export function main(argv: string[]): Promise<number> {
  return runCommand(PRODUCT_COMMANDS, USAGE, argv);
}

/** Runs one command of `commands`; errors become one line that says what to do, and an exit code. */
export async function runCommand(commands: Readonly<Record<string, Command>>, usage: string, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof ConfigurationError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof WritebackWatchError) console.error(`Error (${error.code}): ${error.message}`);
    else if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') console.error(`${errorMessage(error)}\n\n${usage}`);
    else console.error(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

/** Sets the process's exit code from a command's; used by this file and the development entry point. */
export function runAsMain(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runAsMain(main(process.argv.slice(2)));
