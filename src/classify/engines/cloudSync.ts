/**
 * Cloud Sync group provisioning to AD. Entra docs (how-provisioning-to-active-directory-works,
 * reference-provision-to-active-directory-faq): only non-mail-enabled security groups, cloud-created or
 * converted to cloud source of authority, are provisioned, as universal security groups, by a job whose scope
 * holds them; the Group writeback field "isn't currently used for determining the scope". Selected groups are
 * the groups assigned to the job's service principal; nested members are not expanded.
 */
import type { EngineVerdict, ReasonCode } from '../../model';
import type { CompiledCloudSync, CompiledJob } from './engineContext';
import type { GroupFacts } from './facts';
import { evaluateFilter } from './scopeFilter';

export interface CloudSyncOutcome {
  verdict: EngineVerdict;
  /** Provisioned by a paused or quarantined job: in AD, but no longer updated. */
  noLongerUpdated: boolean;
  /** Provisioned into a container given by an expression, not a constant. */
  containerIsExpression: boolean;
  /** Assigned to a Cloud Sync job although Cloud Sync cannot provision it. */
  assignedButIneligible: boolean;
}

/** Why Cloud Sync cannot provision the group, or null when it can (eligibility, docs section above). */
export function ineligibility(facts: GroupFacts): string | null {
  if (facts.sourceOfAuthority === 'onPremises') return 'it is synced from AD';
  switch (facts.kind) {
    case 'security':
      return null;
    case 'microsoft365':
      return 'Cloud Sync does not provision Microsoft 365 groups';
    case 'mailEnabledSecurity':
    case 'distribution':
      return 'Cloud Sync does not provision mail-enabled groups';
    default:
      return 'its kind could not be determined';
  }
}

/** Cloud Sync verdicts always carry domain, container and detail (null when none), so stored ones read back equal. */
const notWrittenBack = (reason: ReasonCode, detail: string | null): EngineVerdict => ({ verdict: 'notWrittenBack', targetType: null, reason, domain: null, container: null, detail });

/** Shared verdicts for the cases that depend on nothing but the reason. */
const INELIGIBLE = new Map<string, EngineVerdict>();
const NO_JOB: EngineVerdict = Object.freeze(notWrittenBack('cloudSyncNoJob', null));
const UNKNOWN = new Map<string | null, EngineVerdict>();

export function decideCloudSync(facts: GroupFacts, context: CompiledCloudSync): CloudSyncOutcome {
  const cannot = ineligibility(facts);
  if (cannot !== null) {
    return {
      verdict: shared(INELIGIBLE, cannot, () => notWrittenBack('cloudSyncNotEligible', cannot)),
      noLongerUpdated: false,
      containerIsExpression: false,
      assignedButIneligible: context.assignedAnywhere.has(facts.id.toLowerCase()),
    };
  }
  if (context.status === 'notRead' || context.status === 'unknown') {
    // Missing data is never "not provisioned".
    const reason = context.unknownReason;
    return plain(shared(UNKNOWN, reason, () => ({ verdict: 'unknown', targetType: null, reason: 'cloudSyncUnknown', domain: null, container: null, detail: reason })));
  }
  if (context.jobs.length === 0) return plain(NO_JOB);

  // Jobs are one per AD domain; the strongest verdict wins: provisioned and updated, provisioned and stale,
  // indeterminate, not provisioned (the first job's reason).
  let best: JobVerdict | null = null;
  for (const job of context.jobs) {
    const candidate = decideJob(facts, job);
    if (best === null || RANK[candidate.kind] < RANK[best.kind]) best = candidate;
    if (best.kind === 'provisioned') break;
  }
  const decided = best!;
  return {
    verdict: decided.verdict,
    noLongerUpdated: decided.kind === 'stale',
    containerIsExpression: (decided.kind === 'provisioned' || decided.kind === 'stale') && decided.job.containerIsExpression,
    assignedButIneligible: false,
  };
}

function shared<K>(cache: Map<K, EngineVerdict>, key: K, make: () => EngineVerdict): EngineVerdict {
  let verdict = cache.get(key);
  if (!verdict) cache.set(key, (verdict = Object.freeze(make())));
  return verdict;
}

function plain(verdict: EngineVerdict): CloudSyncOutcome {
  return { verdict, noLongerUpdated: false, containerIsExpression: false, assignedButIneligible: false };
}

