/**
 * Alert evaluation: pure decisions from two scans and the stream of changes between them to alert
 * candidates. No I/O and no clock (time comes in as `now`), so every rule is tested with hand-built changes.
 *
 * Changes stream through one at a time (a tenant can have 500,000 groups). Alerts are few, except in a mass
 * change, where the individual alerts are replaced by one summary; to decide that without holding every
 * change, candidates are buffered only while a mass change is still possible, and at most the policy's
 * `examples` of them are kept once it is certain.
 */
import { FINDINGS, REASONS } from '../classify/findings';
import { isWrittenBackBucket } from '../classify/vocabulary';
import type { ChangeType, ClassifiedGroup, DiffSummary, GroupChange, OnPremisesGroupType, ScanRecord, Severity } from '../model';
import { matchApproval, type Approval } from './approvals';
import { dedupeKey, groupState, quoted, type AlertCandidate, type AlertState } from './candidate';
import { violationsOf } from './expectations';
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from './policy';
import { ALERT_RULES, alertRuleById, type AlertRuleId } from './rules';
import { cloudSyncCandidates } from './cloudSyncRules';

/**
 * What happens on a tenant's first scan, when there is no previous complete scan to compare with:
 * `silent` (the default) records the baseline and alerts nothing; `evaluate` treats every group as added,
 * so written-back groups and policy violations alert (collapsed by the mass-change guard as usual).
 */
export type BaselineMode = 'silent' | 'evaluate';

export interface EvaluateChangesInput {
  policy: AlertPolicy;
  tenantId: string;
  /** The previous complete scan; null on a tenant's first scan (see BaselineMode). */
  fromScan: ScanRecord | null;
  toScan: ScanRecord;
  /** The diff summary, when known up front: lets evaluation stream instead of buffering. */
  summary?: DiffSummary | null;
  changes: AsyncIterable<GroupChange>;
  /** Live approvals of this tenant (expired ones are ignored anyway). */
  approvals: readonly Approval[];
  now: Date;
  baseline?: BaselineMode;
}

export interface EvaluationStats {
  /** True when nothing was evaluated because this is the tenant's first scan. */
  baseline: boolean;
  changesSeen: number;
  /** Groups with at least one alert after approvals. */
  alertingGroups: number;
  /** Changes that would have alerted but matched a live approval. */
  approvedChanges: number;
  approvalsUsed: string[];
  massChange: boolean;
}

/** What every candidate of one evaluation shares. */
export interface EvaluationContext {
  policy: AlertPolicy;
  tenantId: string;
  fromScanId: string | null;
  toScanId: string | null;
  occurredAt: Date;
}

/**
 * Yields the alert candidates of one evaluation; the generator's return value holds the statistics
 * (read it with `next()`, or use `collectEvaluation`).
 */
export async function* evaluateChanges(input: EvaluateChangesInput): AsyncGenerator<AlertCandidate, EvaluationStats> {
  const stats: EvaluationStats = {
    baseline: false,
    changesSeen: 0,
    alertingGroups: 0,
    approvedChanges: 0,
    approvalsUsed: [],
    massChange: false,
  };
  if (input.fromScan === null && (input.baseline ?? 'silent') === 'silent') {
    stats.baseline = true;
    return stats;
  }
  const { policy, summary } = input;
  const context: EvaluationContext = {
    policy,
    tenantId: input.tenantId,
    fromScanId: input.fromScan?.id ?? null,
    toScanId: input.toScan.id,
    occurredAt: scanTime(input.toScan),
  };

  yield* tenantCandidates(context, input.fromScan, input.toScan);

  const totalGroups = Math.max(input.fromScan?.counts.total ?? 0, input.toScan.counts.total, summary?.groupsBefore ?? 0, summary?.groupsAfter ?? 0);
  const guard = policy.rules[ALERT_RULES.massChange.id].enabled;
  const limit = massChangeLimit(policy, totalGroups);
  // The summary's count of changed groups bounds the alerting groups: at or under the limit, stream.
  const streaming = !guard || (summary != null && summary.changedGroups <= limit);
  let buffered: AlertCandidate[] = [];
  const byRule: Partial<Record<AlertRuleId, number>> = {};
  const examples: MassChangeExample[] = [];
  const approvalsUsed = new Set<string>();

  for await (const change of input.changes) {
    stats.changesSeen += 1;
    const candidates = changeCandidates(change, context);
    if (candidates.length === 0) continue;
    const approval = input.approvals.length > 0 ? matchApproval(change, input.approvals, input.now) : null;
    if (approval) {
      stats.approvedChanges += 1;
      approvalsUsed.add(approval.id);
      continue;
    }
    stats.alertingGroups += 1;
    for (const candidate of candidates) byRule[candidate.ruleId] = (byRule[candidate.ruleId] ?? 0) + 1;
    if (examples.length < policy.massChange.examples) {
      examples.push({
        groupId: change.groupId,
        groupName: candidates[0]!.groupName,
        ruleIds: candidates.map((c) => c.ruleId),
        title: candidates[0]!.title,
      });
    }
    if (streaming) {
      yield* candidates;
    } else if (!stats.massChange) {
      buffered.push(...candidates);
      if (stats.alertingGroups > limit) {
        stats.massChange = true;
        buffered = [];
      }
    }
  }
  stats.approvalsUsed = [...approvalsUsed];
  if (stats.massChange) {
    yield massChangeCandidate(context, { alertingGroups: stats.alertingGroups, totalGroups, byRule, examples, byChangeType: summary?.byType ?? null });
  } else {
    yield* buffered;
  }
  return stats;
}

