/**
 * Starts the real parts an integration test needs: the Graph emulator on loopback (Azurite is already up,
 * from the global setup) and services built from validated settings pointing at both.
 */
import { startGraphEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/emulator/server';
import { loadSettings, type Settings } from '../../src/config/settings';
import { createServices, type ServiceOptions, type Services } from '../../src/app/services';
import { silentLogger, type Logger } from '../../src/observability/logger';
import type { Clock } from '../../src/retry/clock';
import { testEnv } from './settings';

export interface World {
  emulator: RunningEmulator;
  settings: Settings;
  services: Services;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A clock whose sleeps return at once, so retry tests do not wait for Retry-After. */
export function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => Date.now(), sleep: async (ms) => void slept.push(ms) };
}

export async function startWorld(
  options: { emulator?: Partial<EmulatorOptions>; env?: Record<string, string>; log?: Logger; clock?: Clock; services?: ServiceOptions } = {},
): Promise<World> {
  const emulator = await startGraphEmulator({ port: 0, groups: 200, seed: 7, ...options.emulator });
  const env = testEnv({ GRAPH_BASE_URL: emulator.url, ...options.env });
  const settings = loadSettings(env);
  const services = createServices(settings, { log: options.log ?? silentLogger, clock: options.clock, ...options.services });
  return { emulator, settings, services, env, close: () => emulator.close() };
}
