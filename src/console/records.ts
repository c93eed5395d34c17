/**
 * How the console's writes reach the alert and approval stores, with who made them: the one place that
 * turns the signed-in principal into what the stores record.
 */
import type { Services } from '../app/services';
import type { Principal } from '../auth/principal';
import { parseApprovalRequest, type Approval } from '../alerts/approvals';
import type { StoredAlert } from '../alerts/alertStore';
import { principalLabel } from './security';

export function acknowledgeAlert(services: Services, id: string, principal: Principal, note: string | null): Promise<StoredAlert> {
  return services.alerts.store.acknowledgeAlert(id, { by: principalLabel(principal), note, now: services.now() });
}

/** Validates the body (which names no requester: the principal is recorded) and builds the approval. */
export function approvalFromRequest(services: Services, body: unknown, principal: Principal): Approval {
  return parseApprovalRequest(body, { tenantId: services.settings.tenantId, now: services.now(), requestedBy: principalLabel(principal) });
}

/** `missing` when there is no such approval (or no longer). */
export async function revokeApproval(services: Services, id: string, _principal: Principal): Promise<'revoked' | 'missing'> {
  return (await services.alerts.approvals.delete(services.settings.tenantId, id)) ? 'revoked' : 'missing';
}
