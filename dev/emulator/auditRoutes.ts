/**
 * `GET /v1.0/auditLogs/directoryAudits` and the audit events the emulator's own writes produce. Graph facts used:
 * the list supports `$filter` (eq, ge, le, startswith), `$top`, `$select` and `$skiptoken` paging; a missing
 * AuditLog.Read.All answers 403 "Application missing ... 'Read all audit log data' permission"; the reporting APIs
 * have their own throttle of about 5 requests per 10 s per app and tenant (429 with Retry-After).
 */
import type { RequestContext } from './requestContext';
import { badRequest, graphError, isResponse, parseTop, readQueryOptions, type EmulatorResponse } from './odata';
import {
  AuditFilterError,
  groupModifiedProperties,
  groupTarget,
  initiatedBy,
  parseAuditFilter,
  settingTarget,
  type AuditCaller,
  type AuditEvent,
  type AuditPredicate,
  type EmulatedAuditLog,
} from './auditLog';

export const AUDIT_ROUTE_KEY = 'GET /v1.0/auditLogs/directoryAudits';
const DEFAULT_PAGE_SIZE = 100;

/** directoryAudit properties `$select` may name. */
const AUDIT_PROPERTIES = [
  'id',
  'category',
  'correlationId',
  'result',
  'resultReason',
  'activityDisplayName',
  'activityDateTime',
  'loggedByService',
  'operationType',
  'initiatedBy',
  'targetResources',
  'additionalDetails',
];

/** True for `auditLogs/directoryAudits` (segments after `/v1.0`, any case). */
export function isAuditPath(segments: string[]): boolean {
  return segments.length === 2 && segments[0]!.toLowerCase() === 'auditlogs' && segments[1]!.toLowerCase() === 'directoryaudits';
}

interface AuditPageToken {
  /** Position of the next event in the filtered, newest-first list. */
  p: number;
  /** Visibility cut-off of the first page, so later pages list the same events. */
  v: number;
}

const encodePageToken = (token: AuditPageToken): string => Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');

function decodePageToken(raw: string): AuditPageToken | null {
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<AuditPageToken>;
    return Number.isInteger(value.p) && Number.isFinite(value.v) ? { p: value.p!, v: value.v! } : null;
  } catch {
    return null;
  }
}

export function listDirectoryAudits(ctx: RequestContext, audit: EmulatedAuditLog, caller: string): EmulatorResponse {
  const wait = audit.throttle(caller);
  if (wait !== null) {
    return graphError(429, 'TooManyRequests', 'Too many requests to the reporting API. Retry after the interval in Retry-After.', {
      'Retry-After': String(wait),
    });
  }
  if (audit.controls.access === 'denied') {
    return graphError(403, 'Authorization_RequestDenied', "Application missing Microsoft Entra ID 'Read directory data' or 'Read all audit log data' permission.");
  }
  if (audit.controls.access === 'noLicence') {
    return graphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license.");
  }
  const options = readQueryOptions(ctx.url);
  let predicate: AuditPredicate = () => true;
  const filter = options.get('filter');
  if (filter !== undefined && audit.controls.rejectServiceWithOr && /loggedByService/i.test(filter) && /\sor\s/i.test(filter)) {
    return graphError(400, 'Request_UnsupportedQuery', 'Invalid filter clause: loggedByService cannot be combined with this expression.');
  }
  if (filter !== undefined) {
    try {
      predicate = parseAuditFilter(filter);
    } catch (error) {
      if (error instanceof AuditFilterError) return graphError(400, 'Request_UnsupportedQuery', error.message);
      throw error;
    }
  }
  let select: string[] | null = null;
  const rawSelect = options.get('select');
  if (rawSelect !== undefined) {
    select = [];
    for (const name of rawSelect.split(',').map((n) => n.trim()).filter(Boolean)) {
      const canonical = AUDIT_PROPERTIES.find((p) => p.toLowerCase() === name.toLowerCase());
      if (!canonical) return badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.directoryAudit'.`);
      select.push(canonical);
    }
  }
  const top = parseTop(options.get('top'));
  if (isResponse(top)) return top;
  let token: AuditPageToken = { p: 0, v: ctx.tenant.now() };
  const skiptoken = options.get('skiptoken');
  if (skiptoken !== undefined) {
    const decoded = decodePageToken(skiptoken);
    if (!decoded) return badRequest('The specified page token value is invalid.');
    token = decoded;
  }
  const pageSize = Math.max(1, Math.min(top ?? DEFAULT_PAGE_SIZE, audit.controls.maxPageSize));
  const matching = audit.visible(predicate, token.v);
  const page = matching.slice(token.p, token.p + pageSize);
  const body: Record<string, unknown> = { '@odata.context': ctx.links.context('auditLogs/directoryAudits', 'v1.0') };
  if (token.p + pageSize < matching.length) {
    const params: [string, string][] = [];
    if (filter !== undefined) params.push(['$filter', filter]);
    if (rawSelect !== undefined) params.push(['$select', rawSelect]);
    if (top !== null) params.push(['$top', String(top)]);
    params.push(['$skiptoken', encodePageToken({ p: token.p + pageSize, v: token.v })]);
    body['@odata.nextLink'] = ctx.links.link('auditLogs/directoryAudits', params, 'v1.0');
  }
  body.value = page.map((event) => project(event, select));
  return { status: 200, json: body };
}

function project(event: AuditEvent, select: string[] | null): Record<string, unknown> {
  if (!select) return { ...event };
  return Object.fromEntries(select.map((name) => [name, (event as unknown as Record<string, unknown>)[name]]));
}

