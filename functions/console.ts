/**
 * The browser console's routes (/api/console/): its page and files, and its JSON routes under
 * /api/console/api/. Anonymous for the Functions host: App Service Authentication signs people in, and every
 * data route checks the signed-in principal's role itself (src/console/security.ts). The function-key routes
 * stay for automation. functions/routes.ts includes this table.
 */
import type { HttpRoute } from './routes';
import * as consoleApi from '../src/console/routes';
import { consoleRoute, type ConsoleHandler } from '../src/console/security';
import { consoleAsset, consolePage } from '../src/console/shell';

const reader = (handler: ConsoleHandler) => consoleRoute('Reader', handler);
const approver = (handler: ConsoleHandler) => consoleRoute('Approver', handler, { write: true });

export const CONSOLE_ROUTES: readonly HttpRoute[] = [
  // The page and its files: no data, so no role (a browser that is not signed in learns how to sign in).
  { name: 'consolePage', route: 'console', methods: ['GET'], authLevel: 'anonymous', handler: consolePage },
  { name: 'consoleAsset', route: 'console/assets/{file}', methods: ['GET'], authLevel: 'anonymous', handler: consoleAsset },
  // Reading: the Reader role (an Approver has it too).
  { name: 'consoleMe', route: 'console/api/me', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.me) },
  { name: 'consoleListScans', route: 'console/api/scans', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.listScans) },
  { name: 'consoleGetScan', route: 'console/api/scans/{scanId}', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.getScan) },
  { name: 'consoleListScanGroups', route: 'console/api/scans/{scanId}/groups', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.listScanGroups) },
  { name: 'consoleGetScanReport', route: 'console/api/scans/{scanId}/report.xlsx', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.getScanReportFile) },
  { name: 'consoleGetDiff', route: 'console/api/diff', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.getDiff) },
  { name: 'consoleGetDiffReport', route: 'console/api/diff/report.xlsx', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.getDiffReportFile) },
  { name: 'consoleGetGroupHistory', route: 'console/api/groups/{groupId}/history', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.getHistory) },
  { name: 'consoleListAlerts', route: 'console/api/alerts', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.listAlerts) },
  { name: 'consoleListApprovals', route: 'console/api/approvals', methods: ['GET'], authLevel: 'anonymous', handler: reader(consoleApi.listApprovals) },
  // Writing: the Approver role; each write records the signed-in principal.
  { name: 'consoleAcknowledgeAlert', route: 'console/api/alerts/{alertId}/acknowledge', methods: ['POST'], authLevel: 'anonymous', handler: approver(consoleApi.acknowledgeAlert) },
  { name: 'consoleCreateApproval', route: 'console/api/approvals', methods: ['POST'], authLevel: 'anonymous', handler: approver(consoleApi.createApproval) },
  { name: 'consoleRevokeApproval', route: 'console/api/approvals/{approvalId}', methods: ['DELETE'], authLevel: 'anonymous', handler: approver(consoleApi.revokeApproval) },
];
