/** Routes over alerts and approvals of expected changes. */
import type { Services } from '../app/services';
import { intParam, invalid, type ApiRequest, type ApiResponse } from './http';

export async function listAlerts(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const top = intParam(request.query, 'top', 50, 1, 200);
  const continuation = request.query.get('continuation');
  if (continuation !== null && !/^[A-Za-z0-9+/=_-]{1,2000}$/.test(continuation)) throw invalid('continuation must be the value returned by the previous page.');
  const page = await services.alerts.store.listAlerts({ tenantId: services.settings.tenantId, top, continuation });
  return { status: 200, jsonBody: { alerts: page.items, continuation: page.continuation } };
}

export async function listApprovals(services: Services): Promise<ApiResponse> {
  return { status: 200, jsonBody: { approvals: await services.alerts.approvals.list(services.settings.tenantId) } };
}

/**
 * Approving and revoking left the function-key routes: a key says nothing about who is calling, and an
 * approval silences alerts in someone's name. 410 with the way to the console (or an app token) instead.
 */
function movedToConsole(what: string): ApiResponse {
  return {
    status: 410,
    jsonBody: {
      error: {
        code: 'MovedToConsole',
        message:
          `${what} with a function key is no longer possible: it records who did it. Do it in the console (/api/console/) ` +
          'signed in as an Approver, or from automation through the console routes with an app token that holds the Approver role. docs/alerts.md ("Who approves") explains the migration.',
      },
    },
  };
}

export async function createApproval(): Promise<ApiResponse> {
  return movedToConsole('Creating an approval');
}

export async function deleteApproval(): Promise<ApiResponse> {
  return movedToConsole('Revoking an approval');
}
