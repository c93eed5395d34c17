/**
 * A stand-in for sign-in that only code in this process can use: the local host (given a principal by
 * `local --as` or a test) attaches the principal to a console request under this symbol, and the HTTP
 * translation reads it. No header, query or body can reach it, and nothing in Azure sets it; the real
 * sign-in reads App Service Authentication's principal instead.
 */
import type { ConsoleRole, Principal } from '../auth/principal';

export const TEST_CONSOLE_PRINCIPAL: unique symbol = Symbol.for('writeback-watch.testConsolePrincipal') as never;

/** The principal attached to a request object, if any. */
export function attachedTestPrincipal(request: object): Principal | null {
  return (request as { [TEST_CONSOLE_PRINCIPAL]?: Principal })[TEST_CONSOLE_PRINCIPAL] ?? null;
}

export function attachTestPrincipal(request: object, principal: Principal): void {
  Object.defineProperty(request, TEST_CONSOLE_PRINCIPAL, { value: principal, enumerable: false });
}

/**
 * The local developer signed in with one role: fixed ids that are no object of any real tenant (not a v4 GUID),
 * so what they approve reads the same on every run.
 */
export function localPrincipal(role: ConsoleRole, tenantId: string): Principal {
  return {
    kind: 'user',
    objectId: '00000000-0000-0000-0000-00000000d0e1',
    tenantId: tenantId.toLowerCase(),
    name: `Local developer (${role})`,
    userPrincipalName: 'developer@localhost',
    appId: null,
    roles: [role],
  };
}
