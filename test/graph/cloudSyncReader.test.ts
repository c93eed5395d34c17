/**
 * CloudSyncReader against the Graph emulator, through the real Graph client and the scan's transport:
 * discovery by application template and by setting, job selection, schema scope and container, assignments
 * paged to the end, 403 paths (unknown, naming the permission) and throttling (retried within the budget).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { instantClock, startWorld, type World } from '../helpers/world';
import { CLOUD_SYNC_AD2AAD_TEMPLATE_ID } from '../../dev/emulator/cloudSyncTenant';
import type { EmulatorOptions } from '../../dev/emulator/server';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function read(options: { emulator?: Partial<EmulatorOptions>; env?: Record<string, string>; before?: (w: World) => void } = {}) {
  const clock = instantClock();
  world = await startWorld({ emulator: { groups: 50, ...options.emulator }, env: options.env, clock });
  options.before?.(world);
  const deps = world.services.scanDependencies();
  const context = await deps.cloudSync.readContext();
  return { context, deps, world, clock };
}

const guid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('CloudSyncReader', () => {
  it('reads a selected-groups job with every assigned group, paging appRoleAssignedTo to the last page', async () => {
    const groups = Array.from({ length: 2_500 }, (_, i) => guid(i));
    const { context, world } = await read({
      emulator: { cloudSync: [{ domain: 'corp.contoso.com', assignedGroupIds: groups, assignedUserIds: [guid(90_000)] }] },
    });
    expect(context.status).toBe('read');
    expect(context.missingPermissions).toEqual([]);
    expect(context.jobs).toHaveLength(1);
    const job = context.jobs[0]!;
    expect(job.jobId).toMatch(/^AAD2ADGroupProvisioning\./);
    expect(job).toMatchObject({
      configurationName: 'corp.contoso.com',
      templateId: 'AAD2ADGroupProvisioning',
      domain: 'corp.contoso.com',
      statusCode: 'Active',
      scheduleState: 'Active',
      quarantined: false,
      groupMappingEnabled: true,
      scope: { mode: 'selectedGroups' },
      container: { kind: 'constant', distinguishedName: 'OU=CloudGroups,DC=corp,DC=contoso,DC=com' },
    });
    expect(job.lastSuccessfulRun).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Groups only (the assigned user is left out), sorted, all 2,500 across three pages of 999.
    expect(job.assignedGroupIds).toEqual([...groups].sort());
    const routes = world.emulator.stats().byRoute;
    expect(routes['GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo']).toBe(3);
    expect(routes['GET /v1.0/servicePrincipals']).toBe(2); // one per application template
  });

  it('reads scoping filters, "all groups" and a container that is an expression or not mapped', async () => {
    const { context } = await read({
      emulator: {
        cloudSync: [
          {
            domain: 'a.contoso.com',
            scope: { kind: 'filter', groups: [[{ sourceOperandName: 'displayName', operatorName: 'REGEX MATCH', values: ['^SG-'] }], [{ sourceOperandName: 'extension_abc_WritebackEnabled', operatorName: 'IS TRUE', values: [] }]] },
            container: { kind: 'expression', expression: 'Switch([displayName],"OU=Default,DC=a,DC=contoso,DC=com","Sales","OU=Sales,DC=a,DC=contoso,DC=com")' },
          },
          { domain: 'b.contoso.com', scope: { kind: 'filter', groups: [[]] }, container: { kind: 'none' } },
        ],
      },
    });
    expect(context.status).toBe('read');
    const byDomain = new Map(context.jobs.map((job) => [job.domain, job]));
    const filtered = byDomain.get('a.contoso.com')!;
    expect(filtered.scope.mode).toBe('attributeFilter');
    if (filtered.scope.mode !== 'attributeFilter') throw new Error('unreachable');
    // The clauses as the schema states them, Cloud Sync's own security clause included.
    expect(filtered.scope.filterGroups).toHaveLength(2);
    expect(filtered.scope.filterGroups[0]).toContainEqual({ sourceAttributeName: 'displayName', operatorName: 'REGEX MATCH', values: ['^SG-'] });
    expect(filtered.scope.filterGroups[0]).toContainEqual({ sourceAttributeName: 'securityEnabled', operatorName: 'IS TRUE', values: [] });
    expect(filtered.container).toEqual({ kind: 'expression', expression: 'Switch([displayName],"OU=Default,DC=a,DC=contoso,DC=com","Sales","OU=Sales,DC=a,DC=contoso,DC=com")' });
    expect(filtered.assignedGroupIds).toBeNull(); // not read: assignments do not decide a filtered scope
    const all = byDomain.get('b.contoso.com')!;
    expect(all.scope).toEqual({ mode: 'allGroups' });
    expect(all.container).toEqual({ kind: 'default', distinguishedName: 'CN=Users,DC=b,DC=contoso,DC=com' });
  });

  it('finds group jobs on the AD-to-Entra service principal, matched by id prefix or templateId, and ignores other jobs', async () => {
    const { context } = await read({
      before: (w) => {
        const cs = w.emulator.tenant.cloudSync;
        const { servicePrincipalId } = cs.addConfiguration({ applicationTemplateId: CLOUD_SYNC_AD2AAD_TEMPLATE_ID, jobId: 'AAD2ADGroupProvisioning.1234.abcd', templateId: 'SomethingElse' });
        cs.addOtherJob(servicePrincipalId, 'AD2AADProvisioning');
        cs.addConfiguration({ domain: 'other.com', jobId: 'Custom.1', templateId: 'AAD2ADGroupProvisioning' });
        cs.addConfiguration({ domain: 'unrelated.com', applicationTemplateId: null }); // not a Cloud Sync template, not named
      },
    });
    expect(context.status).toBe('read');
    expect(context.jobs.map((job) => job.jobId).sort()).toEqual(['AAD2ADGroupProvisioning.1234.abcd', 'Custom.1']);
  });

  it('is notConfigured without Cloud Sync service principals', async () => {
    const { context } = await read();
    expect(context).toEqual({ status: 'notConfigured', unknownReason: null, missingPermissions: [], jobs: [] });
  });

  it('reads a service principal named in CLOUD_SYNC_SERVICE_PRINCIPAL_IDS, and says so when one does not exist', async () => {
    const named = guid(77);
    const missing = guid(78);
    const { context } = await read({
      env: { CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: `${named},${missing}` },
      before: (w) => void w.emulator.tenant.cloudSync.addConfiguration({ servicePrincipalId: named, applicationTemplateId: null, assignedGroupIds: [guid(1)] }),
    });
    expect(context.jobs.map((job) => job.servicePrincipalId)).toEqual([named]);
    expect(context.jobs[0]!.assignedGroupIds).toEqual([guid(1)]);
    expect(context.status).toBe('unknown');
    expect(context.missingPermissions).toEqual([]);
    expect(context.unknownReason).toContain(`service principal ${missing} (CLOUD_SYNC_SERVICE_PRINCIPAL_IDS) does not exist`);
  });

  it('without Synchronization.Read.All: unknown, naming the permission and the request refused', async () => {
    const { context } = await read({ emulator: { cloudSync: [{}], permissions: { synchronization: false } } });
    expect(context.status).toBe('unknown');
    expect(context.missingPermissions).toEqual(['Synchronization.Read.All']);
    expect(context.unknownReason).toMatch(/Graph refused GET \/servicePrincipals\/[0-9a-f-]+\/synchronization\/jobs \(HTTP 403\): grant the application permission Synchronization\.Read\.All/);
    expect(context.jobs).toEqual([]);
  });

  it('without Application.Read.All: unknown, and a named service principal is still read as far as the permissions go', async () => {
    const named = guid(5);
    const { context } = await read({
      emulator: { permissions: { applications: false } },
      env: { CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: named },
      before: (w) => void w.emulator.tenant.cloudSync.addConfiguration({ servicePrincipalId: named, assignedGroupIds: [guid(1)] }),
    });
    expect(context.status).toBe('unknown');
    expect(context.missingPermissions).toEqual(['Application.Read.All']);
    expect(context.unknownReason).toContain('Application.Read.All');
    // Jobs and schema need Synchronization.Read.All only; the assignments could not be read (null, not empty).
    expect(context.jobs).toHaveLength(1);
    expect(context.jobs[0]!.assignedGroupIds).toBeNull();
    expect(context.jobs[0]!.configurationName).toBeNull();
  });

  it('makes Cloud Sync unknown, not the scan failed, when Graph refuses a request with another 4xx', async () => {
    const { context } = await read({
      emulator: { cloudSync: [{}] },
      before: (w) => w.emulator.faults.failNext(1, { status: 400 }),
    });
    expect(context.status).toBe('unknown');
    expect(context.missingPermissions).toEqual([]);
    expect(context.unknownReason).toMatch(/Graph answered GET \/servicePrincipals\?\$filter=applicationTemplateId eq … with HTTP 400/);
  });

  it('retries a throttled request with the scan transport and its budget', async () => {
    const { context, deps, clock } = await read({
      emulator: { cloudSync: [{ assignedGroupIds: [guid(3)] }] },
      before: (w) => w.emulator.faults.failNext(2, { status: 429, retryAfterSeconds: 3 }),
    });
    expect(context.status).toBe('read');
    expect(context.jobs[0]!.assignedGroupIds).toEqual([guid(3)]);
    expect(deps.transport.retries).toBe(2);
    expect(clock.slept).toEqual([3000, 3000]);
  });

  it('fails, as a group page would, when throttling outlasts the attempts', async () => {
    const clock = instantClock();
    world = await startWorld({ emulator: { groups: 5, cloudSync: [{}] }, env: { GRAPH_MAX_ATTEMPTS: '2' }, clock });
    world.emulator.faults.failAlways({ status: 429, retryAfterSeconds: 1 });
    await expect(world.services.scanDependencies().cloudSync.readContext()).rejects.toThrow(/failed 2 times/);
  });
});
