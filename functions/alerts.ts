/** Alerts and approvals of expected changes. */
import { app } from '@azure/functions';
import { createApproval, deleteApproval, listAlerts, listApprovals } from '../src/api/alertRoutes';
import { httpHandler } from './_http';

app.http('listAlerts', { route: 'alerts', methods: ['GET'], authLevel: 'function', handler: httpHandler(listAlerts) });
app.http('listApprovals', { route: 'approvals', methods: ['GET'], authLevel: 'function', handler: httpHandler(listApprovals) });
app.http('createApproval', { route: 'approvals', methods: ['POST'], authLevel: 'function', handler: httpHandler(createApproval) });
app.http('deleteApproval', { route: 'approvals/{approvalId}', methods: ['DELETE'], authLevel: 'function', handler: httpHandler(deleteApproval) });
