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
 *   POST /_emulator/tenant/churn                { fraction: (0, 1], seed: integer }
 *        → { changed, created, deleted, total }: a night of admin work, the same for the same seed and
 *        tenant state: round(fraction × live groups) groups renamed or with writeback switched (enabled as
 *        universalSecurityGroup only on cloud-only security groups, else disabled), and 5% as many
 *        others deleted (soft, delta reason "changed") and created. The next delta round reports them all.
 *   POST /_emulator/tenant/cloud-sync/*         Cloud Sync configurations, job status, assignments, scope,
 *                                               container (see cloudSyncRoutes.ts)
 */
import { errorMessage, isEmulatorError } from './errors';
import type { GraphGroup } from './groupShape';
import type { FaultInjector, FaultSettings, ScriptedFault } from './faults';
import type { EmulatorResponse } from './odata';
import { handleCloudSyncControl } from './cloudSyncRoutes';
import { isCloudOnlySecurityGroup } from './groupShape';
import { createRng, hash32, type Rng } from './random';
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

export interface ChurnResult {
  changed: number;
  created: number;
  deleted: number;
  total: number;
}

/** Groups deleted, and groups created, per changed group. */
const CHURN_DELETE_SHARE = 0.05;
const CHURN_CREATE_SHARE = 0.05;
const RENAME_SUFFIXES = [' (old)', ' - Archive', ' 2', ' (EMEA)', ' Team', ' - Pilot'];
const MAX_DISPLAY_NAME = 256;

function churnRequest(body: Record<string, unknown>): { fraction: number; seed: number } {
  const { fraction, seed } = body;
  if (typeof fraction !== 'number' || !Number.isFinite(fraction) || fraction <= 0 || fraction > 1) {
    throw new TypeError('"fraction" must be a number greater than 0 and at most 1 (0.01 = 1% of the groups).');
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new TypeError('"seed" must be an integer.');
  return { fraction, seed };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A step coprime with `n`, so stepping from any start visits every position below n once. */
function coprimeStride(rng: Rng, n: number): number {
  if (n <= 2) return 1;
  for (;;) {
    const stride = 1 + rng.int(n - 1);
    if (gcd(stride, n) === 1) return stride;
  }
}

function renamed(rng: Rng, group: GraphGroup): Partial<GraphGroup> {
  const suffix = rng.pick(RENAME_SUFFIXES);
  return { displayName: `${(group.displayName ?? 'Group').slice(0, MAX_DISPLAY_NAME - suffix.length)}${suffix}` };
}

/** One admin change to an existing group: a rename, or writeback switched on or off where that is allowed. */
function adminChange(rng: Rng, group: GraphGroup): Partial<GraphGroup> {
  if (!rng.chance(0.5) || group.onPremisesSyncEnabled === true) return renamed(rng, group);
  const isEnabled = group.writebackConfiguration?.isEnabled;
  if (isCloudOnlySecurityGroup(group) && isEnabled !== true) {
    return { writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } };
  }
  // Only the switch: onPremisesGroupType keeps its value (Graph refuses to set it back to null).
  if (isEnabled !== false) return { writebackConfiguration: { isEnabled: false } };
  return renamed(rng, group);
}

function newGroup(rng: Rng): Partial<GraphGroup> {
  const tag = rng.hex8();
  if (rng.chance(0.6)) return { displayName: `Project ${tag} Access`, mailNickname: `project${tag}`, mailEnabled: false, securityEnabled: true };
  return { displayName: `Project ${tag} Team`, mailNickname: `project${tag}team`, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], visibility: 'Private' };
}

/**
 * Changes round(fraction × live groups) groups the way admins do between two nights, and deletes and creates
 * 5% as many besides. Existing groups are visited along a seeded stride through the positions (each position
 * at most once), so a 500,000-group lazy tenant only builds the groups it touches.
 */
export function churnTenant(tenant: EmulatedTenant, fraction: number, seed: number): ChurnResult {
  const rng = createRng(hash32(seed, 0, 0xc4));
  const live = tenant.groupCount();
  const changed = Math.round(fraction * live);
  // Deleted groups are others than the changed ones, so there may be fewer when nearly every group changes.
  const deleted = Math.min(Math.round(changed * CHURN_DELETE_SHARE), live - changed);
  const created = Math.round(changed * CHURN_CREATE_SHARE);
  const positions = tenant.positionCount();
  const start = positions > 0 ? rng.int(positions) : 0;
  const stride = coprimeStride(rng, positions);
  let toDelete = deleted;
  let toTouch = changed + deleted;
  let position = start;
  for (let visited = 0; visited < positions && toTouch > 0; visited++, position = (position + stride) % positions) {
    const group = tenant.groupAtPosition(position);
    if (!group) continue; // a tombstone
    // Selection sampling: exactly `deleted` deletions, spread over the walk.
    if (rng.next() * toTouch < toDelete) {
      tenant.deleteGroup(group.id, { reason: 'changed' });
      toDelete--;
    } else {
      tenant.updateGroup(group.id, adminChange(rng, group));
    }
    toTouch--;
  }
  for (let i = 0; i < created; i++) tenant.createGroup(newGroup(rng));
  return { changed, created, deleted, total: changed + created + deleted };
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
      case 'POST tenant/churn': {
        const { fraction, seed } = churnRequest(body);
        return ok(churnTenant(tenant, fraction, seed));
      }
      default:
        return (
          handleCloudSyncControl(tenant.cloudSync, tenant, method, action, body) ?? {
            status: 404,
            json: { error: { code: 'NotFound', message: `No emulator control ${method} /_emulator/${action}.` } },
          }
        );
    }
  } catch (error) {
    if (isEmulatorError(error) || error instanceof TypeError) return invalid(errorMessage(error));
    throw error;
  }
}
