/**
 * Who is calling a console route (/api/console/...), decided once per request before any handler runs.
 *
 * Easy Auth's principal headers are trusted only when BOTH this app's setting says so (CONSOLE_AUTH=entra,
 * which infra/ sets together with authsettingsV2) AND the platform says App Service Authentication is on
 * (WEBSITE_AUTH_ENABLED, injected by App Service). Easy Auth removes client-sent X-MS-CLIENT-PRINCIPAL*
 * headers only where it runs; anywhere else anyone could type them. Function-key routes never call this.
 *
 * CONSOLE_AUTH=local signs every console request in as a fixed developer principal and ignores the headers
 * altogether; it is refused where an App Service variable shows the process runs in Azure.
 */
import { WritebackWatchError } from '../errors';
import type { Settings } from '../config/settings';
import { hasRole, type ConsoleRole, type Principal } from './principal';
import { parseClientPrincipal, type HeaderReader } from './clientPrincipal';

/** The local developer's object id: fixed, recognisable, and no object in any real tenant (not a v4 GUID). */
export const LOCAL_DEVELOPER_OBJECT_ID = '00000000-0000-0000-0000-00000000d0e1';
export const LOCAL_DEVELOPER_UPN = 'developer@localhost';

export type ConsoleAuthSettings = Pick<Settings, 'tenantId' | 'console' | 'platform'>;

/** The signed-in local developer (CONSOLE_AUTH=local), in the tenant the app watches (the emulated one locally). */
export function localDeveloperPrincipal(tenantId: string, role: ConsoleRole): Principal {
  return {
    kind: 'user',
    objectId: LOCAL_DEVELOPER_OBJECT_ID,
    tenantId: tenantId.toLowerCase(),
    name: `Local developer (${role})`,
    userPrincipalName: LOCAL_DEVELOPER_UPN,
    appId: null,
    roles: [role],
  };
}

/**
 * The caller of a console route, or a thrown Unauthenticated (401) / Forbidden (403) error that says what to
 * do. Roles are not checked here (requireRole does, per route): a principal with no console role is
 * still a principal, and the console can tell them which role to ask for.
 */
export function authenticateConsole(headers: HeaderReader, settings: ConsoleAuthSettings): Principal {
  switch (settings.console.auth) {
    case 'off':
      throw new WritebackWatchError(
        'Unauthenticated',
        'The console needs sign-in, which is off for this app (CONSOLE_AUTH=off). Turn on App Service Authentication as docs/deploy.md describes, or run it locally with `local --as reader`.',
      );
    case 'local':
      if (settings.platform.azureMarkers.length > 0) {
        throw new WritebackWatchError(
          'Unauthenticated',
          `CONSOLE_AUTH=local signs in a developer without a password and is refused in Azure (${settings.platform.azureMarkers.join(', ')} set). Set CONSOLE_AUTH=entra with App Service Authentication (docs/deploy.md).`,
        );
      }
      return localDeveloperPrincipal(settings.tenantId, settings.console.localRole);
    case 'entra':
      if (!settings.platform.appServiceAuthEnabled) {
        throw new WritebackWatchError(
          'Unauthenticated',
          'CONSOLE_AUTH=entra, but App Service Authentication is not on for this app (the platform does not set WEBSITE_AUTH_ENABLED=true), so no sign-in can be trusted. Deploy infra/ with entraClientId set (docs/deploy.md).',
        );
      }
      return parseClientPrincipal(headers, { allowedTenantId: settings.tenantId });
  }
}

/**
 * Checks that the request's principal holds `role` (Approver includes Reader). Throws Unauthenticated
 * without a principal and Forbidden without the role; returns the principal for recording.
 */
export function requireRole(principal: Principal | null | undefined, role: ConsoleRole): Principal {
  if (!principal) throw new WritebackWatchError('Unauthenticated', 'Not signed in. Sign in at /.auth/login/aad and try again.');
  if (!hasRole(principal, role)) {
    const who = principal.userPrincipalName ?? principal.name ?? principal.appId ?? principal.objectId;
    const held = principal.roles.length ? `holds ${principal.roles.join(', ')}` : 'holds no role of this app';
    throw new WritebackWatchError(
      'Forbidden',
      `${who} ${held}; this needs the ${role} role. An admin assigns it in Entra: Enterprise applications > Writeback Watch console > Users and groups.`,
    );
  }
  return principal;
}
