/**
 * Reads the Entra directory audit log: `GET /v1.0/auditLogs/directoryAudits` (the activity logs answer on v1.0;
 * Microsoft's reporting prerequisites say beta is not supported for them). Same transport as the group pages
 * (retries, Retry-After), plus a pacer for this API's own quota and a page budget per night, so the lookup is
 * bounded in requests and time. Filters use only the operators the directoryAudit page documents.
 */
import { WritebackWatchError } from '../errors';
import type { GraphTransport } from './graphTransport';
import type { RequestPacer } from './requestPacer';

/** A directoryAudit record as Graph returns it (every field may be missing or null). */
export interface DirectoryAudit {
  id?: string | null;
  category?: string | null;
  correlationId?: string | null;
  result?: string | null;
  resultReason?: string | null;
  activityDisplayName?: string | null;
  activityDateTime?: string | null;
  loggedByService?: string | null;
  operationType?: string | null;
  initiatedBy?: {
    user?: { id?: string | null; displayName?: string | null; userPrincipalName?: string | null; ipAddress?: string | null } | null;
    app?: { appId?: string | null; displayName?: string | null; servicePrincipalId?: string | null; servicePrincipalName?: string | null } | null;
  } | null;
  targetResources?: AuditTarget[] | null;
  additionalDetails?: { key?: string | null; value?: string | null }[] | null;
}

export interface AuditTarget {
  id?: string | null;
  displayName?: string | null;
  /** Graph writes `type`; its own v1.0 sample writes `Type`. */
  type?: string | null;
  Type?: string | null;
  groupType?: string | null;
  modifiedProperties?: { displayName?: string | null; oldValue?: string | null; newValue?: string | null }[] | null;
}

export interface AuditWindow {
  from: Date;
  to: Date;
}

/** Core Directory activities of a group's lifecycle and properties (Entra audit activity reference). */
export const GROUP_ACTIVITIES = ['Add group', 'Update group', 'Delete group', 'Hard Delete group', 'Restore group'] as const;

/**
 * Activities that may log a change of the Group.Unified directory setting or the tenant's writeback feature.
 * Which one does is not documented (tenant settings may log as "company settings"), so all are read.
 */
export const SETTING_ACTIVITIES = [
  'Create group settings',
  'Update group settings',
  'Delete group settings',
  'Create company settings',
  'Update company settings',
  'Delete company settings',
  'Set DirSync feature',
  'Set directory feature on tenant',
] as const;

const SELECT = [
  'id',
  'activityDateTime',
  'activityDisplayName',
  'category',
  'correlationId',
  'initiatedBy',
  'loggedByService',
  'operationType',
  'result',
  'resultReason',
  'targetResources',
  'additionalDetails',
].join(',');

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
/** Date literals are unquoted ISO 8601 UTC. */
const instant = (date: Date): string => date.toISOString();

function timeClause(window: AuditWindow): string {
  return `activityDateTime ge ${instant(window.from)} and activityDateTime le ${instant(window.to)}`;
}

function activityClause(activities: readonly string[]): string {
  return `(${activities.map((name) => `activityDisplayName eq ${quote(name)}`).join(' or ')})`;
}

/**
 * The nightly query: every group activity of Core Directory in the window. Whether Graph takes the service clause
 * together with an `or` list is not documented; `withService: false` leaves it to the matcher, which checks it too.
 */
export function groupActivityFilter(window: AuditWindow, options: { withService?: boolean } = {}): string {
  const service = options.withService === false ? '' : " and loggedByService eq 'Core Directory'";
  return `${timeClause(window)}${service} and ${activityClause(GROUP_ACTIVITIES)}`;
}

/** The small second query, made only when the tenant's writeback default or feature changed. */
export function settingActivityFilter(window: AuditWindow): string {
  return `${timeClause(window)} and loggedByService eq 'Core Directory' and ${activityClause(SETTING_ACTIVITIES)}`;
}

/** The fallback when the nightly query needs more pages than allowed: one group's events in the window. */
export function groupTargetFilter(window: AuditWindow, groupId: string): string {
  return `${timeClause(window)} and targetResources/any(t: t/id eq ${quote(groupId)})`;
}

export function directoryAuditsPath(filter: string): string {
  return `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}&$select=${SELECT}&$top=999`;
}

export interface AuditQueryResult {
  events: DirectoryAudit[];
  /** False when the page budget ran out before the last page. */
  complete: boolean;
}

export class AuditLogReader {
  /** Requests made so far against the night's budget. */
  requests = 0;

  constructor(
    private readonly transport: GraphTransport,
    private readonly pacer: RequestPacer,
    private readonly options: { maxRequests: number; signal?: AbortSignal },
  ) {}

  get remainingRequests(): number {
    return Math.max(0, this.options.maxRequests - this.requests);
  }

  /** Every page of one query, following @odata.nextLink, until the last page, `maxPages` or the request budget. */
  async query(filter: string, what: string, maxPages = Number.POSITIVE_INFINITY): Promise<AuditQueryResult> {
    const events: DirectoryAudit[] = [];
    let link: string | null = directoryAuditsPath(filter);
    let page = 0;
    while (link) {
      if (this.remainingRequests === 0 || page >= maxPages) return { events, complete: false };
      page += 1;
      this.requests += 1;
      await this.pacer.acquire(this.options.signal);
      const body: { value?: DirectoryAudit[]; '@odata.nextLink'?: string } = await this.transport.getJson(
        link,
        `Reading page ${page} of the audit log (${what})`,
        { signal: this.options.signal },
      );
      if (!Array.isArray(body.value)) {
        throw new WritebackWatchError('GraphRequestFailed', `Page ${page} of the audit log (${what}) has no "value" array.`);
      }
      events.push(...body.value);
      link = body['@odata.nextLink'] ?? null;
    }
    return { events, complete: true };
  }
}
