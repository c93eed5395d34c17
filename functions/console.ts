/**
 * The browser console (/api/console/): its page and files, and its JSON routes under /api/console/api/.
 * Anonymous for the Functions host: App Service Authentication signs people in, and every data route checks
 * the signed-in principal's role itself (src/console/security.ts). The function-key routes stay for automation.
 */
import { app } from '@azure/functions';
import * as consoleApi from '../src/console/routes';
import { consoleRoute } from '../src/console/security';
import { consoleAsset, consolePage } from '../src/console/shell';
import { httpHandler } from './_http';

const anonymous = 'anonymous' as const;
const reader = (handler: Parameters<typeof consoleRoute>[1]) => httpHandler(consoleRoute('Reader', handler));
const approver = (handler: Parameters<typeof consoleRoute>[1]) => httpHandler(consoleRoute('Approver', handler, { write: true }));

app.http('consolePage', { route: 'console', methods: ['GET'], authLevel: anonymous, handler: httpHandler(consolePage) });
app.http('consoleAsset', { route: 'console/assets/{file}', methods: ['GET'], authLevel: anonymous, handler: httpHandler(consoleAsset) });
app.http('consoleMe', { route: 'console/api/me', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.me) });
app.http('consoleListScans', { route: 'console/api/scans', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.listScans) });
app.http('consoleGetScan', { route: 'console/api/scans/{scanId}', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.getScan) });
app.http('consoleListScanGroups', { route: 'console/api/scans/{scanId}/groups', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.listScanGroups) });
app.http('consoleGetScanReport', { route: 'console/api/scans/{scanId}/report.xlsx', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.getScanReportFile) });
app.http('consoleGetDiff', { route: 'console/api/diff', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.getDiff) });
app.http('consoleGetDiffReport', { route: 'console/api/diff/report.xlsx', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.getDiffReportFile) });
app.http('consoleGetGroupHistory', { route: 'console/api/groups/{groupId}/history', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.getHistory) });
app.http('consoleListAlerts', { route: 'console/api/alerts', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.listAlerts) });
app.http('consoleAcknowledgeAlert', { route: 'console/api/alerts/{alertId}/acknowledge', methods: ['POST'], authLevel: anonymous, handler: approver(consoleApi.acknowledgeAlert) });
app.http('consoleListApprovals', { route: 'console/api/approvals', methods: ['GET'], authLevel: anonymous, handler: reader(consoleApi.listApprovals) });
app.http('consoleCreateApproval', { route: 'console/api/approvals', methods: ['POST'], authLevel: anonymous, handler: approver(consoleApi.createApproval) });
app.http('consoleRevokeApproval', { route: 'console/api/approvals/{approvalId}', methods: ['DELETE'], authLevel: anonymous, handler: approver(consoleApi.revokeApproval) });
