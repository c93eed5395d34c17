/**
 * `demo`: the story end to end on the embedded default. Scan an emulated tenant, make the changes an admin
 * might make (through the emulator's Graph API, as a script would), scan again, print the diff and write both
 * Excel reports to a folder.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSettings, settingDefaults } from '../../src/config/settings';
import { createServices, markApprovals, type Services } from '../../src/app/services';
import { consoleLogger } from '../../src/observability/logger';
import { runScheduledScan } from '../../src/scan/scheduledScan';
import { openScanDiff } from '../../src/diff/scanDiff';
import { writeDiffReport } from '../../src/report/diffReport';
import { writeScanReport } from '../../src/report/scanReport';
import { scanReportFileName, diffReportFileName } from '../../src/report/fileName';
import type { ClassifiedGroup } from '../../src/model';
import type { StoredScan } from '../../src/store/scanStore';
import { DEFAULT_EMULATOR_TOKEN } from '../emulator/server';
import { startEmbeddedDefault, type EmbeddedDefault } from './embeddedDefault';
import { formatScanSummary } from '../../src/cli/scanSummary';
import { formatChange, formatDiffSummary } from '../../src/cli/diffSummaryText';
import { startDemoReceiver } from '../demo/demoReceiver';
import { approveForDemo } from '../demo/demoApproval';
import { commandProgress, withScanProgress } from '../../src/cli/commandProgress';
import type { ProgressDisplay } from '../../src/cli/progress';

interface AdminChange {
  description: string;
  method: 'PATCH' | 'DELETE';
  group: ClassifiedGroup;
  body?: unknown;
}

/** Picks one group for each change the demo makes, from the first scan's snapshot. */
export async function pickDemoChanges(groups: AsyncIterable<ClassifiedGroup>): Promise<AdminChange[]> {
  const wanted: Record<string, AdminChange | undefined> = {};
  for await (const g of groups) {
    const cloud = g.sourceOfAuthority !== 'onPremises';
    if (!wanted.enable && cloud && g.kind === 'security' && g.reason === 'securityDefaultOff') {
      wanted.enable = { description: 'security group enabled for writeback', method: 'PATCH', group: g, body: { writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup' } } };
    } else if (!wanted.toSecurity && cloud && g.kind === 'microsoft365' && g.reason === 'enabled' && g.effectiveTargetType === 'universalDistributionGroup') {
      wanted.toSecurity = { description: 'Microsoft 365 group switched to a security target type', method: 'PATCH', group: g, body: { writebackConfiguration: { onPremisesGroupType: 'universalSecurityGroup' } } };
    } else if (!wanted.remove && cloud && g.bucket === 'writtenBack' && g.kind === 'microsoft365' && g.reason === 'enabledDefaultTarget') {
      wanted.remove = { description: 'written-back group deleted in the cloud', method: 'DELETE', group: g };
    } else if (!wanted.explicit && cloud && g.bucket === 'legacyDefault') {
      wanted.explicit = { description: 'legacy-default group made explicit', method: 'PATCH', group: g, body: { writebackConfiguration: { isEnabled: true, onPremisesGroupType: 'universalDistributionGroup' } } };
    }
  }
  return Object.values(wanted).filter((c): c is AdminChange => c !== undefined);
}

export async function applyAdminChange(graphUrl: string, change: AdminChange): Promise<void> {
  const response = await fetch(`${graphUrl}/beta/groups/${change.group.id}`, {
    method: change.method,
    headers: { Authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}`, 'Content-Type': 'application/json' },
    body: change.body ? JSON.stringify(change.body) : undefined,
  });
  if (!response.ok) throw new Error(`${change.method} group ${change.group.id} answered ${response.status}: ${await response.text()}`);
}

async function completeScan(services: Services, progress: ProgressDisplay): Promise<StoredScan> {
  const outcome = await withScanProgress(progress, (onProgress) => runScheduledScan(services, { trigger: 'cli', onProgress }));
  if (outcome.status !== 'complete') throw new Error(`The demo scan did not complete: ${outcome.status === 'skipped' ? outcome.reason : outcome.status === 'failed' ? outcome.error : 'paused'}`);
  return outcome.scan;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { groups: { type: 'string', default: '1000' }, seed: { type: 'string', default: '42' }, out: { type: 'string' } } });
  const folder = resolve(values.out ?? join('out', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(folder, { recursive: true });
  const embedded: EmbeddedDefault = await startEmbeddedDefault({ groups: Number(values.groups), seed: Number(values.seed), inMemory: true });
  try {
    const settings = loadSettings({ ...settingDefaults(), ...embedded.env });
    const receiver = await startDemoReceiver({ publicBaseUrl: settings.publicBaseUrl });
    const progress = commandProgress();
    const services = createServices(settings, { log: progress.around(consoleLogger), extraAlertChannels: [receiver.channel] });
    console.log('1. First scan of the emulated tenant (the baseline: it alerts nothing).');
    const first = await completeScan(services, progress);
    console.log(formatScanSummary(first));

    console.log('\n2. An admin changes the tenant:');
    const changes = await pickDemoChanges(services.snapshots.readGroups(first));
    // Announce one change before making it: its alert is suppressed and the diff shows it as approved.
    const approved = changes.find((c) => c.group.reason === 'securityDefaultOff');
    if (approved) {
      await approveForDemo(services, approved.group.id, 'writtenBack', 'Approved in change ticket CHG-1042 before the change was made.');
      console.log(`   (approval registered for "${approved.group.displayName}" before the change)`);
    }
    for (const change of changes) {
      await applyAdminChange(embedded.emulator.url, change);
      console.log(`   - ${change.description}: "${change.group.displayName}" (${change.group.id})`);
    }

    console.log('\n3. Second scan, then the diff:');
    const second = await completeScan(services, progress);
    const diff = await openScanDiff(services, settings.tenantId, { from: first.id, to: second.id });
    const summary = await diff.summarize();
    console.log(formatDiffSummary(summary));
    for await (const change of markApprovals(services, diff.changes())) console.log(formatChange(change));

    const scanReport = join(folder, scanReportFileName(second.id));
    const diffReport = join(folder, diffReportFileName(first.id, second.id));
    await writeScanReport(createWriteStream(scanReport), { scan: second, groups: () => services.snapshots.readGroups(second) });
    await writeDiffReport(createWriteStream(diffReport), { summary, changes: () => markApprovals(services, diff.changes()) });
    console.log(`\n4. Reports written to ${folder}:\n   ${scanReport}\n   ${diffReport}`);
    await receiver.close();
    return 0;
  } finally {
    await embedded.stop();
  }
}
