/**
 * `local --as reader|approver`: every console request is signed in as the local developer with that app
 * role (CONSOLE_AUTH=local). Refused where App Service variables show the process runs in Azure, where only
 * App Service Authentication may say who is calling.
 */
import { readPlatformMarkers } from '../../src/config/settings';
import type { ConsoleRole } from '../../src/auth/principal';

const ROLES: Record<string, ConsoleRole> = { reader: 'Reader', approver: 'Approver' };

/** The app settings for the chosen sign-in ({} without --as). Throws an Error that says what to do. */
export function localSignInSettings(as: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  if (as === undefined) return {};
  const role = ROLES[as.trim().toLowerCase()];
  if (!role) throw new Error(`--as ${as}: give reader or approver (the app role the local developer signs in with).`);
  const markers = readPlatformMarkers(env).azureMarkers;
  if (markers.length > 0) {
    throw new Error(`--as signs a developer in without a password and is refused in Azure (${markers.join(', ')} set). There, sign-in is App Service Authentication (docs/deploy.md).`);
  }
  return { CONSOLE_AUTH: 'local', CONSOLE_LOCAL_ROLE: role };
}
