/**
 * How the console's writes reach the alert and approval stores, with who made them: the one place that
 * hands the signed-in principal to what the stores record.
 */
import type { Services } from '../app/services';
import type { Principal } from '../auth/principal';
import { parseApprovalRequest, type Approval } from '../alerts/approvals';
import type { StoredAlert } from '../alerts/alertStore';

export function acknowledgeAlert(services: Services, id: string, principal: Principal, note: string | null): Promise<StoredAlert> {
  return services.alerts.store.acknowledgeAlert(id, { by: principal, note, now: services.now() });
}

/** Validates the body (which names no requester: the principal is recorded) and builds the approval. */
export function approvalFromRequest(services: Services, body: unknown, principal: Principal): Approval {
  return parseApprovalRequest(body, { tenantId: services.settings.tenantId, now: services.now(), requestedBy: principal });
}

/** `missing` when there is no such approval; `alreadyRevoked` when it was revoked before. */
export async function revokeApproval(services: Services, id: string, principal: Principal): Promise<'revoked' | 'missing' | 'alreadyRevoked'> {
  const now = services.now();
  const approval = await services.alerts.approvals.revoke(services.settings.tenantId, id, { by: principal, now });
  if (!approval) return 'missing';
  return approval.revokedAt && approval.revokedAt.getTime() < now.getTime() ? 'alreadyRevoked' : 'revoked';
}
