/**
 * The composition root: builds every client and store from validated Settings once per process. The Functions
 * handlers, the local host, the CLI and the integration tests all start here, so they run the same code.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import type { GroupChange } from '../model';
import { createTableFactory, type TableFactory } from '../store/tableClients';
import { ScanStore } from '../store/scanStore';
import { SnapshotStore } from '../store/snapshotStore';
import { ScanLease } from '../store/scanLease';
import { createGraphClient } from '../graph/graphClient';
import { GraphTransport } from '../graph/graphTransport';
import { GraphGroupReader } from '../graph/groupReader';
import { RetryBudget, type Clock } from '../graph/retryPolicy';
import { consoleLogger, type Logger } from '../observability/logger';
import type { ScanDependencies, ScanOutcome } from '../scan/runScan';
import { CloudSyncReader } from '../graph/cloudSyncReader';

export interface Services {
  settings: Settings;
  tables: TableFactory;
  scans: ScanStore;
  snapshots: SnapshotStore;
  lease: ScanLease;
  graph: Client;
  log: Logger;
  /** Runs after every scan that ends (alerts, retention); set by the runtime once those stages are built. */
  afterScan?: (outcome: ScanOutcome) => Promise<void>;
  /** Alert policy, stores and channels, once wired (src/app/wireStages.ts). */
  alerting?: import('./wireStages').WiredAlerts;
  /** Marks changes covered by a live approval (set once the alert stage is built). */
  decorateChanges?: (changes: AsyncIterable<GroupChange>) => AsyncIterable<GroupChange>;
  /** Fresh transport and retry budget for one scan. */
  scanDependencies(options?: { log?: Logger; clock?: Clock }): ScanDependencies;
}

export function createServices(settings: Settings, options: { log?: Logger; clock?: Clock } = {}): Services {
  const tables = createTableFactory(settings);
  const graph = createGraphClient(settings);
  const log = options.log ?? consoleLogger;
  const scans = new ScanStore(tables);
  const snapshots = new SnapshotStore(tables);
  const lease = new ScanLease(tables, settings.scan.leaseMs);
  return {
    settings,
    tables,
    scans,
    snapshots,
    lease,
    graph,
    log,
    scanDependencies(scanOptions = {}) {
      const budget = new RetryBudget({ maxAttempts: settings.graph.maxAttempts, budgetMs: settings.graph.retryBudgetMs });
      const transport = new GraphTransport(graph, {
        budget,
        requestTimeoutMs: settings.graph.requestTimeoutMs,
        baseUrl: settings.graph.baseUrl,
        clock: scanOptions.clock ?? options.clock,
      });
      const reader = new GraphGroupReader(transport, { pageSize: settings.graph.pageSize });
      const cloudSync = new CloudSyncReader(transport, { servicePrincipalIds: settings.cloudSync.servicePrincipalIds });
      return { settings, reader, cloudSync, transport, scans, snapshots, lease, log: scanOptions.log ?? log };
    },
  };
}

/** The changes with approvals marked when the alert stage is wired, else as they are. */
export function markApprovals(services: Services, changes: AsyncIterable<GroupChange>): AsyncIterable<GroupChange> {
  return services.decorateChanges ? services.decorateChanges(changes) : changes;
}
