/**
 * The product for the Functions handlers, built once per process on first use: settings, alert policy and
 * channels are validated then, so a bad setting fails every invocation with a message naming it instead of
 * crashing the worker at import time.
 */
import { loadSettings } from '../config/settings';
import { createServices, type Services } from './services';
import type { Logger } from '../observability/logger';

let services: Services | undefined;

export function getServices(log?: Logger): Services {
  // A failed start is not kept: the next invocation tries again (after the setting is fixed).
  services ??= createServices(loadSettings(process.env), { log });
  return services;
}
