/**
 * Every trigger of the app, in one table: HTTP routes (name, route template, methods, handler) and timers
 * (name, schedule setting, what runs). functions/http.ts and functions/timers.ts register them with Azure
 * Functions; the local host serves the same table; a test keeps docs/openapi.yaml equal to it.
 * Files starting with "_" and this one register nothing themselves.
 */
import type { ApiRequest, ApiResponse } from '../src/api/http';
import type { Services } from '../src/app/services';
import type { Logger } from '../src/observability/logger';
import { getScan, getScanReport, listScanGroups, listScans, startScan } from '../src/api/scanRoutes';
import { getDiff, getDiffReport, getGroupHistory, getHealth } from '../src/api/diffRoutes';
import { createApproval, deleteApproval, listAlerts, listApprovals } from '../src/api/alertRoutes';
import { getWhatIf } from '../src/api/whatIfRoutes';
import { runScheduledScan } from '../src/scan/scheduledScan';
import { CONSOLE_ROUTES } from './console';

export type ApiHandler = (services: Services, request: ApiRequest) => Promise<ApiResponse>;
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface HttpRoute {
  /** Function name in Azure (unique). */
  name: string;
  /** Route template under /api, in the Functions syntax (`scans/{scanId}`). */
  route: string;
  methods: readonly HttpMethod[];
  /**
   * `function`: the caller must present a function key (automation). `anonymous`: the console's routes, where
   * App Service Authentication signs the caller in and each handler checks the caller's role itself.
   */
  authLevel: 'function' | 'anonymous';
  handler: ApiHandler;
}

export interface TimerTrigger {
  name: string;
  /** Binding expression naming the app setting that holds the NCRONTAB schedule. */
  schedule: `%${string}%`;
  run(services: Services, log: Logger): Promise<void>;
}

export const HTTP_ROUTES: readonly HttpRoute[] = [
  // Scans: list, start, one scan, its groups and its Excel report.
  { name: 'listScans', route: 'scans', methods: ['GET'], authLevel: 'function', handler: listScans },
  { name: 'startScan', route: 'scans', methods: ['POST'], authLevel: 'function', handler: startScan },
  { name: 'getScan', route: 'scans/{scanId}', methods: ['GET'], authLevel: 'function', handler: getScan },
  { name: 'listScanGroups', route: 'scans/{scanId}/groups', methods: ['GET'], authLevel: 'function', handler: listScanGroups },
  { name: 'getScanReport', route: 'scans/{scanId}/report.xlsx', methods: ['GET'], authLevel: 'function', handler: getScanReport },
  // What-if: a stored scan re-classified under other writeback engines, without Graph.
  { name: 'getWhatIf', route: 'scans/{scanId}/whatif', methods: ['GET'], authLevel: 'function', handler: getWhatIf },
  // Changes: the diff between two scans as JSON or Excel, and one group's history across scans.
  { name: 'getDiff', route: 'diff', methods: ['GET'], authLevel: 'function', handler: getDiff },
  { name: 'getDiffReport', route: 'diff/report.xlsx', methods: ['GET'], authLevel: 'function', handler: getDiffReport },
  { name: 'getGroupHistory', route: 'groups/{groupId}/history', methods: ['GET'], authLevel: 'function', handler: getGroupHistory },
  // Liveness and the newest scan, for probes and dashboards.
  { name: 'health', route: 'health', methods: ['GET'], authLevel: 'function', handler: getHealth },
  // Alerts and approvals of expected changes.
  { name: 'listAlerts', route: 'alerts', methods: ['GET'], authLevel: 'function', handler: listAlerts },
  { name: 'listApprovals', route: 'approvals', methods: ['GET'], authLevel: 'function', handler: listApprovals },
  { name: 'createApproval', route: 'approvals', methods: ['POST'], authLevel: 'function', handler: createApproval },
  { name: 'deleteApproval', route: 'approvals/{approvalId}', methods: ['DELETE'], authLevel: 'function', handler: deleteApproval },
  // The browser console at /api/console/ (functions/console.ts).
  ...CONSOLE_ROUTES,
];

export const TIMERS: readonly TimerTrigger[] = [
  // The nightly scan (six-field NCRONTAB, UTC; default 02:00).
  { name: 'scanTimer', schedule: '%SCAN_SCHEDULE%', run: async (services, log) => void (await runScheduledScan(services, { trigger: 'timer', log })) },
  // Continues a scan an earlier invocation paused (SCAN_TIME_BUDGET_SECONDS) or that stopped with its host.
  // It never starts a new scan, so an idle tenant costs one table read per run.
  {
    name: 'resumeTimer',
    schedule: '%SCAN_RESUME_SCHEDULE%',
    run: async (services, log) => void (await runScheduledScan(services, { trigger: 'timer', log, resumeOnly: true })),
  },
];
