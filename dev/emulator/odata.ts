/**
 * The OData side of the emulator: query options, Graph-shaped responses and errors.
 * Graph facts used here: on beta the `$` prefix of query options is optional and names are
 * case-insensitive; `$top` on directory collections is 1-999 (400 Request_UnsupportedQuery
 * "Invalid page size specified" otherwise); `$count` needs `ConsistencyLevel: eventual`; errors are
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */
import { canonicalGroupProperty } from './groupShape';

/** What a route handler answers; the server turns it into bytes (and may fault it). */
export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON (already a string = sent verbatim as JSON). */
  json?: unknown;
  /** Sent as text/plain (e.g. `$count`). */
  text?: string;
  /** Graph error; the server adds innerError with the request ids and date. */
  error?: { code: string; message: string };
  /** Set on successful collection pages, for stats. */
  page?: { kind: 'groups' | 'delta'; items: number };
}

export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): EmulatorResponse {
  return { status, error: { code, message }, headers };
}

export const badRequest = (message: string): EmulatorResponse => graphError(400, 'Request_BadRequest', message);
export const unsupportedQuery = (message: string): EmulatorResponse => graphError(400, 'Request_UnsupportedQuery', message);
export const notFound = (id: string): EmulatorResponse =>
  graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export interface QueryOptions {
  /** Canonical property names with `id` first, or null when no `$select` was given. */
  select: string[] | null;
  top: number | null;
  skiptoken: string | null;
  deltatoken: string | null;
  count: boolean;
  filter: string | null;
}

const OPTION_NAMES = ['select', 'top', 'skiptoken', 'deltatoken', 'count', 'filter', 'orderby', 'search', 'expand', 'skip'] as const;
type OptionName = (typeof OPTION_NAMES)[number];

/** Reads OData options from a URL; unknown options are ignored, as Graph ignores unknown parameters. */
export function readQueryOptions(url: URL): Map<OptionName, string> {
  const options = new Map<OptionName, string>();
  for (const [rawName, value] of url.searchParams) {
    const name = rawName.toLowerCase().replace(/^\$/, '') as OptionName;
    if ((OPTION_NAMES as readonly string[]).includes(name)) options.set(name, value);
  }
  return options;
}

/** Parses and validates `$select` against the group resource; returns an error response when invalid. */
export function parseSelect(raw: string | undefined): string[] | null | EmulatorResponse {
  if (raw === undefined) return null;
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) return null;
  const select = ['id'];
  for (const name of names) {
    const canonical = canonicalGroupProperty(name);
    if (!canonical) return badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.group'.`);
    if (!select.includes(canonical)) select.push(canonical);
  }
  return select;
}

export function parseTop(raw: string | undefined): number | null | EmulatorResponse {
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw.trim())) return badRequest(`Invalid value '${raw}' for query option '$top'.`);
  const top = Number(raw.trim());
  if (top < 1 || top > 999) {
    return unsupportedQuery(`Invalid page size specified: '${raw.trim()}'. Must be between 1 and 999 inclusive.`);
  }
  return top;
}

export function isResponse(value: unknown): value is EmulatorResponse {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'status' in value;
}

/** Base of absolute links (`@odata.nextLink`, `@odata.context`): real Graph, or the emulator itself. */
export class LinkBuilder {
  constructor(private readonly origin: string) {}

  /** `<origin>/beta/<path>?<params>`; params are written raw (tokens are base64url, names plain). */
  link(path: string, params: [string, string][], version = 'beta'): string {
    const query = params.map(([name, value]) => `${name}=${encodeQueryValue(value)}`).join('&');
    return `${this.origin}/${version}/${path}${query ? `?${query}` : ''}`;
  }

  context(fragment: string, version = 'beta'): string {
    return `${this.origin}/${version}/$metadata#${fragment}`;
  }
}

/** Encodes a query value but keeps the characters Graph leaves readable in its links (`,` `$` `'`). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%24/g, '$').replace(/%27/g, "'");
}

export function selectFragment(collection: string, select: string[] | null): string {
  return select ? `${collection}(${select.join(',')})` : collection;
}
