/** The emulator's Cloud Sync routes over real HTTP: Graph's shapes, paging, 403 and 429 paths, and the controls. */
import { describe, expect, it } from 'vitest';
import { CLOUD_SYNC_GROUP_TEMPLATE_ID } from '../../dev/emulator/cloudSyncTenant';
import { emulator, get, getJson, onEmulator, type GraphPage } from './helpers';

const control = (url: string, action: string, body: unknown) =>
  fetch(`${url}/_emulator/tenant/cloud-sync/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('emulator Cloud Sync routes', () => {
  it('lists service principals by applicationTemplateId on v1.0 and refuses other filters', async () => {
    const em = await emulator({ groups: 3, cloudSync: [{ domain: 'contoso.com' }, { domain: 'fabrikam.com', applicationTemplateId: null }] });
    const page = await getJson<GraphPage>(em, `/v1.0/servicePrincipals?$filter=applicationTemplateId eq '${CLOUD_SYNC_GROUP_TEMPLATE_ID}'&$select=id,displayName`);
    expect(page['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#servicePrincipals');
    expect(page.value).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), displayName: 'contoso.com' }]);
    const bad = await get(em, "/v1.0/servicePrincipals?$filter=startswith(displayName,'c')");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('Request_UnsupportedQuery');
    // v1.0 serves Cloud Sync only; groups stay on beta.
    expect((await get(em, '/v1.0/groups')).status).toBe(400);
  });

  it('serves jobs and the schema in the shapes of Microsoft\'s samples', async () => {
    const em = await emulator({ groups: 3, cloudSync: [{ domain: 'contoso.com', status: 'Quarantine' }] });
    const [spId] = em.tenant.cloudSync.servicePrincipalIds();
    const jobs = await getJson<GraphPage>(em, `/v1.0/servicePrincipals/${spId}/synchronization/jobs`);
    const job = jobs.value[0] as Record<string, any>;
    expect(job.id).toMatch(/^AAD2ADGroupProvisioning\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    expect(job.templateId).toBe('AAD2ADGroupProvisioning');
    expect(job.schedule).toEqual({ expiration: null, interval: 'PT20M', state: 'Disabled' });
    expect(job.status.code).toBe('Quarantine');
    expect(job.status.quarantine.reason).toBe('EncounteredQuarantineException');
    expect(job.synchronizationJobSettings).toContainEqual({ name: 'DomainFQDN', value: 'contoso.com' });
    const schema = await getJson<Record<string, any>>(em, `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${job.id}/schema`);
    const mapping = schema.synchronizationRules[0].objectMappings[0];
    expect(mapping).toMatchObject({ enabled: true, sourceObjectName: 'group', targetObjectName: 'group', scope: null });
    expect(mapping.attributeMappings).toContainEqual(
      expect.objectContaining({ targetAttributeName: 'parentDistinguishedName', source: { expression: '"OU=CloudGroups,DC=contoso,DC=com"', name: 'OU=CloudGroups,DC=contoso,DC=com', parameters: [], type: 'Constant' } }),
    );
    expect((await get(em, `/v1.0/servicePrincipals/${spId}/synchronization/jobs/nope/schema`)).status).toBe(404);
    expect((await get(em, '/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000000/synchronization/jobs')).status).toBe(404);
  });

  it('pages appRoleAssignedTo with $top and absolute v1.0 next links to the last page', async () => {
    const em = await emulator({ groups: 300, cloudSync: [{ assignFirstGroups: 250 }] });
    const [spId] = em.tenant.cloudSync.servicePrincipalIds();
    const seen: Record<string, unknown>[] = [];
    let path: string | null = `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo?$top=100`;
    let pages = 0;
    while (path) {
      const page: GraphPage = await getJson<GraphPage>(em, path);
      pages += 1;
      seen.push(...page.value);
      const next: string | undefined = page['@odata.nextLink'];
      if (next) expect(next).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/servicePrincipals\/.+\/appRoleAssignedTo\?\$top=100&\$skiptoken=/);
      path = next ? onEmulator(next) : null;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen.map((a) => a.principalId)).size).toBe(250);
    expect(seen[0]).toMatchObject({ principalType: 'Group', resourceId: spId, appRoleId: '1a0abf4d-b9fa-4512-a3a2-51ee82c6fd9f' });
    expect((await get(em, `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo?$top=1000`)).status).toBe(400);
  });

  it('answers 403 Authorization_RequestDenied for each missing permission option', async () => {
    const sync = await emulator({ groups: 1, cloudSync: [{}], permissions: { synchronization: false } });
    const [spId] = sync.tenant.cloudSync.servicePrincipalIds();
    const refused = await get(sync, `/v1.0/servicePrincipals/${spId}/synchronization/jobs`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
    expect((await get(sync, `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`)).status).toBe(200);

    const apps = await emulator({ groups: 1, cloudSync: [{}], permissions: { applications: false } });
    const [appSp] = apps.tenant.cloudSync.servicePrincipalIds();
    expect((await get(apps, '/v1.0/servicePrincipals')).status).toBe(403);
    expect((await get(apps, `/v1.0/servicePrincipals/${appSp}/appRoleAssignedTo`)).status).toBe(403);
    expect((await get(apps, `/v1.0/servicePrincipals/${appSp}/synchronization/jobs`)).status).toBe(200);
  });

  it('throttles v1.0 requests through the fault injector like beta ones', async () => {
    const em = await emulator({ groups: 1, cloudSync: [{}] });
    em.faults.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const throttled = await get(em, '/v1.0/servicePrincipals');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await get(em, '/v1.0/servicePrincipals')).status).toBe(200);
  });

  it('changes between scans through the controls: job status, assignments, scope and container', async () => {
    const em = await emulator({ groups: 10, cloudSync: [{ assignFirstGroups: 2 }] });
    const [spId] = em.tenant.cloudSync.servicePrincipalIds();
    const jobId = String(em.tenant.cloudSync.listJobs(spId!)![0]!.id);
    expect((await control(em.url, 'job-status', { jobId, status: 'Paused' })).status).toBe(204);
    expect((await control(em.url, 'assign', { servicePrincipalId: spId, groupIds: ['g-new'] })).status).toBe(204);
    const [first] = (await getJson<GraphPage>(em, `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`)).value;
    expect((await control(em.url, 'unassign', { servicePrincipalId: spId, groupIds: [first!.principalId] })).status).toBe(204);
    const scope = { kind: 'filter', groups: [[{ sourceOperandName: 'displayName', operatorName: 'EQUALS', values: ['Finance'] }]] };
    expect((await control(em.url, 'scope', { jobId, scope })).status).toBe(204);
    expect((await control(em.url, 'container', { jobId, container: { kind: 'constant', value: 'OU=Moved,DC=contoso,DC=com' } })).status).toBe(204);
    expect((await control(em.url, 'job-status', { jobId, status: 'Broken' })).status).toBe(400);

    const job = (await getJson<GraphPage>(em, `/v1.0/servicePrincipals/${spId}/synchronization/jobs`)).value[0] as Record<string, any>;
    expect(job.status.code).toBe('Paused');
    expect(job.schedule.state).toBe('Disabled');
    const assigned = (await getJson<GraphPage>(em, `/v1.0/servicePrincipals/${spId}/appRoleAssignedTo`)).value.map((a) => a.principalId);
    expect(assigned).toHaveLength(2);
    expect(assigned).toContain('g-new');
    expect(assigned).not.toContain(first!.principalId);
    const mapping = (await getJson<Record<string, any>>(em, `/beta/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`)).synchronizationRules[0].objectMappings[0];
    expect(mapping.scope.groups[0].clauses).toContainEqual({ operatorName: 'EQUALS', sourceOperandName: 'displayName', targetOperand: { values: ['Finance'] } });
    expect(mapping.attributeMappings.find((m: any) => m.targetAttributeName === 'parentDistinguishedName').source.name).toBe('OU=Moved,DC=contoso,DC=com');
  });
});
