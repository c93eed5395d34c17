/**
 * What follows every scan that ended, for every trigger (timer, resume timer, HTTP, CLI, local run): the diff
 * against the previous complete scan, alerts, scan-health alerts, then retention. Kept apart from the scan
 * pipeline so a failing alert channel or a slow retention pass never fails the scan itself.
 */
import type { Services } from '../app/services';
import type { ScanOutcome } from './runScan';
import { applyRetention } from './retention';
import { errorMessage } from '../errors';
import { openScanDiff } from '../diff/scanDiff';
import { runAlertStage, runHealthAlerts, type AlertStageDeps } from '../alerts/runAlerts';
import { attributeChanges, retryPendingAttributions, type AttributionDeps } from '../attribution/attributeChanges';
import { alertAttributionLookup } from '../attribution/attachAttributions';

export interface AfterScanResult {
  /** Alerts recorded for this scan's changes; null when no diff ran (baseline, failed or paused scan). */
  alertsRecorded: number | null;
  /** Scans retention removed. */
  scansDeleted: number;
}

export async function runAfterScan(services: Services, outcome: ScanOutcome): Promise<AfterScanResult> {
  const result: AfterScanResult = { alertsRecorded: null, scansDeleted: 0 };
  if (outcome.status === 'skipped' || outcome.status === 'paused') return result;
  const { settings, log } = services;
  const tenantId = settings.tenantId;
  const deps: AlertStageDeps = {
    settings,
    policy: services.alerts.policy,
    tables: services.tables,
    channels: services.alerts.channels,
    now: services.now,
  };
  try {
    if (outcome.status === 'complete') {
      const previous = await services.scans.previousComplete(tenantId, outcome.scan.id);
      if (previous) {
        const diff = await openScanDiff(services, tenantId, { from: previous.id, to: outcome.scan.id });
        const summary = await diff.summarize();
        // Who made each change (never throws; bounded in requests and time), so the alerts can carry it.
        const attributionDeps: AttributionDeps = { settings, tables: services.tables, graph: services.graph, log, now: services.now };
        const pair = { fromScan: previous, toScan: outcome.scan, changedGroups: summary.changedGroups, tenantChanges: summary.tenantChanges };
        const attribution = await attributeChanges(attributionDeps, { ...pair, changes: diff.changes });
        const attributionFor = alertAttributionLookup(services.tables);
        const alerts = await runAlertStage(deps, { fromScan: previous, toScan: outcome.scan, summary, changes: diff.changes, attributionFor });
        result.alertsRecorded = alerts.recorded;
        log.info(`Alerts for scan ${outcome.scan.id}: ${alerts.recorded} new, ${alerts.sent} sent, ${alerts.failed} deliveries failed.`);
        // Earlier pairs still pending are looked up again after the alerts, with what is left of the night's budget.
        const skip = { fromScanId: previous.id, toScanId: outcome.scan.id };
        await retryPendingAttributions(attributionDeps, { tenantId, requestsUsed: attribution.requests, skip });
      } else {
        log.info(`Scan ${outcome.scan.id} is this tenant's first complete scan: it is the baseline and alerts nothing.`);
      }
    }
    const [lastComplete, latest] = await Promise.all([services.scans.latest(tenantId, 'complete'), services.scans.latest(tenantId)]);
    await runHealthAlerts(deps, { lastCompleteScan: lastComplete, latestScan: latest });
  } catch (error) {
    log.error(`The alert stage failed after scan ${outcome.scan.id}: ${errorMessage(error)}`);
  }
  try {
    const protectedScanIds = await services.alerts.store.listOpenAlertScanIds(tenantId);
    const deleted = await applyRetention(services, { tenantId, retentionDays: settings.scan.retentionDays, now: services.now(), protectedScanIds });
    result.scansDeleted = deleted.length;
    if (deleted.length) log.info(`Retention removed ${deleted.length} scans older than ${settings.scan.retentionDays} days.`);
  } catch (error) {
    log.warn(`Retention did not finish: ${errorMessage(error)}`);
  }
  return result;
}
