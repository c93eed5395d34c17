/** Hand-built Cloud Sync contexts for the pure tests (diff, alerts, reports). */
import type { CloudSyncContext, CloudSyncJob } from '../../src/model';

export function cloudSyncJob(overrides: Partial<CloudSyncJob> = {}): CloudSyncJob {
  return {
    servicePrincipalId: '9c2b1a4e-0c1d-4d8e-9f00-1234567890ab',
    configurationName: 'contoso.com',
    jobId: 'AAD2ADGroupProvisioning.763aefeaa45b49f4a4a430d135e944f5.e6fcbbe7-674c-41c2-bde1-ef5d078a6a57',
    templateId: 'AAD2ADGroupProvisioning',
    domain: 'contoso.com',
    statusCode: 'Active',
    scheduleState: 'Active',
    quarantined: false,
    quarantineReason: null,
    lastSuccessfulRun: '2026-11-24T01:40:00Z',
    groupMappingEnabled: true,
    scope: { mode: 'selectedGroups' },
    container: { kind: 'constant', distinguishedName: 'OU=CloudGroups,DC=contoso,DC=com' },
    assignedGroupIds: ['11111111-0000-4000-8000-000000000001', '11111111-0000-4000-8000-000000000002'],
    ...overrides,
  };
}

export function cloudSyncContext(jobs: CloudSyncJob[] = [cloudSyncJob()], overrides: Partial<CloudSyncContext> = {}): CloudSyncContext {
  return { status: jobs.length > 0 ? 'read' : 'notConfigured', unknownReason: null, missingPermissions: [], jobs, ...overrides };
}