/** Runs an evaluation to the end: the candidates and the statistics. Only for callers that expect few alerts. */
export async function collectEvaluation(input: EvaluateChangesInput): Promise<{ candidates: AlertCandidate[]; stats: EvaluationStats }> {
  const candidates: AlertCandidate[] = [];
  const generator = evaluateChanges(input);
  for (;;) {
    const step = await generator.next();
    if (step.done) return { candidates, stats: step.value };
    candidates.push(step.value);
  }
}

/**
 * The most alerting groups that are not yet a mass change. A mass change is MORE than `maxShare` of all
 * groups AND at least `minGroups`; for whole numbers of groups both are one comparison against this limit.
 */
export function massChangeLimit(policy: AlertPolicy, totalGroups: number): number {
  // The epsilon keeps 0.29 * 100 (= 28.999999999999996 in floating point) at 29.
  return Math.max(policy.massChange.minGroups - 1, Math.floor(policy.massChange.maxShare * totalGroups + 1e-9));
}

function scanTime(scan: ScanRecord): Date {
  return scan.finishedAt ?? scan.startedAt;
}

// ---- group rules ----------------------------------------------------------------------------------------

interface RuleHit {
  ruleId: AlertRuleId;
  title: string;
  details: Record<string, unknown>;
  severity?: Severity;
  discriminator?: string;
}

const SECURITY_TARGETS: ReadonlySet<OnPremisesGroupType> = new Set(['universalSecurityGroup', 'universalMailEnabledSecurityGroup']);

function writtenBack(group: ClassifiedGroup | null): group is ClassifiedGroup {
  return group !== null && isWrittenBackBucket(group.bucket);
}

function asSecurityType(group: ClassifiedGroup | null): boolean {
  return writtenBack(group) && group.effectiveTargetType !== null && SECURITY_TARGETS.has(group.effectiveTargetType);
}

function target(type: OnPremisesGroupType | null): string {
  return type ?? 'an unrecognised type';
}

