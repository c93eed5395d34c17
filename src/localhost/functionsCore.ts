/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node worker provides to
 * `@azure/functions`. Installing it lets the unmodified functions/ files register their triggers with us
 * exactly as they do with the real host (same names, routes, methods, auth levels and schedules).
 */
import Module from 'node:module';

export interface RegisteredBinding {
  type: string;
  direction: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
  runOnStartup?: boolean;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  trigger: RegisteredBinding;
  handler: (...args: unknown[]) => unknown;
}

const CORE_MODULE = '@azure/functions-core';
const registrations: RegisteredFunction[] = [];
let installed = false;

const core = {
  version: '4.0.0-local',
  hostVersion: '4.1000.0-local',
  setProgrammingModel: (): void => {},
  getProgrammingModel: (): undefined => undefined,
  registerHook: () => ({ dispose: (): void => {} }),
  log: (_level: string, _category: string, message: string): void => {
    if (process.env.WBW_HOST_DEBUG) console.log(message);
  },
  registerFunction(metadata: { name: string; bindings: Record<string, RegisteredBinding> }, handler: (...args: unknown[]) => unknown) {
    const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'));
    if (!trigger) throw new Error(`Function ${metadata.name} has no trigger.`);
    registrations.push({ name: metadata.name, trigger, handler });
    return { dispose: (): void => {} };
  },
};

/** Makes `require('@azure/functions-core')` resolve to the stand-in. Call before @azure/functions is loaded. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const mod = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const resolve = mod._resolveFilename;
  mod._resolveFilename = function (request: string, ...rest: unknown[]): string {
    return request === CORE_MODULE ? CORE_MODULE : resolve.call(this, request, ...rest);
  };
  mod._cache[CORE_MODULE] = { id: CORE_MODULE, filename: CORE_MODULE, loaded: true, exports: core };
}

export function registeredFunctions(): readonly RegisteredFunction[] {
  return registrations;
}
