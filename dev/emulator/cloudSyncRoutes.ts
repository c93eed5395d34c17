/**
 * Cloud Sync routes (Graph v1.0, and beta alike): service principals with `$filter=applicationTemplateId eq
 * '<id>'`, their synchronization jobs and job schema, and their app role assignments (`appRoleAssignedTo`,
 * paged with `$top` 1-999, default 100, and `$skiptoken`). Service principals and assignments need
 * Application.Read.All, jobs and schemas Synchronization.Read.All: without the permission option they answer
 * 403 Authorization_RequestDenied, as Graph does. Controls under `/_emulator/tenant/cloud-sync/*` change the
 * configuration between scans.
 */
import { EmulatorError } from './errors';
import type { EmulatedCloudSync, EmulatedContainer, EmulatedFilterClause, EmulatedJobStatus, EmulatedScope } from './cloudSyncTenant';
import { graphError, notFound, readQueryOptions, unsupportedQuery, parseTop, isResponse, type EmulatorResponse } from './odata';
import type { EmulatorPermissions, RequestContext } from './requestContext';

export interface CloudSyncRoute {
  /** Route template for stats, e.g. `servicePrincipals/{id}/synchronization/jobs`. */
  template: string;
  handle: (ctx: RequestContext) => EmulatorResponse;
}

const DEFAULT_PAGE_SIZE = 100;

function denied(ctx: RequestContext, permission: keyof EmulatorPermissions): EmulatorResponse | null {
  if (ctx.settings.permissions[permission]) return null;
  return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

/** The Cloud Sync route for these segments (after the version), or null when they name another resource. */
export function resolveCloudSyncRoute(method: string, segments: string[]): CloudSyncRoute | null {
  const lower = segments.map((s) => s.toLowerCase());
  if (lower[0] !== 'serviceprincipals' || method !== 'GET') return null;
  const id = segments[1] ?? '';
  if (lower.length === 1) return { template: 'servicePrincipals', handle: listServicePrincipals };
  if (lower.length === 2) return { template: 'servicePrincipals/{id}', handle: (ctx) => getServicePrincipal(ctx, id) };
  if (lower.length === 3 && lower[2] === 'approleassignedto') return { template: 'servicePrincipals/{id}/appRoleAssignedTo', handle: (ctx) => listAssignments(ctx, id) };
  if (lower[2] === 'synchronization' && lower[3] === 'jobs') {
    const jobId = segments[4] ?? '';
    if (lower.length === 4) return { template: 'servicePrincipals/{id}/synchronization/jobs', handle: (ctx) => listJobs(ctx, id) };
    if (lower.length === 5) return { template: 'servicePrincipals/{id}/synchronization/jobs/{jobId}', handle: (ctx) => getJob(ctx, id, jobId) };
    if (lower.length === 6 && lower[5] === 'schema') return { template: 'servicePrincipals/{id}/synchronization/jobs/{jobId}/schema', handle: (ctx) => getSchema(ctx, id, jobId) };
  }
  return null;
}

const cloudSync = (ctx: RequestContext): EmulatedCloudSync => ctx.tenant.cloudSync;

/** `applicationTemplateId eq '<guid>'` is the one filter emulated (Graph: applicationTemplateId supports eq). */
function listServicePrincipals(ctx: RequestContext): EmulatorResponse {
  const refused = denied(ctx, 'applications');
  if (refused) return refused;
  const options = readQueryOptions(ctx.url);
  const filter = options.get('filter');
  let templateId: string | undefined;
  if (filter !== undefined) {
    const match = /^\s*applicationTemplateId\s+eq\s+'([^']*)'\s*$/i.exec(filter);
    if (!match) return unsupportedQuery(`Unsupported or invalid query filter clause specified for property 'servicePrincipal': ${filter}`);
    templateId = match[1];
  }
  const select = selectList(options.get('select'));
  const items = cloudSync(ctx)
    .listServicePrincipals(templateId)
    .map((sp) => (select ? Object.fromEntries(Object.entries(sp).filter(([key]) => key === 'id' || select.has(key.toLowerCase()))) : sp));
  return page(ctx, 'servicePrincipals', items, ctx.url.pathname.replace(/^\/(beta|v1\.0)\//i, ''), { $filter: filter, $select: options.get('select') });
}

function getServicePrincipal(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'applications');
  if (refused) return refused;
  const sp = cloudSync(ctx)
    .listServicePrincipals()
    .find((s) => String(s.id) === id.toLowerCase());
  if (!sp) return notFound(id);
  return { status: 200, json: { '@odata.context': ctx.links.context('servicePrincipals/$entity', ctx.version), ...sp } };
}

