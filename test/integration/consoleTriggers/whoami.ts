/** Test-only triggers: a console route and a function-key route that echo who the app thinks is calling. */
import { app } from '@azure/functions';
import { consoleHandler, httpHandler } from '../../../functions/_http';
import type { ApiRequest, ApiResponse } from '../../../src/api/http';
import type { Services } from '../../../src/app/services';

async function whoAmI(_services: Services, request: ApiRequest): Promise<ApiResponse> {
  return { status: 200, jsonBody: { principal: request.principal ?? null, principalHeader: request.headers.get('x-ms-client-principal') } };
}

app.http('testConsoleWhoAmI', { route: 'console/test/whoami', methods: ['GET'], authLevel: 'anonymous', handler: consoleHandler(whoAmI) });
app.http('testConsoleApproverOnly', { route: 'console/test/approve', methods: ['POST'], authLevel: 'anonymous', handler: consoleHandler(whoAmI, 'Approver') });
app.http('testKeyedWhoAmI', { route: 'test/whoami', methods: ['GET'], authLevel: 'function', handler: httpHandler(whoAmI) });
