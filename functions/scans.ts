/** Scans: list, start, read one, its groups and its Excel report. */
import { app } from '@azure/functions';
import { getScan, getScanReport, listScanGroups, listScans, startScan } from '../src/api/scanRoutes';
import { getWhatIf } from '../src/api/whatIfRoutes';
import { httpHandler } from './_http';

app.http('listScans', { route: 'scans', methods: ['GET'], authLevel: 'function', handler: httpHandler(listScans) });
app.http('startScan', { route: 'scans', methods: ['POST'], authLevel: 'function', handler: httpHandler(startScan) });
app.http('getScan', { route: 'scans/{scanId}', methods: ['GET'], authLevel: 'function', handler: httpHandler(getScan) });
app.http('listScanGroups', { route: 'scans/{scanId}/groups', methods: ['GET'], authLevel: 'function', handler: httpHandler(listScanGroups) });
app.http('getScanReport', { route: 'scans/{scanId}/report.xlsx', methods: ['GET'], authLevel: 'function', handler: httpHandler(getScanReport) });
app.http('getWhatIf', { route: 'scans/{scanId}/whatif', methods: ['GET'], authLevel: 'function', handler: httpHandler(getWhatIf) });
