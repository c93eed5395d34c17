#!/usr/bin/env node
/**
 * writeback-watch in a clone: the product's commands plus the development harness (the local run, the local
 * Functions host, the Graph emulator and the demo). This is the package's bin; the deployed app never
 * contains it, and the product never imports it.
 */
import { PRODUCT_COMMANDS, PRODUCT_USAGE, SETTINGS_USAGE, runAsMain, runCommand, type Command } from '../../src/cli/main';
import { WritebackWatchError } from '../../src/errors';
import { isEmulatorError } from '../emulator/errors';

const USAGE = `writeback-watch <command> [options]

Commands:
  local      Start Azurite, an emulated tenant and the local Functions host on :7071; scan now and nightly.
             --groups N (default 2000)  --seed S  --port P (default 7071)  --once (exit after the first scan)
             --as reader|approver (sign console requests in as a local developer with that role)
  host       Serve functions/ locally with the settings in local.settings.json (like "func start").
${PRODUCT_USAGE}
  emulator   Start the Graph emulator: --port --groups N --seed S --fixture FILE --latency MS
             --rate-429 R --rate-503 R --rate-drop R --rate-truncate R --retry-after S --delta-page-size N
  demo       Scan, change the emulated tenant as an admin would, scan again, print the diff, write both reports.

${SETTINGS_USAGE}`;

const DEVELOPMENT_COMMANDS: Readonly<Record<string, Command>> = {
  local: async (argv) => (await import('./localRun')).localCommand(argv),
  host: async (argv) => (await import('./hostCommand')).hostCommand(argv),
  emulator: async (argv) => {
    try {
      await (await import('../emulator/cli')).runEmulatorCommand(argv);
    } catch (error) {
      // The emulator has errors of its own; shown like the product's bad-input errors.
      if (isEmulatorError(error)) throw new WritebackWatchError('InvalidInput', error.message);
      throw error;
    }
    return 0;
  },
  demo: async (argv) => (await import('./demo')).demoCommand(argv),
};

export function main(argv: string[]): Promise<number> {
  return runCommand({ ...PRODUCT_COMMANDS, ...DEVELOPMENT_COMMANDS }, USAGE, argv);
}

if (require.main === module) runAsMain(main(process.argv.slice(2)));
