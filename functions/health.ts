/** Liveness and the newest scan, for probes and dashboards. */
import { app } from '@azure/functions';
import { getHealth } from '../src/api/diffRoutes';
import { httpHandler } from './_http';

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'function', handler: httpHandler(getHealth) });
