/** Changes: the diff between two scans as JSON or Excel, and one group's history across scans. */
import { app } from '@azure/functions';
import { getDiff, getDiffReport, getGroupHistory } from '../src/api/diffRoutes';
import { httpHandler } from './_http';

app.http('getDiff', { route: 'diff', methods: ['GET'], authLevel: 'function', handler: httpHandler(getDiff) });
app.http('getDiffReport', { route: 'diff/report.xlsx', methods: ['GET'], authLevel: 'function', handler: httpHandler(getDiffReport) });
app.http('getGroupHistory', { route: 'groups/{groupId}/history', methods: ['GET'], authLevel: 'function', handler: httpHandler(getGroupHistory) });
