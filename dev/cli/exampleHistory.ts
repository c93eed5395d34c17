/**
 * A history for a newcomer to look at: scan the emulated tenant, make the changes an admin might make
 * (through the emulator's Graph write routes, as the demo does, one of them approved beforehand), and scan
 * again. The console then has two scans, a diff with an approved change and open alerts, so every view shows
 * something on the first `npm start`.
 */
import type { Services } from '../../src/app/services';
import type { StoredScan } from '../../src/store/scanStore';
import { runScheduledScan } from '../../src/scan/scheduledScan';
import { approveForDemo } from '../demo/demoApproval';
import { applyAdminChange, pickDemoChanges } from './demo';

async function completeScan(services: Services): Promise<StoredScan> {
  const outcome = await runScheduledScan(services, { trigger: 'local' });
  if (outcome.status !== 'complete') throw new Error(`The example scan did not complete: ${outcome.status === 'skipped' ? outcome.reason : outcome.status === 'failed' ? outcome.error : 'paused'}`);
  return outcome.scan;
}

/** Makes the history unless the tenant already has two complete scans; returns the latest scan. */
export async function ensureExampleHistory(
  services: Services,
  options: { graphUrl: string; print?: (line: string) => void },
): Promise<{ latest: StoredScan; made: boolean }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const tenantId = services.settings.tenantId;
  const complete: StoredScan[] = [];
  for await (const scan of services.scans.list(tenantId, { status: 'complete', top: 2 })) complete.push(scan);
  const first = complete.length === 0 ? await completeScan(services) : complete[0]!;
  if (complete.length >= 2) return { latest: await completeScan(services), made: false };

  print('Making an example history: an admin changes the emulated tenant, then a second scan.');
  const changes = await pickDemoChanges(services.snapshots.readGroups(first));
  const approved = changes.find((c) => c.group.reason === 'securityDefaultOff');
  if (approved) await approveForDemo(services, approved.group.id, 'writtenBack', 'Approved in change ticket CHG-1042 before the change was made.');
  for (const change of changes) {
    await applyAdminChange(options.graphUrl, change);
    print(`  - ${change.description}: "${change.group.displayName}"`);
  }
  return { latest: await completeScan(services), made: true };
}
