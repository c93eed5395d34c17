/**
 * `/beta/groups` routes: list (with `$select`, `$top`, `$skiptoken`, `$count`), get, create, update,
 * delete and `members/$count`. Paging is by position in the tenant's stable order, so one page costs
 * O(page size) whatever the tenant size, and groups added or deleted mid-scan never shift others.
 */
import type { GraphGroup } from './groupShape';
import { isEmulatorError } from './errors';
import { canonicalGroupProperty, isKnownOnPremisesGroupType, projectGroup } from './groupShape';
import {
  badRequest,
  graphError,
  isResponse,
  notFound,
  parseSelect,
  parseTop,
  readQueryOptions,
  selectFragment,
  unsupportedQuery,
  type EmulatorResponse,
} from './odata';
import { header, type RequestContext } from './requestContext';
import { decodeListToken, encodeToken } from './tokens';

/** Graph's default page size for directory collections. */
export const DEFAULT_PAGE_SIZE = 100;

const UNSUPPORTED_OPTIONS = ['orderby', 'search', 'expand', 'skip'] as const;

function hasEventualConsistency(ctx: RequestContext): boolean {
  return header(ctx.headers, 'consistencylevel')?.trim().toLowerCase() === 'eventual';
}

/** Maps tenant errors (NotFound / InvalidInput / Conflict) to Graph error responses. */
export function tenantErrorResponse(error: unknown): EmulatorResponse {
  if (isEmulatorError(error)) {
    if (error.code === 'NotFound') return graphError(404, 'Request_ResourceNotFound', error.message);
    if (error.code === 'InvalidInput') return badRequest(error.message);
    if (error.code === 'Conflict') return badRequest(error.message);
  }
  throw error;
}

export function listGroups(ctx: RequestContext): EmulatorResponse {
  const options = readQueryOptions(ctx.url);
  const filter = options.get('filter');
  if (filter !== undefined) {
    // Filtering on writebackConfiguration is not documented (domain rules §6); the scanner filters client-side.
    const property = /writebackconfiguration/i.test(filter) ? 'writebackConfiguration' : 'the requested property';
    return unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${property}' of resource 'Group'.`);
  }
  for (const name of UNSUPPORTED_OPTIONS) {
    if (options.has(name)) return unsupportedQuery(`The query option '$${name}' is not supported by this emulator.`);
  }
  const select = parseSelect(options.get('select'));
  if (isResponse(select)) return select;
  const top = parseTop(options.get('top'));
  if (isResponse(top)) return top;
  const count = options.get('count')?.toLowerCase() === 'true';
  if (count && !hasEventualConsistency(ctx)) return badRequest('$count is not currently supported.');

  let start = 0;
  const skiptoken = options.get('skiptoken');
  if (skiptoken !== undefined) {
    const token = decodeListToken(skiptoken);
    if (!token) return badRequest('The specified page token value is invalid.');
    start = token.p;
  }

  const pageSize = top ?? DEFAULT_PAGE_SIZE;
  const { groups, next } = ctx.tenant.readPage(start, pageSize, ctx.settings.pageScanLimit);
  // Like Graph, a full page always carries a nextLink, so a tenant whose size is a multiple of the
  // page size ends with an empty page; a scan cut short by pageScanLimit also continues.
  const more = groups.length === pageSize || next < ctx.tenant.positionCount();

  const body: Record<string, unknown> = { '@odata.context': ctx.links.context(selectFragment('groups', select)) };
  if (count) body['@odata.count'] = ctx.tenant.groupCount();
  if (more) {
    const params: [string, string][] = [];
    const rawSelect = options.get('select');
    if (rawSelect !== undefined) params.push(['$select', rawSelect]);
    if (top !== null) params.push(['$top', String(top)]);
    if (count) params.push(['$count', 'true']);
    params.push(['$skiptoken', encodeToken({ k: 'l', p: next })]);
    body['@odata.nextLink'] = ctx.links.link('groups', params);
  }
  body.value = groups.map((group) => projectGroup(group, select));
  return { status: 200, json: body, page: { kind: 'groups', items: groups.length } };
}

