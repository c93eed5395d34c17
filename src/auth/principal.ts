/**
 * Who is calling: a person signed in through App Service Authentication (Microsoft Entra), or an application
 * holding an app token (a change-management system). Approvals and acknowledgements record this, never a
 * name typed into a request body.
 */

/** App roles defined on the app registration; Approver includes everything a Reader may do. */
export type ConsoleRole = 'Reader' | 'Approver';

export interface Principal {
  kind: 'user' | 'app';
  /** Entra object id (`oid` claim) of the user or of the application's service principal. */
  objectId: string;
  /** Tenant the token was issued in (`tid` claim). */
  tenantId: string;
  /** Display name (`name` claim) of the user, or the application's name when known. */
  name: string | null;
  /** The user's UPN (`preferred_username` / `upn` claim); null for applications. */
  userPrincipalName: string | null;
  /** Application (client) id (`azp` / `appid` claim) for applications; null for users. */
  appId: string | null;
  roles: ConsoleRole[];
}

/** True when the principal holds `role`; an Approver may also do what a Reader may. */
export function hasRole(principal: Principal | null | undefined, role: ConsoleRole): boolean {
  if (!principal) return false;
  return principal.roles.includes(role) || (role === 'Reader' && principal.roles.includes('Approver'));
}
