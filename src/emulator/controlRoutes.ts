/**
 * `/_emulator/*`: the emulator's own control surface, so a separate process (a benchmark, a shell)
 * can change faults, latency and tenant signals and read the counters. Not part of Graph; it needs
 * no token (the server only listens on loopback).
 *
 *   GET  /_emulator/health                      { url, groups, changeSequence }
 *   GET  /_emulator/stats                       EmulatorStats
 *   POST /_emulator/reset-stats
 *   GET  /_emulator/faults                      current fault settings
 *   POST /_emulator/faults                      { rate429?, rate503?, rateDrop?, rateTruncate?, retryAfterSeconds?, seed? }
 *   POST /_emulator/faults/fail-next            { count, status?, fault?: "drop"|"truncate", retryAfterSeconds? }
 *   POST /_emulator/faults/fail-always          { status?, fault?, retryAfterSeconds? }
 *   POST /_emulator/faults/clear                (DELETE /_emulator/faults does the same)
 *   POST /_emulator/latency                     { ms }
 *   POST /_emulator/tenant/default              { value: string | null }   NewUnifiedGroupWritebackDefault
 *   POST /_emulator/tenant/writeback-feature    { enabled: boolean | null }
 *   POST /_emulator/tenant/last-sync            { value: string | null }
 *   POST /_emulator/tenant/expire-delta-tokens
 */
import { errorMessage, isWritebackWatchError } from '../errors';
import type { FaultInjector, FaultSettings, ScriptedFault } from './faults';
import type { EmulatorResponse } from './odata';
import type { StatsRecorder } from './stats';
import type { EmulatedTenant } from './tenant';

export interface EmulatorControls {
  url: string;
  tenant: EmulatedTenant;
  faults: FaultInjector;
  stats: StatsRecorder;
  setLatency(ms: number): void;
  latency(): number;
}

const ok = (json?: unknown): EmulatorResponse => (json === undefined ? { status: 204 } : { status: 200, json });

function invalid(message: string): EmulatorResponse {
  return { status: 400, json: { error: { code: 'InvalidInput', message } } };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function scriptedFault(body: Record<string, unknown>): ScriptedFault {
  const fault: ScriptedFault = {};
  if (body.status !== undefined) fault.status = Number(body.status);
  if (body.fault !== undefined) fault.fault = body.fault as ScriptedFault['fault'];
  if (body.retryAfterSeconds !== undefined) fault.retryAfterSeconds = body.retryAfterSeconds === null ? null : Number(body.retryAfterSeconds);
  return fault;
}

function nullableString(value: unknown, name: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw new TypeError(`"${name}" must be a string or null.`);
}

export function handleControl(controls: EmulatorControls, method: string, action: string, rawBody: unknown): EmulatorResponse {
  try {
    const body = objectBody(rawBody);
    const { tenant, faults, stats } = controls;
    switch (`${method} ${action}`) {
      case 'GET health':
        return ok({ url: controls.url, groups: tenant.groupCount(), changeSequence: tenant.changeSequence() });
      case 'GET stats':
        return ok(stats.snapshot());
      case 'POST reset-stats':
        stats.reset();
        return ok();
      case 'GET faults':
        return ok({ ...faults.settings, pendingScripted: faults.pendingScripted(), latencyMs: controls.latency() });
      case 'POST faults':
        faults.set(body as Partial<FaultSettings>);
        return ok({ ...faults.settings });
      case 'POST faults/fail-next':
        faults.failNext(Number(body.count ?? 1), scriptedFault(body));
        return ok();
      case 'POST faults/fail-always':
        faults.failAlways(scriptedFault(body));
        return ok();
      case 'POST faults/clear':
      case 'DELETE faults':
        faults.clear();
        return ok();
      case 'POST latency': {
        const ms = Number(body.ms);
        if (!Number.isFinite(ms) || ms < 0) return invalid('"ms" must be a non-negative number.');
        controls.setLatency(ms);
        return ok();
      }
      case 'POST tenant/default':
        tenant.setTenantDefault(nullableString(body.value, 'value'));
        return ok();
      case 'POST tenant/writeback-feature':
        if (body.enabled !== null && typeof body.enabled !== 'boolean') return invalid('"enabled" must be true, false or null.');
        tenant.setGroupWritebackFeature(body.enabled);
        return ok();
      case 'POST tenant/last-sync':
        tenant.setLastDirectorySync(nullableString(body.value, 'value'));
        return ok();
      case 'POST tenant/expire-delta-tokens':
        tenant.expireDeltaTokens();
        return ok();
      default:
        return { status: 404, json: { error: { code: 'NotFound', message: `No emulator control ${method} /_emulator/${action}.` } } };
    }
  } catch (error) {
    if (isWritebackWatchError(error) || error instanceof TypeError) return invalid(errorMessage(error));
    throw error;
  }
}
