/**
 * The composition root: builds every client, store, policy and channel from validated Settings in one pass and
 * returns them frozen. The Functions handlers, the CLI, the local host and the tests all start here, so every
 * entry point runs the same product: nothing is added to the object afterwards and no stage is optional.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import type { GroupChange } from '../model';
import { createTableFactory, type TableFactory } from '../store/tableClients';
import { ScanStore } from '../store/scanStore';
import { SnapshotStore } from '../store/snapshotStore';
import { ScanLease } from '../store/scanLease';
import { createGraphClient } from '../graph/graphClient';
import { GraphTransport, scanRetryPolicy } from '../graph/graphTransport';
import { GraphGroupReader } from '../graph/groupReader';
import type { Clock } from '../retry/clock';
import { consoleLogger, type Logger } from '../observability/logger';
import type { ScanDependencies } from '../scan/runScan';
import { CloudSyncReader } from '../graph/cloudSyncReader';
import { loadAlertPolicy, type AlertPolicy } from '../alerts/policy';
import { createAlertChannels } from '../alerts/delivery/channels';
import type { AlertChannel } from '../alerts/delivery/channel';
import { AlertStore } from '../alerts/alertStore';
import { ApprovalStore } from '../alerts/approvalStore';
import { annotateApprovals } from '../alerts/approvals';
import { attributedChanges } from '../attribution/attachAttributions';
import { AttributionStore } from '../store/attributionStore';

export interface AlertServices {
  readonly policy: AlertPolicy;
  readonly store: AlertStore;
  readonly approvals: ApprovalStore;
  /** Every channel alerts go to: those the settings configure, then any the caller added. */
  readonly channels: readonly AlertChannel[];
}

export interface Services {
  readonly settings: Settings;
  readonly tables: TableFactory;
  readonly scans: ScanStore;
  readonly snapshots: SnapshotStore;
  readonly lease: ScanLease;
  /** Who made each change of a scan pair (kept beside the diffs; retention forgets a pair with its scans). */
  readonly attributions: AttributionStore;
  readonly graph: Client;
  readonly log: Logger;
  readonly alerts: AlertServices;
  /** The time stages after a scan use (alert timestamps, approval expiry, retention cut-off). */
  readonly now: () => Date;
  /** Fresh transport and retry budget for one scan. */
  scanDependencies(options?: { log?: Logger; clock?: Clock }): ScanDependencies;
}

export interface ServiceOptions {
  log?: Logger;
  clock?: Clock;
  /** Wall-clock time for the after-scan stages; tests pin it. */
  now?: () => Date;
  /** Channels beyond those the settings configure (the local demo's loopback receiver). */
  extraAlertChannels?: readonly AlertChannel[];
}

/**
 * Builds the whole product. A bad ALERT_POLICY or alert channel setting fails here, naming the setting, so
 * no entry point can start with alerts silently missing.
 */
export function createServices(settings: Settings, options: ServiceOptions = {}): Services {
  const tables = createTableFactory(settings);
  const graph = createGraphClient(settings);
  const log = options.log ?? consoleLogger;
  const scans = new ScanStore(tables);
  const snapshots = new SnapshotStore(tables, scans);
  const lease = new ScanLease(tables, settings.scan.leaseMs);
  const alerts: AlertServices = Object.freeze({
    policy: loadAlertPolicy(settings.alerts.policy),
    store: new AlertStore(tables),
    approvals: new ApprovalStore(tables),
    channels: Object.freeze([...createAlertChannels(settings, { graphClient: graph }), ...(options.extraAlertChannels ?? [])]),
  });
  return Object.freeze({
    settings,
    tables,
    scans,
    snapshots,
    lease,
    attributions: new AttributionStore(tables),
    graph,
    log,
    alerts,
    now: options.now ?? (() => new Date()),
    scanDependencies(scanOptions: { log?: Logger; clock?: Clock } = {}): ScanDependencies {
      const retry = scanRetryPolicy({ maxAttempts: settings.graph.maxAttempts, budgetMs: settings.graph.retryBudgetMs, clock: scanOptions.clock ?? options.clock });
      const transport = new GraphTransport(graph, {
        retry,
        requestTimeoutMs: settings.graph.requestTimeoutMs,
        baseUrl: settings.graph.baseUrl,
      });
      const reader = new GraphGroupReader(transport, { pageSize: settings.graph.pageSize });
      const cloudSync = new CloudSyncReader(transport, { servicePrincipalIds: settings.cloudSync.servicePrincipalIds });
      return { settings, reader, cloudSync, transport, scans, snapshots, lease, log: scanOptions.log ?? log };
    },
  });
}

/** The changes with the approvals that cover them marked, for every diff a person reads (API, CLI, reports). */
export function markApprovals(services: Services, changes: AsyncIterable<GroupChange>): AsyncIterable<GroupChange> {
  return (async function* () {
    const now = services.now();
    yield* annotateApprovals(changes, await services.alerts.approvals.listLive(services.settings.tenantId, now), now);
  })();
}

/**
 * The changes of a diff as a person reads them (API, CLI, reports, demo): approvals marked, and who made each
 * change where the audit log told us.
 */
export function changesForPeople(
  services: Services,
  diff: { from: { id: string }; to: { id: string } },
  changes: AsyncIterable<GroupChange>,
): AsyncIterable<GroupChange> {
  return attributedChanges(services.tables, services.settings.tenantId, diff, markApprovals(services, changes));
}
