/**
 * `writeback-watch emulator ...`: runs the Graph emulator in the foreground until SIGINT/SIGTERM and
 * prints how to point the app at it.
 */
import { parseArgs } from 'node:util';
import { EmulatorError, errorMessage } from './errors';
import { startGraphEmulator, DEFAULT_EMULATOR_TOKEN, type EmulatorOptions } from './server';

export const EMULATOR_USAGE = `Usage: emulator [options]
  --port N            port on 127.0.0.1 (default 0 = any free port)
  --groups N          number of synthetic groups (default 1000)
  --seed N            seed of the synthetic tenant and of random faults (default 1)
  --fixture FILE      serve the groups (and settings) of a JSON file instead of synthetic ones
  --latency MS        time every request takes to answer (the emulator's own work included)
  --delta-page-size N items per /groups/delta page, the service's own limit (default 100)
  --rate-429 R        probability (0-1) of a 429 with Retry-After per request
  --rate-503 R        probability of a 503 with Retry-After
  --rate-drop R       probability of a dropped connection
  --rate-truncate R   probability of a truncated body
  --retry-after S     Retry-After seconds for 429/503 (default 1)
  --token T           accepted bearer token (default ${DEFAULT_EMULATOR_TOKEN})
  --links graph|emulator  origin of @odata.nextLink (default graph = https://graph.microsoft.com)`;

const OPTIONS = {
  port: { type: 'string' },
  groups: { type: 'string' },
  seed: { type: 'string' },
  fixture: { type: 'string' },
  latency: { type: 'string' },
  'delta-page-size': { type: 'string' },
  'rate-429': { type: 'string' },
  'rate-503': { type: 'string' },
  'rate-drop': { type: 'string' },
  'rate-truncate': { type: 'string' },
  'retry-after': { type: 'string' },
  token: { type: 'string' },
  links: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function argumentError(name: string, value: string, expected: string): never {
  throw new EmulatorError('InvalidInput', `Argument --${name} is "${value}", but ${expected}.\n${EMULATOR_USAGE}`, { argument: `--${name}` });
}

function wholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) argumentError(name, value, `it must be a whole number from ${min} to ${max}`);
  const parsed = Number(value.trim());
  if (parsed < min || parsed > max) argumentError(name, value, `it must be a whole number from ${min} to ${max}`);
  return parsed;
}

function decimal(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    argumentError(name, value, `it must be a number from ${min} to ${max}`);
  }
  return parsed;
}

export interface ParsedEmulatorArgs {
  help: boolean;
  options: EmulatorOptions;
}

/** Parses the command line into emulator options; errors name the offending argument. */
function readArgs(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // node:util names the argument in its message ("Unknown option '--x'", "Option '--port <value>' argument missing").
    throw new EmulatorError('InvalidInput', `${errorMessage(error)}\n${EMULATOR_USAGE}`);
  }
}

export function parseEmulatorArgs(argv: string[]): ParsedEmulatorArgs {
  const values = readArgs(argv);
  const seed = wholeNumber('seed', values.seed, 0, 0xffffffff);
  const faults = {
    rate429: decimal('rate-429', values['rate-429'], 0, 1),
    rate503: decimal('rate-503', values['rate-503'], 0, 1),
    rateDrop: decimal('rate-drop', values['rate-drop'], 0, 1),
    rateTruncate: decimal('rate-truncate', values['rate-truncate'], 0, 1),
    retryAfterSeconds: decimal('retry-after', values['retry-after'], 0, 3600),
    seed,
  };
  const total = (faults.rate429 ?? 0) + (faults.rate503 ?? 0) + (faults.rateDrop ?? 0) + (faults.rateTruncate ?? 0);
  if (total > 1) {
    throw new EmulatorError('InvalidInput', `Arguments --rate-429, --rate-503, --rate-drop and --rate-truncate add up to ${total}; their sum must not exceed 1.`, { argument: '--rate-429' });
  }
  if (values.token !== undefined && values.token.trim() === '') argumentError('token', values.token, 'it must not be empty');
  if (values.fixture !== undefined && values.fixture.trim() === '') argumentError('fixture', values.fixture, 'it must be a file path');
  if (values.fixture !== undefined && values.groups !== undefined) {
    throw new EmulatorError('InvalidInput', 'Arguments --fixture and --groups cannot be combined: a fixture brings its own groups.', { argument: '--groups' });
  }
  if (values.links !== undefined && values.links !== 'graph' && values.links !== 'emulator') {
    argumentError('links', values.links, 'it must be "graph" or "emulator"');
  }
  const options: EmulatorOptions = {
    port: wholeNumber('port', values.port, 0, 65535) ?? 0,
    groups: wholeNumber('groups', values.groups, 0, 10_000_000) ?? (values.fixture ? undefined : 1000),
    seed,
    fixture: values.fixture,
    latencyMs: decimal('latency', values.latency, 0, 600_000),
    deltaPageSize: wholeNumber('delta-page-size', values['delta-page-size'], 1, 100_000),
    token: values.token,
    links: values.links as EmulatorOptions['links'],
    faults: Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)),
  };
  return { help: values.help === true, options };
}

export interface EmulatorCommandIo {
  /** Where lines go (default: stdout). */
  out?: (line: string) => void;
  /** Stops the emulator when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** Runs the emulator until SIGINT, SIGTERM or `io.signal` aborts. */
export async function runEmulatorCommand(argv: string[], io: EmulatorCommandIo = {}): Promise<void> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { help, options } = parseEmulatorArgs(argv);
  if (help) {
    out(EMULATOR_USAGE);
    return;
  }
  const emulator = await startGraphEmulator(options);
  const source = options.fixture ? `fixture ${String(options.fixture)}` : `${emulator.tenant.groupCount()} synthetic groups (seed ${emulator.tenant.seed})`;
  out(`Graph emulator listening on ${emulator.url} with ${source}.`);
  out('Point Writeback Watch at it with:');
  out(`  GRAPH_BASE_URL=${emulator.url}`);
  out('  GRAPH_CREDENTIAL=emulator');
  out(`  TENANT_ID=${emulator.tenant.tenantId}`);
  if (options.token) out('  (a custom --token must be sent by the client as its bearer token)');
  out(`Controls: ${emulator.url}/_emulator/stats, /_emulator/faults (see src/emulator/controlRoutes.ts). Ctrl+C stops.`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await emulator.close();
  const stats = emulator.stats();
  out(`Emulator stopped after ${stats.requests} requests (${stats.pages.groups} group pages, ${stats.faults.total} injected faults).`);
}
