/**
 * Process-wide services for the Functions handlers: settings are read and validated once, on first use, so a
 * bad setting fails every invocation with a message naming it instead of crashing the worker at import time.
 */
import { loadSettings } from '../config/settings';
import { createServices, type Services } from './services';
import type { Logger } from '../observability/logger';

let services: Services | undefined;

export function getServices(log?: Logger): Services {
  services ??= createServices(loadSettings(process.env), { log });
  return services;
}

/** Lets the local host (and tests) provide services built from explicit settings. */
export function setServices(value: Services | undefined): void {
  services = value;
}
