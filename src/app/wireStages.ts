/**
 * Connects the stages that follow a scan: alert evaluation against the previous complete scan, delivery,
 * scan-health alerts, and retention. Kept out of the scan pipeline so a failing alert channel or a slow
 * retention pass can never fail a scan.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from './services';
import type { ScanOutcome } from '../scan/runScan';
import type { Bucket, GroupChange } from '../model';
import { applyRetention } from '../scan/retention';
import { errorMessage } from '../errors';
import { openScanDiff } from '../diff/scanDiff';
import { loadAlertPolicy, type AlertPolicy } from '../alerts/policy';
import { createAlertChannels } from '../alerts/delivery/channels';
import { runAlertStage, runHealthAlerts, type AlertStageDeps } from '../alerts/runAlerts';
import { AlertStore } from '../alerts/alertStore';
import { ApprovalStore } from '../alerts/approvalStore';
import { annotateApprovals, parseApprovalRequest } from '../alerts/approvals';
import { localDeveloperPrincipal } from '../auth/consoleAuth';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../alerts/webhookReceiver';
import type { AlertChannel } from '../alerts/delivery/channel';
import { createWebhookChannel } from '../alerts/delivery/webhook';

export interface WiredAlerts {
  policy: AlertPolicy;
  alerts: AlertStore;
  approvals: ApprovalStore;
  /** Registers an approval (the demo uses it before making a change). */
  approve(groupId: string, bucket: Bucket, reason: string): Promise<void>;
  /** The local demo receiver's URL, when one was started. */
  receiverUrl: string | null;
  close(): Promise<void>;
}

/**
 * Validates the alert policy and channels (a bad ALERT_POLICY fails here, naming the field) and installs
 * `afterScan` and `decorateChanges` on the services. With `demoReceiver`, a loopback webhook receiver is
 * started and alerts are sent to it too, printed as they arrive.
 */
export async function wireAlerts(services: Services, options: { demoReceiver?: boolean; print?: (line: string) => void } = {}): Promise<WiredAlerts> {
  const { settings, log } = services;
  const policy = loadAlertPolicy(settings.alerts.policy);
  const channels: AlertChannel[] = createAlertChannels(settings, { graphClient: services.graph });
  let receiver: RunningWebhookReceiver | null = null;
  if (options.demoReceiver) {
    const secret = randomUUID();
    const print = options.print ?? ((line: string) => console.log(line));
    receiver = await startWebhookReceiver({
      secret,
      onAlert: (payload) => print(`  ALERT [${payload.alert.severity}] ${payload.alert.ruleId}: ${payload.alert.title}`),
    });
    channels.push(createWebhookChannel({ url: receiver.url, secret, publicBaseUrl: settings.publicBaseUrl }));
  }
  const alerts = new AlertStore(services.tables);
  const approvals = new ApprovalStore(services.tables);
  const deps: AlertStageDeps = { settings, policy, tables: services.tables, channels };
  const tenantId = settings.tenantId;

  services.decorateChanges = (changes: AsyncIterable<GroupChange>) =>
    (async function* () {
      yield* annotateApprovals(changes, await approvals.listLive(tenantId, new Date()), new Date());
    })();

  services.afterScan = async (outcome: ScanOutcome) => {
    if (outcome.status === 'skipped' || outcome.status === 'paused') return;
    try {
      if (outcome.status === 'complete') {
        const previous = await services.scans.previousComplete(tenantId, outcome.scan.id);
        if (previous) {
          const diff = await openScanDiff(services, tenantId, { from: previous.id, to: outcome.scan.id });
          const summary = await diff.summarize();
          const result = await runAlertStage(deps, { fromScan: previous, toScan: outcome.scan, summary, changes: diff.changes });
          log.info(`Alerts for scan ${outcome.scan.id}: ${result.recorded} new, ${result.sent} sent, ${result.failed} deliveries failed.`);
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
      const protectedScanIds = await alerts.listOpenAlertScanIds(tenantId);
      const deleted = await applyRetention(services, { tenantId, retentionDays: settings.scan.retentionDays, now: new Date(), protectedScanIds });
      if (deleted.length) log.info(`Retention removed ${deleted.length} scans older than ${settings.scan.retentionDays} days.`);
    } catch (error) {
      log.warn(`Retention did not finish: ${errorMessage(error)}`);
    }
  };

  const wired: WiredAlerts = {
    policy,
    alerts,
    approvals,
    receiverUrl: receiver?.url ?? null,
    approve: async (groupId, bucket, reason) => {
      const now = new Date();
      await approvals.create(
        parseApprovalRequest(
          { groupId, expect: { bucket }, reason, expiresAt: new Date(now.getTime() + 86_400_000).toISOString() },
          // The demo's approval is the local developer's, as if approved in the console with `local --as approver`.
          { tenantId, now, requestedBy: localDeveloperPrincipal(tenantId, 'Approver') },
        ),
      );
    },
    close: async () => {
      await receiver?.close();
    },
  };
  services.alerting = wired;
  return wired;
}