/** Every group rule that fires on the change, enabled or not, before approvals and supersession. */
export function groupRuleHits(change: GroupChange, policy: AlertPolicy = DEFAULT_ALERT_POLICY): RuleHit[] {
  const { before, after } = change;
  const name = quoted(after?.displayName ?? before?.displayName ?? change.displayName, change.groupId);
  const hits: RuleHit[] = [];

  if (!writtenBack(before) && writtenBack(after)) {
    hits.push({
      ruleId: ALERT_RULES.groupNowWrittenBack.id,
      title: `${name} is now written back as ${target(after.effectiveTargetType)}${before === null ? ' (new group)' : ''}`,
      details: { added: before === null, reason: after.reason, portalShowsNoWriteback: after.portalShowsNoWriteback },
    });
  }
  if (writtenBack(before) && after !== null && !isWrittenBackBucket(after.bucket)) {
    hits.push({ ruleId: ALERT_RULES.groupNoLongerWrittenBack.id, title: `${name} is no longer written back (${REASONS[after.reason].title})`, details: { reason: after.reason } });
  }
  if (writtenBack(before) && writtenBack(after) && before.effectiveTargetType !== after.effectiveTargetType) {
    hits.push({
      ruleId: ALERT_RULES.targetTypeChanged.id,
      title: `${name}: writeback target changed from ${target(before.effectiveTargetType)} to ${target(after.effectiveTargetType)}`,
      details: {},
    });
  }
  if (asSecurityType(after) && !asSecurityType(before)) {
    hits.push({
      ruleId: ALERT_RULES.nowWrittenBackAsSecurity.id,
      title: `${name} is now written back as ${target(after!.effectiveTargetType)}`,
      details: { added: before === null, kind: after!.kind, visibility: after!.flags.visibility, dynamic: after!.flags.dynamic },
    });
  }
  if (before && after && before.sourceOfAuthority !== after.sourceOfAuthority) {
    hits.push({
      ruleId: ALERT_RULES.sourceOfAuthorityChanged.id,
      title: `${name}: source of authority changed from ${before.sourceOfAuthority} to ${after.sourceOfAuthority}`,
      details: {},
    });
  }
  if (after) {
    const previous = new Set(before?.findings ?? []);
    const newHigh = after.findings.filter((finding) => !previous.has(finding) && FINDINGS[finding].severity === 'high').sort();
    if (newHigh.length > 0) {
      const first = FINDINGS[newHigh[0]!];
      const more = newHigh.length > 1 ? ` (+${newHigh.length - 1} more)` : '';
      hits.push({
        ruleId: ALERT_RULES.newHighSeverityFinding.id,
        title: `${name}: ${first.id} ${first.title}${more}`,
        // Stored in alert records and sent in webhook bodies (version 1) under the field names they were
        // published with: `id` is the finding's name and `code` its published id.
        details: { findings: newHigh.map((finding) => ({ id: finding, code: FINDINGS[finding].id, title: FINDINGS[finding].title, severity: FINDINGS[finding].severity })) },
        discriminator: newHigh.join(','),
      });
    }
  }
  if (writtenBack(before) && after === null) {
    hits.push({
      ruleId: ALERT_RULES.writtenBackGroupDeleted.id,
      title: `${name} was deleted in the cloud while written back as ${target(before.effectiveTargetType)}`,
      details: {},
    });
  }
  if (before && after && before.raw.onPremisesGroupType !== null && after.raw.onPremisesGroupType === null) {
    hits.push({
      ruleId: ALERT_RULES.onPremisesGroupTypeReset.id,
      title: `${name}: onPremisesGroupType went from ${before.raw.onPremisesGroupType} to null`,
      details: {},
    });
  }
  if (after && policy.expectations.length > 0) {
    // Only violations that are new: one the group already had in the previous scan has alerted before.
    const previous = new Set(before ? violationsOf(policy, before).map((v) => v.expectationId) : []);
    for (const violation of violationsOf(policy, after)) {
      if (previous.has(violation.expectationId)) continue;
      hits.push({
        ruleId: ALERT_RULES.expectationViolated.id,
        title: `${name} breaks expectation "${violation.expectationId}"${violation.description ? `: ${violation.description}` : ''}`,
        details: { expectationId: violation.expectationId, expected: violation.expected, actual: violation.actual, failed: violation.failed },
        severity: violation.severity,
        discriminator: violation.expectationId,
      });
    }
  }
  if (before && after && before.displayName !== after.displayName && (writtenBack(before) || writtenBack(after))) {
    hits.push({
      ruleId: ALERT_RULES.writtenBackGroupRenamed.id,
      title: `${quoted(before.displayName, change.groupId)} renamed to ${quoted(after.displayName, change.groupId)}`,
      details: {},
    });
  }
  return hits;
}

/** The candidates one change raises under the policy: enabled rules only, superseded rules removed. */
export function changeCandidates(change: GroupChange, context: EvaluationContext): AlertCandidate[] {
  const { policy } = context;
  const hits = groupRuleHits(change, policy).filter((hit) => policy.rules[hit.ruleId].enabled);
  const superseded = new Set(hits.flatMap((hit) => alertRuleById(hit.ruleId).supersedes ?? []));
  const before = change.before ? groupState(change.before) : null;
  const after = change.after ? groupState(change.after) : null;
  const groupName = change.after?.displayName ?? change.before?.displayName ?? change.displayName;
  return hits
    .filter((hit) => !superseded.has(hit.ruleId))
    .map((hit) =>
      candidate(context, {
        ruleId: hit.ruleId,
        severity: hit.severity ?? policy.rules[hit.ruleId].severity,
        groupId: change.groupId,
        groupName,
        title: hit.title,
        before,
        after,
        details: { ...hit.details, changeTypes: change.types },
        discriminator: hit.discriminator,
      }),
    );
}

