/**
 * The alert stage, as the scan pipeline calls it after a diff: evaluate (unless this is the tenant's
 * baseline), skip what the store already holds, record, deliver, and record the deliveries.
 *
 * Idempotent by construction: a candidate's id is its dedupe key, so running the stage again for the same
 * two scans finds every alert already recorded and sends only to channels that have not yet received it
 * (a channel that failed last time is tried again; a delivered one never twice; acknowledged alerts are
 * left alone). Channel failures end up on the alert, never as an exception; a storage failure does throw,
 * because then nothing can be promised about what was sent.
 */
import type { Settings } from '../config/settings';
import type { DiffSummary, GroupChange, ScanRecord } from '../model';
import type { TableFactory } from '../store/tableClients';
import { AlertStore, type Deliveries, type StoredAlert } from './alertStore';
import { ApprovalStore } from './approvalStore';
import type { AlertCandidate } from './candidate';
import type { AlertChannel } from './delivery/channel';
import { deliverAlert, type DeliveryOptions } from './delivery/deliver';
import { evaluateChanges, evaluateScanHealth, type BaselineMode, type EvaluationStats } from './evaluate';
import type { AlertPolicy } from './policy';

export interface AlertStageDeps {
  settings: Settings;
  policy: AlertPolicy;
  tables: TableFactory;
  channels: readonly AlertChannel[];
  now?: () => Date;
  /** Retry behaviour of deliveries (tests inject `sleep`). */
  delivery?: DeliveryOptions;
}

export interface AlertStageInput {
  /** The previous complete scan, or null on the tenant's first scan. */
  fromScan: ScanRecord | null;
  toScan: ScanRecord;
  summary?: DiffSummary | null;
  /** The diff's changes; called at most once. Omitted = no group changes (tenant rules still run). */
  changes?: () => AsyncIterable<GroupChange>;
  /** Default `silent`: the first scan of a tenant records a baseline and alerts nothing. */
  baseline?: BaselineMode;
  /** Who made an alert's change (src/attribution/): kept in the alert's `details.attribution` when it is recorded. */
  attributionFor?: (candidate: AlertCandidate) => Promise<object | null>;
}

export interface AlertStageResult {
  baseline: boolean;
  /** Every alert of this run, newly recorded or found already recorded, with its deliveries. */
  alerts: StoredAlert[];
  /** Alerts recorded for the first time in this run. */
  recorded: number;
  /** Channel deliveries that succeeded in this run. */
  sent: number;
  /** Channel deliveries that failed in this run (after retries). */
  failed: number;
  /** Evaluation counts for the scan's log line; null for health checks. */
  stats: EvaluationStats | null;
}

export async function runAlertStage(deps: AlertStageDeps, input: AlertStageInput): Promise<AlertStageResult> {
  const now = deps.now ?? (() => new Date());
  const tenantId = input.toScan.tenantId;
  if (input.fromScan === null && (input.baseline ?? 'silent') === 'silent') {
    return { baseline: true, alerts: [], recorded: 0, sent: 0, failed: 0, stats: null };
  }
  const approvals = await new ApprovalStore(deps.tables).listLive(tenantId, now());
  const generator = evaluateChanges({
    policy: deps.policy,
    tenantId,
    fromScan: input.fromScan,
    toScan: input.toScan,
    summary: input.summary ?? null,
    changes: input.changes ? input.changes() : noChanges(),
    approvals,
    now: now(),
    baseline: input.baseline,
  });
  const processor = new AlertProcessor(deps, now, input.attributionFor);
  for (;;) {
    const step = await generator.next();
    if (step.done) return processor.result(step.value);
    await processor.process(step.value);
  }
}

export interface HealthAlertInput {
  lastCompleteScan: ScanRecord | null;
  latestScan: ScanRecord | null;
}

/** Failed and missed scans. Safe to run on every timer tick: each condition alerts once. */
export async function runHealthAlerts(deps: AlertStageDeps, input: HealthAlertInput): Promise<AlertStageResult> {
  const now = deps.now ?? (() => new Date());
  const candidates = evaluateScanHealth({
    policy: deps.policy,
    tenantId: deps.settings.tenantId,
    lastCompleteScan: input.lastCompleteScan,
    latestScan: input.latestScan,
    now: now(),
    missedScanMs: deps.settings.alerts.missedScanMs,
  });
  const processor = new AlertProcessor(deps, now);
  for (const candidate of candidates) await processor.process(candidate);
  return processor.result(null);
}

async function* noChanges(): AsyncGenerator<GroupChange> {}

class AlertProcessor {
  private readonly store: AlertStore;
  private readonly alerts: StoredAlert[] = [];
  private recorded = 0;
  private sent = 0;
  private failed = 0;

  constructor(
    private readonly deps: AlertStageDeps,
    private readonly now: () => Date,
    private readonly attributionFor?: AlertStageInput['attributionFor'],
  ) {
    this.store = new AlertStore(deps.tables);
  }

  async process(original: AlertCandidate): Promise<void> {
    const candidate = await this.withAttribution(original);
    const { alert, created } = await this.store.recordAlert(candidate, { now: this.now() });
    if (created) this.recorded += 1;
    const pending = alert.status === 'open' ? this.deps.channels.filter((c) => alert.deliveries[c.name]?.status !== 'delivered') : [];
    if (pending.length === 0) {
      this.alerts.push(alert);
      return;
    }
    const outcomes = await deliverAlert(alert, pending, { ...this.deps.delivery, now: this.now });
    const records: Deliveries = {};
    for (const outcome of outcomes) {
      const previous = alert.deliveries[outcome.channel];
      records[outcome.channel] = {
        status: outcome.status,
        attempts: (previous?.attempts ?? 0) + outcome.attempts,
        lastError: outcome.lastError,
        lastAttemptAt: outcome.at.toISOString(),
        deliveredAt: outcome.status === 'delivered' ? outcome.at.toISOString() : null,
      };
      if (outcome.status === 'delivered') this.sent += 1;
      else this.failed += 1;
    }
    this.alerts.push(await this.store.updateDeliveries(alert.id, records));
  }

  /** The attribution is not part of the dedupe key: a later lookup never makes a second alert. A failed lookup is left out. */
  private async withAttribution(candidate: AlertCandidate): Promise<AlertCandidate> {
    if (!this.attributionFor) return candidate;
    try {
      const attribution = await this.attributionFor(candidate);
      return attribution ? { ...candidate, details: { ...candidate.details, attribution } } : candidate;
    } catch {
      return candidate;
    }
  }

  result(stats: EvaluationStats | null): AlertStageResult {
    return { baseline: stats?.baseline ?? false, alerts: this.alerts, recorded: this.recorded, sent: this.sent, failed: this.failed, stats };
  }
}