interface JobVerdict {
  kind: 'provisioned' | 'stale' | 'indeterminate' | 'not';
  verdict: EngineVerdict;
  job: CompiledJob;
}

const RANK: Record<JobVerdict['kind'], number> = { provisioned: 0, stale: 1, indeterminate: 2, not: 3 };

/** The verdicts a job can give, built once per job: deciding a group then allocates nothing. */
interface JobOutcomes {
  mappingDisabled: JobVerdict;
  notAssigned: JobVerdict;
  assignmentsUnread: JobVerdict;
  outOfFilter: JobVerdict;
  neverRun: JobVerdict | null;
  runIndeterminate: JobVerdict | null;
  provisioned: JobVerdict;
  stale: JobVerdict | null;
  createdAfterLastRun: JobVerdict | null;
}

const OUTCOMES = new WeakMap<CompiledJob, JobOutcomes>();

function outcomesOf(job: CompiledJob): JobOutcomes {
  const known = OUTCOMES.get(job);
  if (known) return known;
  const not = (reason: ReasonCode, detail: string): JobVerdict => ({ kind: 'not', verdict: freeze(notWrittenBack(reason, `${job.label}: ${detail}`)), job });
  const provisioned = (kind: 'provisioned' | 'stale', reason: ReasonCode, detail: string): JobVerdict => ({
    kind,
    verdict: freeze({ verdict: 'writtenBack', targetType: 'universalSecurityGroup', reason, domain: job.job.domain, container: job.container, detail: `${job.label}${detail}` }),
    job,
  });
  const run = job.run;
  const outcomes: JobOutcomes = {
    mappingDisabled: not('cloudSyncGroupMappingDisabled', 'the group object mapping is disabled'),
    notAssigned: not('cloudSyncNotAssigned', 'not assigned to the job (nested members are not expanded)'),
    assignmentsUnread: indeterminateOf(job, 'the groups assigned to the job could not be read'),
    outOfFilter: not('cloudSyncOutOfFilterScope', 'no scoping filter holds'),
    neverRun: run.state === 'neverRun' ? not('cloudSyncJobNotRun', run.why) : null,
    runIndeterminate: run.state === 'indeterminate' ? indeterminateOf(job, run.why) : null,
    provisioned: provisioned('provisioned', 'cloudSyncProvisioned', job.containerIsExpression ? ': the container is an expression' : ''),
    stale: run.state === 'stopped' ? provisioned('stale', 'cloudSyncNoLongerUpdated', `: ${run.why}; last successful run ${run.lastSuccessfulRun}`) : null,
    createdAfterLastRun:
      run.state === 'stopped' ? not('cloudSyncCreatedAfterLastRun', `${run.why} since ${run.lastSuccessfulRun}; the group was created after that`) : null,
  };
  OUTCOMES.set(job, outcomes);
  return outcomes;
}

function indeterminateOf(job: CompiledJob, why: string): JobVerdict {
  return {
    kind: 'indeterminate',
    verdict: freeze({ verdict: 'indeterminate', targetType: null, reason: 'cloudSyncIndeterminate', domain: job.job.domain, container: null, detail: `${job.label}: ${why}` }),
    job,
  };
}

const freeze = <T extends object>(value: T): T => Object.freeze(value);

function decideJob(facts: GroupFacts, job: CompiledJob): JobVerdict {
  const outcomes = outcomesOf(job);
  if (!job.job.groupMappingEnabled) return outcomes.mappingDisabled;

  const scope = job.job.scope;
  if (scope.mode === 'selectedGroups') {
    if (job.assigned === null) return outcomes.assignmentsUnread;
    if (!job.assigned.has(facts.id.toLowerCase())) return outcomes.notAssigned;
  } else if (scope.mode === 'attributeFilter') {
    const result = evaluateFilter(job.filter ?? [], facts);
    if (result.outcome === 'out') return outcomes.outOfFilter;
    if (result.outcome === 'indeterminate') return indeterminateOf(job, `cannot evaluate ${result.clause}`);
  }

  const run = job.run;
  if (run.state === 'running') return outcomes.provisioned;
  if (run.state === 'neverRun') return outcomes.neverRun!;
  if (run.state === 'indeterminate') return outcomes.runIndeterminate!;
  // A group created after the job's last successful run cannot have been provisioned by it.
  if (facts.createdDateTime !== null && Date.parse(facts.createdDateTime) > Date.parse(run.lastSuccessfulRun)) return outcomes.createdAfterLastRun!;
  return outcomes.stale!;
}
