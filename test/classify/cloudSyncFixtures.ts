/** Cloud Sync contexts and engine contexts for classification tests, in the shape a scan records them. */
import { buildEngineContext, type EngineContext } from '../../src/classify/engines/engineContext';
import type { CloudSyncContext, CloudSyncJob, WritebackEngine } from '../../src/model';

export function job(overrides: Partial<CloudSyncJob> = {}): CloudSyncJob {
  return {
    servicePrincipalId: 'a1b2c3d4-0000-0000-0000-000000000001',
    configurationName: 'contoso.example',
    jobId: 'AAD2ADGroupProvisioning.0123456789abcdef.fedcba9876543210',
    templateId: 'AAD2ADGroupProvisioning',
    domain: 'contoso.example',
    statusCode: 'Active',
    scheduleState: 'Active',
    quarantined: false,
    quarantineReason: null,
    lastSuccessfulRun: '2025-06-01T00:00:00Z',
    groupMappingEnabled: true,
    scope: { mode: 'allGroups' },
    container: { kind: 'constant', distinguishedName: 'OU=Cloud groups,DC=contoso,DC=example' },
    assignedGroupIds: null,
    ...overrides,
  };
}

export function cloudSync(jobs: CloudSyncJob[]): CloudSyncContext {
  return { status: 'read', unknownReason: null, missingPermissions: [], jobs };
}

export const UNREADABLE: CloudSyncContext = {
  status: 'unknown',
  unknownReason: 'GET /servicePrincipals/{id}/synchronization/jobs answered 403: Synchronization.Read.All is not granted',
  missingPermissions: ['Synchronization.Read.All'],
  jobs: [],
};

export const NOT_CONFIGURED: CloudSyncContext = { status: 'notConfigured', unknownReason: null, missingPermissions: [], jobs: [] };

export function engines(list: WritebackEngine[], context: CloudSyncContext | null = null): EngineContext {
  return buildEngineContext(list, context);
}