export function getGroup(ctx: RequestContext, id: string): EmulatorResponse {
  const select = parseSelect(readQueryOptions(ctx.url).get('select'));
  if (isResponse(select)) return select;
  const group = ctx.tenant.getGroup(id);
  if (!group) return notFound(id);
  return {
    status: 200,
    json: { '@odata.context': ctx.links.context(`${selectFragment('groups', select)}/$entity`), ...projectGroup(group, select) },
  };
}

/**
 * The request body as group properties. Unknown properties are refused as Graph refuses them;
 * annotations such as `owners@odata.bind` are accepted and not stored (the emulator keeps no members).
 */
function groupBody(body: unknown): Record<string, unknown> | EmulatorResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return badRequest('The request body must be a JSON object.');
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.includes('@')) continue;
    if (canonicalGroupProperty(key) !== key) {
      return badRequest(`Property '${key}' does not exist on type 'microsoft.graph.group'.`);
    }
    fields[key] = value;
  }
  return fields;
}

const invalidValue = (property: string): EmulatorResponse =>
  badRequest(`Invalid value specified for property '${property}' of resource 'Group'.`);

function checkWriteback(body: Record<string, unknown>): EmulatorResponse | null {
  const wb = body.writebackConfiguration;
  if (wb === undefined) return null;
  if (typeof wb !== 'object' || wb === null || Array.isArray(wb)) return invalidValue('writebackConfiguration');
  const { isEnabled, onPremisesGroupType } = wb as Record<string, unknown>;
  if (isEnabled !== undefined && isEnabled !== null && typeof isEnabled !== 'boolean') return invalidValue('isEnabled');
  if (onPremisesGroupType !== undefined && onPremisesGroupType !== null) {
    if (typeof onPremisesGroupType !== 'string' || !isKnownOnPremisesGroupType(onPremisesGroupType)) {
      return invalidValue('onPremisesGroupType');
    }
  }
  return null;
}

export function createGroup(ctx: RequestContext): EmulatorResponse {
  const body = groupBody(ctx.body);
  if (isResponse(body)) return body;
  // Required by POST /groups (Graph "Create group"): displayName, mailEnabled, mailNickname, securityEnabled.
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '') return invalidValue('displayName');
  if (typeof body.mailNickname !== 'string' || body.mailNickname.trim() === '') return invalidValue('mailNickname');
  if (typeof body.mailEnabled !== 'boolean') return invalidValue('mailEnabled');
  if (typeof body.securityEnabled !== 'boolean') return invalidValue('securityEnabled');
  const writebackError = checkWriteback(body);
  if (writebackError) return writebackError;
  const { id: _ignoredId, ...fields } = body;
  try {
    const group = ctx.tenant.createGroup(fields as Partial<GraphGroup>);
    return { status: 201, json: { '@odata.context': ctx.links.context('groups/$entity'), ...group } };
  } catch (error) {
    return tenantErrorResponse(error);
  }
}

export function updateGroup(ctx: RequestContext, id: string): EmulatorResponse {
  const body = groupBody(ctx.body);
  if (isResponse(body)) return body;
  for (const readOnly of ['id', 'createdDateTime', 'deletedDateTime', 'renewedDateTime']) {
    if (readOnly in body) return badRequest(`Property '${readOnly}' is read-only and cannot be set.`);
  }
  if (!ctx.tenant.hasGroup(id)) return notFound(id);
  const writebackError = checkWriteback(body);
  if (writebackError) return writebackError;
  try {
    ctx.tenant.updateGroup(id, body as Partial<GraphGroup>);
    return { status: 204 };
  } catch (error) {
    return tenantErrorResponse(error);
  }
}

export function deleteGroup(ctx: RequestContext, id: string): EmulatorResponse {
  if (!ctx.tenant.hasGroup(id)) return notFound(id);
  // DELETE /groups/{id} is a soft delete: the group can be restored for 30 days, which delta reports
  // as @removed reason "changed" (Graph docs, "Use delta query to track changes").
  ctx.tenant.deleteGroup(id, { reason: 'changed' });
  return { status: 204 };
}

export function countMembers(ctx: RequestContext, id: string): EmulatorResponse {
  if (!hasEventualConsistency(ctx)) return badRequest('$count is not currently supported.');
  const count = ctx.tenant.memberCount(id);
  if (count === undefined) return notFound(id);
  return { status: 200, text: String(count) };
}
