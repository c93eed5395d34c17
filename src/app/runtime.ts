/**
 * Process-wide services for the Functions handlers: settings, the alert policy and channels are read and
 * validated once, on first use, so a bad setting fails every invocation with a message naming it instead of
 * crashing the worker at import time.
 */
import { loadSettings } from '../config/settings';
import { createServices, type Services } from './services';
import { wireAlerts, type WiredAlerts } from './wireStages';
import type { Logger } from '../observability/logger';

export interface AppRuntime {
  services: Services;
  alerts: WiredAlerts;
}

let runtime: Promise<AppRuntime> | undefined;

export function getRuntime(log?: Logger): Promise<AppRuntime> {
  runtime ??= (async () => {
    const services = createServices(loadSettings(process.env), { log });
    return { services, alerts: await wireAlerts(services) };
  })();
  // A failed start is not cached: the next invocation tries again (after the setting is fixed).
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

/** Lets the local host (and tests) provide a runtime built from explicit settings. */
export function setRuntime(value: AppRuntime | undefined): void {
  runtime = value ? Promise.resolve(value) : undefined;
}
