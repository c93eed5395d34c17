/** Routes over alerts and approvals of expected changes. */
import { WritebackWatchError } from '../errors';
import type { Services } from '../app/services';
import { parseApprovalRequest } from '../alerts/approvals';
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

export async function createApproval(services: Services, request: ApiRequest): Promise<ApiResponse> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw invalid('The body must be JSON: {"groupId","expect":{"bucket"|"effectiveTargetType"|"isEnabled"|"onPremisesGroupType"},"requestedBy","reason","expiresAt"}.');
  }
  const approval = parseApprovalRequest(body, { tenantId: services.settings.tenantId, now: new Date() });
  const stored = await services.alerts.approvals.create(approval);
  return { status: 201, headers: { Location: `/api/approvals/${stored.id}` }, jsonBody: stored };
}

export async function deleteApproval(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const id = request.params.approvalId ?? '';
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw invalid(`"${id.slice(0, 60)}" is not an approval id; list them with GET /api/approvals.`);
  const deleted = await services.alerts.approvals.delete(services.settings.tenantId, id.toLowerCase());
  if (!deleted) throw new WritebackWatchError('NotFound', `Approval ${id} does not exist (it may have been deleted already).`);
  return { status: 204 };
}
