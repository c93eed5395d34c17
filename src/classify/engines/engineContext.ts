/**
 * What the engine rules need besides the group, compiled once per scan (or per what-if): the engine list,
 * and the Cloud Sync jobs with their assigned-group sets and scoping filters ready to test, so 100,000 groups
 * against 10,000 assigned ids cost one Set lookup each.
 */
import type { CloudSyncContext, CloudSyncJob, ScanCounts, WritebackEngine } from '../../model';
import { compileFilter, type CompiledFilter } from './scopeFilter';

/** How far a job provisions: `running` keeps AD up to date; `stopped` provisioned once and no longer updates. */
export type JobState =
  | { state: 'running' }
  | { state: 'stopped'; lastSuccessfulRun: string; why: string }
  | { state: 'neverRun'; why: string }
  | { state: 'indeterminate'; why: string };

export interface CompiledJob {
  readonly job: CloudSyncJob;
  /** The configuration's name (or the job id), for reasons and reports. */
  readonly label: string;
  readonly run: JobState;
  /** Lower-cased assigned group ids; null when the assignments could not be read. Only for `selectedGroups`. */
  readonly assigned: ReadonlySet<string> | null;
  readonly filter: CompiledFilter | null;
  /** The container's distinguished name, or the expression text when it is not a constant. */
  readonly container: string | null;
  readonly containerIsExpression: boolean;
}

export interface CompiledCloudSync {
  /** `notRead`: the scan recorded no Cloud Sync context at all. */
  readonly status: CloudSyncContext['status'] | 'notRead';
  readonly unknownReason: string | null;
  readonly jobs: readonly CompiledJob[];
  /** Every group id assigned to any job (lower-cased), for "assigned but not eligible". */
  readonly assignedAnywhere: ReadonlySet<string>;
}

export interface EngineContext {
  /** Canonical order: connectSyncV2 or connectSyncV1 first, then cloudSync. Empty = none. */
  readonly engines: readonly WritebackEngine[];
  readonly connectSync: 'connectSyncV2' | 'connectSyncV1' | null;
  readonly cloudSync: CompiledCloudSync | null;
}

export function buildEngineContext(engines: readonly WritebackEngine[], cloudSync: CloudSyncContext | null | undefined): EngineContext {
  const connectSync = engines.includes('connectSyncV2') ? 'connectSyncV2' : engines.includes('connectSyncV1') ? 'connectSyncV1' : null;
  return Object.freeze({
    engines: Object.freeze([...engines]),
    connectSync,
    cloudSync: engines.includes('cloudSync') ? compileCloudSync(cloudSync ?? null) : null,
  });
}

/** The engines WRITEBACK_ENGINES defaults to, with Cloud Sync not read: today's classification. */
export const DEFAULT_ENGINE_CONTEXT: EngineContext = buildEngineContext(['connectSyncV2', 'cloudSync'], null);

function compileCloudSync(context: CloudSyncContext | null): CompiledCloudSync {
  if (context === null) {
    return { status: 'notRead', unknownReason: 'Cloud Sync was not read in this scan', jobs: [], assignedAnywhere: new Set() };
  }
  const jobs = context.status === 'read' ? context.jobs.map(compileJob) : [];
  const assignedAnywhere = new Set<string>();
  for (const job of jobs) for (const id of job.job.assignedGroupIds ?? []) assignedAnywhere.add(id.toLowerCase());
  return {
    status: context.status,
    unknownReason: context.status === 'unknown' ? (context.unknownReason ?? 'Cloud Sync could not be read') : null,
    jobs,
    assignedAnywhere,
  };
}

function compileJob(job: CloudSyncJob): CompiledJob {
  const label = job.configurationName ? `${job.configurationName} (job ${job.jobId})` : `job ${job.jobId}`;
  const assigned =
    job.scope.mode === 'selectedGroups' && job.assignedGroupIds !== null ? new Set(job.assignedGroupIds.map((id) => id.toLowerCase())) : null;
  const filter = job.scope.mode === 'attributeFilter' ? compileFilter(job.scope.filterGroups) : null;
  const container = containerOf(job);
  return { job, label, run: jobStateOf(job), assigned, filter, container: container.value, containerIsExpression: container.expression };
}

/**
 * Active = the job provisions and keeps AD up to date. Paused or quarantined (status code, quarantine
 * object, or a paused/disabled schedule): what it provisioned stays in AD but is no longer updated, so groups
 * in scope are still written back when the job once ran successfully; a job that never ran (NotConfigured,
 * NotRun, or stopped without a successful run) has provisioned nothing (Graph synchronizationStatus,
 * synchronizationSchedule resources).
 */
export function jobStateOf(job: CloudSyncJob): JobState {
  const code = job.statusCode?.toLowerCase() ?? null;
  const schedule = job.scheduleState?.toLowerCase() ?? null;
  const stoppedBy =
    job.quarantined || code === 'quarantine'
      ? `quarantined${job.quarantineReason ? ` (${job.quarantineReason})` : ''}`
      : code === 'paused'
        ? 'paused'
        : schedule === 'paused' || schedule === 'disabled'
          ? `schedule ${job.scheduleState}`
          : null;
  if (stoppedBy !== null) {
    if (job.lastSuccessfulRun === null) return { state: 'neverRun', why: `${stoppedBy}, and no successful run is recorded` };
    return { state: 'stopped', lastSuccessfulRun: job.lastSuccessfulRun, why: stoppedBy };
  }
  if (code === 'active') return { state: 'running' };
  if (code === 'notconfigured' || code === 'notrun') return { state: 'neverRun', why: `status ${job.statusCode}` };
  return { state: 'indeterminate', why: `job status ${job.statusCode ?? 'missing'} is not one Graph documents` };
}

/** Cloud Sync's default container is CN=Users of the job's domain (Entra docs, group provisioning to AD). */
function containerOf(job: CloudSyncJob): { value: string | null; expression: boolean } {
  const container = job.container;
  if (container.kind === 'constant') return { value: container.distinguishedName, expression: false };
  if (container.kind === 'expression') return { value: container.expression, expression: true };
  if (container.distinguishedName) return { value: container.distinguishedName, expression: false };
  if (!job.domain) return { value: null, expression: false };
  return { value: `CN=Users,${job.domain.split('.').map((part) => `DC=${part}`).join(',')}`, expression: false };
}

/** The engines a scan's verdicts assume; scans stored before engines were recorded assumed v2 alone. */
export function enginesOf(counts: Pick<ScanCounts, 'engines'>): readonly WritebackEngine[] {
  return counts.engines ?? ['connectSyncV2'];
}