function listJobs(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'synchronization');
  if (refused) return refused;
  const jobs = cloudSync(ctx).listJobs(id);
  if (!jobs) return notFound(id);
  return { status: 200, json: { '@odata.context': ctx.links.context(`servicePrincipals('${id}')/synchronization/jobs`, ctx.version), value: jobs } };
}

function getJob(ctx: RequestContext, id: string, jobId: string): EmulatorResponse {
  const refused = denied(ctx, 'synchronization');
  if (refused) return refused;
  const job = cloudSync(ctx)
    .listJobs(id)
    ?.find((j) => String(j.id).toLowerCase() === jobId.toLowerCase());
  if (!job) return notFound(jobId);
  return { status: 200, json: { '@odata.context': ctx.links.context(`servicePrincipals('${id}')/synchronization/jobs/$entity`, ctx.version), ...job } };
}

function getSchema(ctx: RequestContext, id: string, jobId: string): EmulatorResponse {
  const refused = denied(ctx, 'synchronization');
  if (refused) return refused;
  const schema = cloudSync(ctx).schema(id, jobId);
  if (!schema) return notFound(jobId);
  return { status: 200, json: { '@odata.context': ctx.links.context(`servicePrincipals('${id}')/synchronization/jobs('${jobId}')/schema/$entity`, ctx.version), ...schema } };
}

function listAssignments(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'applications');
  if (refused) return refused;
  const all = cloudSync(ctx).assignments(id);
  if (!all) return notFound(id);
  const options = readQueryOptions(ctx.url);
  const select = selectList(options.get('select'));
  const items = select ? all.map((a) => Object.fromEntries(Object.entries(a).filter(([key]) => key === 'id' || select.has(key.toLowerCase())))) : all;
  return page(ctx, `servicePrincipals('${id}')/appRoleAssignedTo`, items, `servicePrincipals/${id}/appRoleAssignedTo`, { $select: options.get('select') });
}