type GraphObject = Record<string, unknown>;

/**
 * Called before a route runs; for a write of groups or settings, returns what to call with the route's answer so
 * a successful write is logged as Core Directory does, with the caller as initiator. Null for anything else.
 */
export function auditWrite(routeKey: string, ctx: RequestContext, audit: EmulatedAuditLog, caller: AuditCaller): ((response: EmulatorResponse) => void) | null {
  const id = ctx.segments[1] ?? '';
  const by = initiatedBy(caller);
  const ok = (response: EmulatorResponse): boolean => response.status >= 200 && response.status < 300;
  const created = (response: EmulatorResponse): GraphObject | null =>
    typeof response.json === 'object' && response.json !== null ? (response.json as GraphObject) : null;
  switch (routeKey) {
    case 'POST /beta/groups':
      return (response) => {
        const group = created(response);
        if (!ok(response) || !group) return;
        audit.record({ activityDisplayName: 'Add group', initiatedBy: by, targetResources: [groupTarget(group, groupModifiedProperties(null, stripOData(group), audit.controls))] });
      };
    case 'PATCH /beta/groups/{id}': {
      const before = ctx.tenant.getGroup(id) as GraphObject | undefined;
      return (response) => {
        const after = ctx.tenant.getGroup(id) as GraphObject | undefined;
        if (!ok(response) || !before || !after) return;
        const properties = groupModifiedProperties(before, after, audit.controls);
        if (properties.length === 0) return;
        audit.record({ activityDisplayName: 'Update group', initiatedBy: by, targetResources: [groupTarget(after, properties)] });
      };
    }
    case 'DELETE /beta/groups/{id}': {
      const before = ctx.tenant.getGroup(id) as GraphObject | undefined;
      return (response) => {
        if (!ok(response) || !before) return;
        audit.record({ activityDisplayName: 'Delete group', initiatedBy: by, targetResources: [groupTarget(before, [])] });
      };
    }
    case 'POST /beta/settings':
      return (response) => {
        const setting = created(response);
        if (!ok(response) || !setting) return;
        audit.record({ activityDisplayName: 'Create group settings', category: 'GroupManagement', initiatedBy: by, targetResources: [settingTarget(setting, null, setting)] });
      };
    case 'PATCH /beta/settings/{id}': {
      const before = ctx.tenant.getSetting(id) as GraphObject | undefined;
      return (response) => {
        const after = ctx.tenant.getSetting(id) as GraphObject | undefined;
        if (!ok(response) || !before || !after) return;
        audit.record({ activityDisplayName: 'Update group settings', initiatedBy: by, targetResources: [settingTarget(after, before, after)] });
      };
    }
    case 'DELETE /beta/settings/{id}': {
      const before = ctx.tenant.getSetting(id) as GraphObject | undefined;
      return (response) => {
        if (!ok(response) || !before) return;
        audit.record({ activityDisplayName: 'Delete group settings', initiatedBy: by, targetResources: [settingTarget(before, before, null)] });
      };
    }
    default:
      return null;
  }
}

function stripOData(object: GraphObject): GraphObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('@odata.')));
}

/**
 * `/_emulator/audit`: the audit log's controls over HTTP, for a separate process.
 *   GET  /_emulator/audit         { controls, events }
 *   POST /_emulator/audit         { latencyMs?, access?: "granted"|"denied"|"noLicence", throttleLimit?, throttleWindowMs?, writebackPropertyName?, maxPageSize?, rejectServiceWithOr? }
 *   POST /_emulator/audit/clear   removes every event
 */
export function handleAuditControl(audit: EmulatedAuditLog, method: string, action: string, body: unknown): EmulatorResponse {
  const key = `${method} ${action}`;
  if (key === 'GET audit') return { status: 200, json: { controls: audit.controls, events: audit.all().length } };
  if (key === 'POST audit/clear') {
    audit.clear();
    return { status: 200, json: { ok: true } };
  }
  if (key !== 'POST audit') return { status: 404, json: { error: { code: 'NotFound', message: `No emulator control ${method} /_emulator/${action}.` } } };
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const invalid = (message: string): EmulatorResponse => ({ status: 400, json: { error: { code: 'InvalidInput', message } } });
  const numbers = ['latencyMs', 'throttleLimit', 'throttleWindowMs', 'maxPageSize'] as const;
  for (const name of numbers) {
    if (input[name] !== undefined && (typeof input[name] !== 'number' || !Number.isFinite(input[name]) || (input[name] as number) < 0)) return invalid(`"${name}" must be a non-negative number.`);
  }
  if (input.access !== undefined && !['granted', 'denied', 'noLicence'].includes(String(input.access))) return invalid('"access" must be granted, denied or noLicence.');
  if (input.rejectServiceWithOr !== undefined && typeof input.rejectServiceWithOr !== 'boolean') return invalid('"rejectServiceWithOr" must be true or false.');
  if (input.rejectServiceWithOr !== undefined) audit.controls.rejectServiceWithOr = input.rejectServiceWithOr as boolean;
  if (input.writebackPropertyName !== undefined && (typeof input.writebackPropertyName !== 'string' || input.writebackPropertyName.trim() === '')) return invalid('"writebackPropertyName" must be a non-empty string.');
  for (const name of numbers) if (input[name] !== undefined) audit.controls[name] = input[name] as number;
  if (input.access !== undefined) audit.controls.access = input.access as typeof audit.controls.access;
  if (input.writebackPropertyName !== undefined) audit.controls.writebackPropertyName = input.writebackPropertyName as string;
  return { status: 200, json: { controls: audit.controls } };
}
