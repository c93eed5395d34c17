/** What every route handler gets: the parsed request and the emulator's state. */
import type { IncomingHttpHeaders } from 'node:http';
import type { LinkBuilder } from './odata';
import type { EmulatedTenant } from './tenant';

/** Which optional Graph permissions the emulated app has; a missing one answers 403. */
export interface EmulatorPermissions {
  /** OnPremDirectorySynchronization.Read.All, for /directory/onPremisesSynchronization. Default true. */
  onPremSync: boolean;
  /** Organization.Read.All (or Directory.Read.All), for /organization. Default true. */
  organization: boolean;
  /** Directory.Read.All, for /settings. Default true. */
  settings: boolean;
  /** Synchronization.Read.All, for Cloud Sync jobs and their schema. Default true. */
  synchronization: boolean;
  /** Application.Read.All, for service principals and their app role assignments. Default true. */
  applications: boolean;
}

export interface RouteSettings {
  permissions: EmulatorPermissions;
  /** Delta tokens older than this answer 410 syncStateNotFound. */
  deltaTokenMaxAgeMs: number;
  /** Most items per delta page (Graph ignores `$top` on group delta; `Prefer: odata.maxpagesize` can lower it). */
  deltaPageSize: number;
  /** Properties left out of changed groups in delta rounds after the first (partial representations). */
  deltaOmitFromChanges: readonly string[];
  /** Most positions one groups page looks at; a long run of deleted groups then yields an empty page with a nextLink. */
  pageScanLimit: number;
}

export interface RequestContext {
  method: string;
  url: URL;
  /** Path segments after `/beta` (or `/v1.0`), decoded, original case. */
  segments: string[];
  /** The Graph version the request named. */
  version: 'beta' | 'v1.0';
  headers: IncomingHttpHeaders;
  /** Parsed JSON body for POST/PATCH (undefined when none). */
  body: unknown;
  tenant: EmulatedTenant;
  links: LinkBuilder;
  settings: RouteSettings;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