function selectList(raw: string | undefined): Set<string> | null {
  if (!raw) return null;
  return new Set(raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** One page of `items` from `$skiptoken` (a position), `$top` items long, with Graph's absolute nextLink. */
function page(ctx: RequestContext, contextFragment: string, items: unknown[], path: string, keep: Record<string, string | undefined>): EmulatorResponse {
  const options = readQueryOptions(ctx.url);
  const top = parseTop(options.get('top'));
  if (isResponse(top)) return top;
  const size = top ?? DEFAULT_PAGE_SIZE;
  const start = Number(options.get('skiptoken') ?? '0');
  if (!Number.isInteger(start) || start < 0) return graphError(400, 'Request_BadRequest', "The specified page token value has expired or is invalid.");
  const value = items.slice(start, start + size);
  const json: Record<string, unknown> = { '@odata.context': ctx.links.context(contextFragment, ctx.version) };
  if (start + size < items.length) {
    const params: [string, string][] = Object.entries(keep).flatMap(([name, v]) => (v === undefined ? [] : [[name, v] as [string, string]]));
    params.push(['$top', String(size)], ['$skiptoken', String(start + size)]);
    json['@odata.nextLink'] = ctx.links.link(path, params, ctx.version);
  }
  json.value = value;
  return { status: 200, json };
}

// ---- controls ---------------------------------------------------------------------------------------------

/**
 *   POST /_emulator/tenant/cloud-sync/configurations  CloudSyncConfigurationInput → { servicePrincipalId, jobId }
 *        (`assignFirstGroups: n` assigns the tenant's first n groups)
 *   POST /_emulator/tenant/cloud-sync/job-status      { jobId, status: Active|Paused|Quarantine|NotRun|NotConfigured, quarantineReason? }
 *   POST /_emulator/tenant/cloud-sync/assign          { servicePrincipalId, groupIds }
 *   POST /_emulator/tenant/cloud-sync/unassign        { servicePrincipalId, groupIds }
 *   POST /_emulator/tenant/cloud-sync/scope           { jobId, scope: { kind: "selected" } | { kind: "filter", groups: clause[][] } }
 *   POST /_emulator/tenant/cloud-sync/container       { jobId, container: { kind: "constant", value } | { kind: "expression", expression } | ... }
 * Returns null when `action` is not a Cloud Sync control.
 */
export function handleCloudSyncControl(
  state: EmulatedCloudSync,
  groups: { positionCount(): number; groupAtPosition(position: number): { id: string } | null },
  method: string,
  action: string,
  body: Record<string, unknown>,
): EmulatorResponse | null {
  if (method !== 'POST' || !action.startsWith('tenant/cloud-sync/')) return null;
  const ok = (json?: unknown): EmulatorResponse => (json === undefined ? { status: 204 } : { status: 200, json });
  switch (action.slice('tenant/cloud-sync/'.length)) {
    case 'configurations': {
      const count = body.assignFirstGroups === undefined ? 0 : Number(body.assignFirstGroups);
      if (!Number.isInteger(count) || count < 0) throw new TypeError('"assignFirstGroups" must be a whole number.');
      const first: string[] = [];
      for (let position = 0; first.length < count && position < groups.positionCount(); position += 1) {
        const group = groups.groupAtPosition(position);
        if (group) first.push(group.id);
      }
      const { assignFirstGroups: _ignored, ...input } = body;
      const ids = state.addConfiguration({ ...input, assignedGroupIds: [...strings(input.assignedGroupIds ?? [], 'assignedGroupIds'), ...first] });
      return ok(ids);
    }
    case 'job-status':
      state.setJobStatus(text(body.jobId, 'jobId'), text(body.status, 'status') as EmulatedJobStatus, body.quarantineReason === undefined ? undefined : (body.quarantineReason as string | null));
      return ok();
    case 'assign':
      state.assign(text(body.servicePrincipalId, 'servicePrincipalId'), strings(body.groupIds, 'groupIds'));
      return ok();
    case 'unassign':
      state.unassign(text(body.servicePrincipalId, 'servicePrincipalId'), strings(body.groupIds, 'groupIds'));
      return ok();
    case 'scope':
      state.setScope(text(body.jobId, 'jobId'), scopeOf(body.scope));
      return ok();
    case 'container':
      state.setContainer(text(body.jobId, 'jobId'), body.container as EmulatedContainer);
      return ok();
    default:
      throw new EmulatorError('InvalidInput', `No Cloud Sync control ${action}.`);
  }
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${name}" must be a non-empty string.`);
  return value;
}

function strings(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new TypeError(`"${name}" must be an array of strings.`);
  return value as string[];
}

function scopeOf(value: unknown): EmulatedScope {
  const scope = value as { kind?: unknown; groups?: unknown } | null;
  if (scope?.kind === 'selected') return { kind: 'selected' };
  if (scope?.kind === 'filter' && Array.isArray(scope.groups)) return { kind: 'filter', groups: scope.groups as EmulatedFilterClause[][] };
  throw new TypeError('"scope" must be { "kind": "selected" } or { "kind": "filter", "groups": [[{ operatorName, sourceOperandName, values }]] }.');
}
