/** The demo announces one change before making it, as a change ticket would, so its alert is suppressed. */
import type { Services } from '../../src/app/services';
import type { Bucket } from '../../src/model';
import { parseApprovalRequest } from '../../src/alerts/approvals';
import { localDeveloperPrincipal } from '../../src/auth/consoleAuth';

export async function approveForDemo(services: Services, groupId: string, bucket: Bucket, reason: string): Promise<void> {
  const now = services.now();
  const tenantId = services.settings.tenantId;
  await services.alerts.approvals.create(
    parseApprovalRequest(
      { groupId, expect: { bucket }, reason, expiresAt: new Date(now.getTime() + 86_400_000).toISOString() },
      // The demo's approval is the local developer's, as if approved in the console with `local --as approver`.
      { tenantId, now, requestedBy: localDeveloperPrincipal(tenantId, 'Approver') },
    ),
  );
}