// ---- tenant rules ---------------------------------------------------------------------------------------

function tenantCandidates(context: EvaluationContext, fromScan: ScanRecord | null, toScan: ScanRecord): AlertCandidate[] {
  const before = fromScan?.tenantContext ?? null;
  const after = toScan.tenantContext;
  if (!before || !after) return [];
  const { policy } = context;
  const out: AlertCandidate[] = [];
  if (policy.rules[ALERT_RULES.tenantDefaultChanged.id].enabled && before.newUnifiedGroupWritebackDefault !== after.newUnifiedGroupWritebackDefault) {
    const state = (c: typeof after): AlertState => ({
      newUnifiedGroupWritebackDefault: c.newUnifiedGroupWritebackDefault,
      raw: c.newUnifiedGroupWritebackDefaultRaw,
      source: c.newUnifiedGroupWritebackDefaultSource,
    });
    out.push(
      candidate(context, {
        ruleId: ALERT_RULES.tenantDefaultChanged.id,
        severity: policy.rules[ALERT_RULES.tenantDefaultChanged.id].severity,
        groupId: null,
        groupName: null,
        title: `NewUnifiedGroupWritebackDefault changed from ${before.newUnifiedGroupWritebackDefault} to ${after.newUnifiedGroupWritebackDefault}: new Microsoft 365 groups are ${after.newUnifiedGroupWritebackDefault ? 'now' : 'no longer'} written back by default`,
        before: state(before),
        after: state(after),
        details: {},
      }),
    );
  }
  const featureBefore = before.groupWritebackFeatureEnabled;
  const featureAfter = after.groupWritebackFeatureEnabled;
  // Unknown (null) on either side is a missing permission, not a switch.
  if (policy.rules[ALERT_RULES.writebackFeatureChanged.id].enabled && featureBefore !== null && featureAfter !== null && featureBefore !== featureAfter) {
    out.push(
      candidate(context, {
        ruleId: ALERT_RULES.writebackFeatureChanged.id,
        severity: policy.rules[ALERT_RULES.writebackFeatureChanged.id].severity,
        groupId: null,
        groupName: null,
        title: `Group writeback was switched ${featureAfter ? 'on' : 'off'} for the tenant (features.groupWriteBackEnabled)`,
        before: { groupWritebackFeatureEnabled: featureBefore },
        after: { groupWritebackFeatureEnabled: featureAfter },
        details: {},
      }),
    );
  }
  out.push(...cloudSyncCandidates(before.cloudSync ?? null, after.cloudSync ?? null).flatMap((hit) =>
    policy.rules[hit.ruleId].enabled
      ? [candidate(context, { ...hit, severity: policy.rules[hit.ruleId].severity, groupId: null, groupName: null })]
      : [],
  ));
  return out;
}

// ---- mass change ----------------------------------------------------------------------------------------

export interface MassChangeExample {
  groupId: string;
  groupName: string | null;
  ruleIds: AlertRuleId[];
  title: string;
}

interface MassChangeFacts {
  alertingGroups: number;
  totalGroups: number;
  byRule: Partial<Record<AlertRuleId, number>>;
  examples: MassChangeExample[];
  byChangeType: Record<ChangeType, number> | null;
}

function massChangeCandidate(context: EvaluationContext, facts: MassChangeFacts): AlertCandidate {
  const share = facts.totalGroups > 0 ? facts.alertingGroups / facts.totalGroups : 1;
  const percent = `${(share * 100).toFixed(1)}%`;
  const n = facts.alertingGroups.toLocaleString('en-US');
  return candidate(context, {
    ruleId: ALERT_RULES.massChange.id,
    severity: context.policy.rules[ALERT_RULES.massChange.id].severity,
    groupId: null,
    groupName: null,
    title: `Mass change: ${n} of ${facts.totalGroups.toLocaleString('en-US')} groups (${percent}) changed in ways that alert; one summary replaces ${n} alerts`,
    before: null,
    after: { alertingGroups: facts.alertingGroups, totalGroups: facts.totalGroups },
    details: {
      alertingGroups: facts.alertingGroups,
      totalGroups: facts.totalGroups,
      share,
      maxShare: context.policy.massChange.maxShare,
      minGroups: context.policy.massChange.minGroups,
      byRule: facts.byRule,
      byChangeType: facts.byChangeType,
      examples: facts.examples,
    },
  });
}

