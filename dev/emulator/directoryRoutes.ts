/**
 * Tenant-wide routes: directory settings (`/beta/settings`, Graph "List settings" and directorySetting),
 * `/beta/directory/onPremisesSynchronization` (Graph "Get onPremisesDirectorySynchronization") and
 * `/beta/organization`. Missing permissions answer 403 Authorization_RequestDenied, as Graph does.
 */
import type { DirectorySetting } from './fixture';
import { tenantErrorResponse } from './groupRoutes';
import { badRequest, graphError, isResponse, notFound, type EmulatorResponse } from './odata';
import type { EmulatorPermissions, RequestContext } from './requestContext';
import { SYNTHETIC_MAIL_DOMAIN } from './syntheticTenant';

function denied(ctx: RequestContext, permission: keyof EmulatorPermissions): EmulatorResponse | null {
  if (ctx.settings.permissions[permission]) return null;
  return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

function parseValues(raw: unknown): DirectorySetting['values'] | EmulatorResponse {
  if (!Array.isArray(raw)) return badRequest("Invalid value specified for property 'values' of resource 'DirectorySetting'.");
  const values: DirectorySetting['values'] = [];
  for (const entry of raw) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { name?: unknown }).name !== 'string') {
      return badRequest("Invalid value specified for property 'values' of resource 'DirectorySetting'.");
    }
    const { name, value } = entry as { name: string; value?: unknown };
    values.push({ name, value: value === undefined || value === null ? '' : String(value) });
  }
  return values;
}

function bodyObject(ctx: RequestContext): Record<string, unknown> | EmulatorResponse {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function listSettings(ctx: RequestContext): EmulatorResponse {
  const refused = denied(ctx, 'settings');
  if (refused) return refused;
  return { status: 200, json: { '@odata.context': ctx.links.context('settings'), value: ctx.tenant.listSettings() } };
}

export function getSetting(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'settings');
  if (refused) return refused;
  const setting = ctx.tenant.getSetting(id);
  if (!setting) return notFound(id);
  return { status: 200, json: { '@odata.context': ctx.links.context('settings/$entity'), ...setting } };
}

export function createSetting(ctx: RequestContext): EmulatorResponse {
  const refused = denied(ctx, 'settings');
  if (refused) return refused;
  const body = bodyObject(ctx);
  if (isResponse(body)) return body;
  if (typeof body.templateId !== 'string' || body.templateId.trim() === '') {
    return badRequest("Invalid value specified for property 'templateId' of resource 'DirectorySetting'.");
  }
  const values = parseValues(body.values ?? []);
  if (isResponse(values)) return values;
  try {
    const setting = ctx.tenant.createSetting({
      templateId: body.templateId,
      displayName: typeof body.displayName === 'string' ? body.displayName : undefined,
      values,
    });
    return { status: 201, json: { '@odata.context': ctx.links.context('settings/$entity'), ...setting } };
  } catch (error) {
    return tenantErrorResponse(error);
  }
}

export function updateSetting(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'settings');
  if (refused) return refused;
  const body = bodyObject(ctx);
  if (isResponse(body)) return body;
  const values = body.values === undefined ? undefined : parseValues(body.values);
  if (isResponse(values)) return values;
  try {
    ctx.tenant.updateSetting(id, { values });
    return { status: 204 };
  } catch (error) {
    return tenantErrorResponse(error);
  }
}

export function deleteSetting(ctx: RequestContext, id: string): EmulatorResponse {
  const refused = denied(ctx, 'settings');
  if (refused) return refused;
  try {
    ctx.tenant.deleteSetting(id);
    return { status: 204 };
  } catch (error) {
    return tenantErrorResponse(error);
  }
}

function synchronizationObject(ctx: RequestContext, enabled: boolean): Record<string, unknown> {
  return {
    id: ctx.tenant.tenantId,
    configuration: {
      synchronizationInterval: 'PT30M',
      customerRequestedSynchronizationInterval: null,
      writebackConfiguration: { unifiedGroupContainer: null, userContainer: null },
    },
    features: {
      passwordSyncEnabled: true,
      passwordWritebackEnabled: false,
      directoryExtensionsEnabled: false,
      unifiedGroupWritebackEnabled: enabled,
      userWritebackEnabled: false,
      deviceWritebackEnabled: false,
      groupWriteBackEnabled: enabled,
      blockSoftMatchEnabled: false,
      blockCloudObjectTakeoverThroughHardMatchEnabled: false,
    },
  };
}

/** `GET /directory/onPremisesSynchronization` (collection) and `/{id}` (entity). */
export function getOnPremisesSynchronization(ctx: RequestContext, id: string | undefined): EmulatorResponse {
  const refused = denied(ctx, 'onPremSync');
  if (refused) return refused;
  const enabled = ctx.tenant.groupWritebackFeature();
  const objects = enabled === null ? [] : [synchronizationObject(ctx, enabled)];
  if (id === undefined) {
    return { status: 200, json: { '@odata.context': ctx.links.context('directory/onPremisesSynchronization'), value: objects } };
  }
  const found = objects.find((o) => String(o.id).toLowerCase() === id.toLowerCase());
  if (!found) return notFound(id);
  return { status: 200, json: { '@odata.context': ctx.links.context('directory/onPremisesSynchronization/$entity'), ...found } };
}

/** `GET /organization` (collection of one) and `/{id}`. */
export function getOrganization(ctx: RequestContext, id: string | undefined): EmulatorResponse {
  const refused = denied(ctx, 'organization');
  if (refused) return refused;
  const lastSync = ctx.tenant.lastDirectorySync();
  const organization = {
    id: ctx.tenant.tenantId,
    displayName: 'Contoso (emulated)',
    createdDateTime: '2015-01-01T00:00:00Z',
    onPremisesSyncEnabled: lastSync === null ? null : true,
    onPremisesLastSyncDateTime: lastSync,
    verifiedDomains: [{ capabilities: 'Email, OfficeCommunicationsOnline', isDefault: true, isInitial: true, name: SYNTHETIC_MAIL_DOMAIN, type: 'Managed' }],
  };
  if (id === undefined) {
    return { status: 200, json: { '@odata.context': ctx.links.context('organization'), value: [organization] } };
  }
  if (id.toLowerCase() !== organization.id) return notFound(id);
  return { status: 200, json: { '@odata.context': ctx.links.context('organization/$entity'), ...organization } };
}