// ---- scan health ----------------------------------------------------------------------------------------

export interface ScanHealthInput {
  policy?: AlertPolicy;
  tenantId: string;
  lastCompleteScan: ScanRecord | null;
  latestScan: ScanRecord | null;
  now: Date;
  /** settings.alerts.missedScanMs */
  missedScanMs: number;
}

/**
 * Failed scan: one alert per failed scan id, carrying its reason. Missed scan: no scan completed within
 * `missedScanMs` of the last complete one; keyed on that scan's id, so it alerts once per missed window
 * however often this runs. With no complete scan ever, the window starts at the latest scan's start (and
 * with no scan at all there is nothing to measure from, so nothing alerts).
 */
export function evaluateScanHealth(input: ScanHealthInput): AlertCandidate[] {
  const policy = input.policy ?? DEFAULT_ALERT_POLICY;
  const out: AlertCandidate[] = [];
  const latest = input.latestScan;
  if (latest && latest.status === 'failed' && policy.rules[ALERT_RULES.scanFailed.id].enabled) {
    const reason = latest.error ?? 'no reason recorded';
    out.push(
      candidate(
        { policy, tenantId: input.tenantId, fromScanId: null, toScanId: latest.id, occurredAt: scanTime(latest) },
        {
          ruleId: ALERT_RULES.scanFailed.id,
          severity: policy.rules[ALERT_RULES.scanFailed.id].severity,
          groupId: null,
          groupName: null,
          title: `Scan ${latest.id} failed: ${reason}`,
          before: null,
          // The reason stays out of the key: one alert per failed scan, whatever its wording.
          after: { status: 'failed' },
          details: { scanId: latest.id, trigger: latest.trigger, startedAt: latest.startedAt.toISOString(), error: reason, pages: latest.pages, retries: latest.retries },
        },
      ),
    );
  }
  const last = input.lastCompleteScan;
  const windowStart = last ? scanTime(last) : latest ? latest.startedAt : null;
  if (windowStart && policy.rules[ALERT_RULES.scanMissed.id].enabled) {
    const deadline = new Date(windowStart.getTime() + input.missedScanMs);
    if (input.now.getTime() > deadline.getTime()) {
      const hours = Math.round(input.missedScanMs / 3_600_000);
      out.push(
        candidate(
          { policy, tenantId: input.tenantId, fromScanId: last?.id ?? null, toScanId: null, occurredAt: deadline },
          {
            ruleId: ALERT_RULES.scanMissed.id,
            severity: policy.rules[ALERT_RULES.scanMissed.id].severity,
            groupId: null,
            groupName: null,
            title: last
              ? `No scan completed since ${windowStart.toISOString()} (${hours} h window)`
              : `No scan has ever completed; the first started ${windowStart.toISOString()} (${hours} h window)`,
            before: null,
            after: { lastCompleteScanId: last?.id ?? null },
            details: {
              lastCompleteScanId: last?.id ?? null,
              lastCompleteAt: last ? windowStart.toISOString() : null,
              windowHours: hours,
              latestScanId: latest?.id ?? null,
              latestStatus: latest?.status ?? null,
              latestError: latest?.error ?? null,
            },
          },
        ),
      );
    }
  }
  return out;
}

// ---- building candidates --------------------------------------------------------------------------------

type CandidateParts = Pick<AlertCandidate, 'ruleId' | 'severity' | 'groupId' | 'groupName' | 'title' | 'before' | 'after' | 'details'> & {
  discriminator?: string;
};

function candidate(context: EvaluationContext, parts: CandidateParts): AlertCandidate {
  const key = dedupeKey({
    tenantId: context.tenantId,
    ruleId: parts.ruleId,
    groupId: parts.groupId,
    fromScanId: context.fromScanId,
    toScanId: context.toScanId,
    after: parts.after,
    discriminator: parts.discriminator,
  });
  return {
    id: key,
    dedupeKey: key,
    tenantId: context.tenantId,
    ruleId: parts.ruleId,
    severity: parts.severity,
    groupId: parts.groupId,
    groupName: parts.groupName,
    title: parts.title,
    before: parts.before,
    after: parts.after,
    details: parts.details,
    fromScanId: context.fromScanId,
    toScanId: context.toScanId,
    occurredAt: context.occurredAt,
  };
}
