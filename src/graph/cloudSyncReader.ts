/**
 * Reads a tenant's Entra Cloud Sync "group provisioning to AD" configuration through Graph v1.0 (the
 * synchronization API is GA there), with the same transport, retries and budget as the group pages:
 *
 *   1. the configurations: service principals created from the Cloud Sync application templates, plus those
 *      named by CLOUD_SYNC_SERVICE_PRINCIPAL_IDS (Application.Read.All);
 *   2. their synchronization jobs, keeping the group-provisioning ones (Synchronization.Read.All);
 *   3. each job's schema, for the group object mapping: enabled, scope, parentDistinguishedName;
 *   4. for a "selected groups" scope, the groups assigned to the service principal (appRoleAssignedTo, every
 *      page; Application.Read.All).
 *
 * The permissions are optional: a 403 makes the context `unknown`, naming the permission and the request, and
 * the scan goes on. Sources: docs/cloud-sync.md.
 */
import type { CloudSyncContainer, CloudSyncContext, CloudSyncJob, CloudSyncScope, CloudSyncScopeClause } from '../model';
import { errorMessage } from '../errors';
import { GraphRequestError } from './graphError';
import type { GraphTransport } from './graphTransport';

/**
 * Application templates Cloud Sync configurations are created from: Entra to AD group provisioning (seen in
 * third-party tooling, not in Microsoft's docs) and AD to Entra, whose service principal can carry an
 * Entra-to-AD job as well (Microsoft's Cloud Sync Graph how-to).
 */
export const CLOUD_SYNC_APPLICATION_TEMPLATE_IDS = ['fb81332f-3eca-4ecf-a939-4278e501d330', '1a4721b3-e57f-4451-ae87-ef078703ec94'] as const;

/** Job template (and job id prefix) of Cloud Sync group provisioning to AD. */
export const GROUP_PROVISIONING_JOB_PREFIX = 'AAD2ADGroupProvisioning';

export const SYNCHRONIZATION_READ_ALL = 'Synchronization.Read.All';
export const APPLICATION_READ_ALL = 'Application.Read.All';

/** The clause Cloud Sync adds to every group scoping filter by itself (Microsoft's Entra-to-AD configure page). */
const DEFAULT_SECURITY_CLAUSE: readonly (readonly [string, string])[] = [
  ['securityEnabled', 'IS TRUE'],
  ['dirSyncEnabled', 'IS FALSE'],
  ['mailEnabled', 'IS FALSE'],
];

const ASSIGNMENT_PAGE_SIZE = 999;
const VERSION = { version: 'v1.0' } as const;

// Graph's shapes, as far as they are read here (Graph v1.0 servicePrincipal, synchronizationJob,
// synchronizationSchema, appRoleAssignment resources).
interface ODataPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}
interface GraphServicePrincipal {
  id?: string;
  displayName?: string | null;
}
interface GraphSynchronizationJob {
  id?: string;
  templateId?: string | null;
  schedule?: { state?: string | null; interval?: string | null } | null;
  status?: {
    code?: string | null;
    quarantine?: { reason?: string | null; currentBegan?: string | null } | null;
    lastSuccessfulExecution?: { timeEnded?: string | null } | null;
  } | null;
  synchronizationJobSettings?: { name?: string | null; value?: string | null }[] | null;
}
interface GraphAttributeMappingSource {
  type?: string | null;
  name?: string | null;
  expression?: string | null;
}
interface GraphObjectMapping {
  enabled?: boolean | null;
  sourceObjectName?: string | null;
  targetObjectName?: string | null;
  scope?: { groups?: { clauses?: GraphFilterClause[] | null }[] | null } | null;
  attributeMappings?: { targetAttributeName?: string | null; source?: GraphAttributeMappingSource | null }[] | null;
}
interface GraphFilterClause {
  operatorName?: string | null;
  sourceOperandName?: string | null;
  targetOperand?: { values?: (string | null)[] | null } | null;
}
interface GraphSynchronizationSchema {
  synchronizationRules?: { objectMappings?: GraphObjectMapping[] | null }[] | null;
}
interface GraphAppRoleAssignment {
  principalId?: string | null;
  principalType?: string | null;
}

/** A request Graph refused for a missing permission. */
interface Refusal {
  permission: string;
  request: string;
  detail: string;
}

export class CloudSyncReader {
  constructor(
    private readonly transport: GraphTransport,
    private readonly options: { servicePrincipalIds: readonly string[] },
  ) {}

  /**
   * The tenant's Cloud Sync context. Throws only for what would fail the scan anyway (retry budget spent,
   * network gone); a refused or missing resource makes the context `unknown` instead.
   */
  async readContext(signal?: AbortSignal): Promise<CloudSyncContext> {
    const refusals: Refusal[] = [];
    const problems: string[] = [];
    // 403: the optional permission is missing. Another refusal (400, or 404 for anything but a named service
    // principal) is Graph not answering this optional question: unknown, said why, never a failed scan. 401 and
    // what the transport gave up on (throttling, network) fail the scan as they would for a group page.
    const refused = (permission: string, request: string) => (error: unknown): null => {
      // A retry budget spent on throttling carries the last status (429) too: that one fails the scan.
      const status = error instanceof GraphRequestError && error.code === 'GraphRequestFailed' ? error.statusCode : null;
      if (status === 403) refusals.push({ permission, request, detail: errorMessage(error) });
      else if (typeof status === 'number' && status >= 400 && status < 500 && status !== 401 && status !== 429 && !(status === 404 && request.endsWith('/synchronization/jobs'))) {
        problems.push(`Graph answered ${request} with HTTP ${status} (${errorMessage(error)})`);
      } else throw error;
      return null;
    };

    const discovered = await Promise.all(
      CLOUD_SYNC_APPLICATION_TEMPLATE_IDS.map((templateId) =>
        this.listAll<GraphServicePrincipal>(
          `/servicePrincipals?$filter=applicationTemplateId eq '${templateId}'&$select=id,displayName,applicationTemplateId`,
          `Listing Cloud Sync configurations (application template ${templateId})`,
          signal,
        ).catch(refused(APPLICATION_READ_ALL, 'GET /servicePrincipals?$filter=applicationTemplateId eq …')),
      ),
    );
    const principals = new Map<string, string | null>();
    for (const sp of discovered.flat()) if (sp?.id) principals.set(sp.id.toLowerCase(), sp.displayName ?? null);
    for (const id of this.options.servicePrincipalIds) if (!principals.has(id)) principals.set(id, null);

    const jobs: CloudSyncJob[] = [];
    for (const [servicePrincipalId, configurationName] of principals) {
      const base = `/servicePrincipals/${encodeURIComponent(servicePrincipalId)}`;
      let listed: GraphSynchronizationJob[] | null;
      try {
        listed = await this.listAll<GraphSynchronizationJob>(`${base}/synchronization/jobs`, `Reading the synchronization jobs of service principal ${servicePrincipalId}`, signal).catch(
          refused(SYNCHRONIZATION_READ_ALL, `GET /servicePrincipals/${servicePrincipalId}/synchronization/jobs`),
        );
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        problems.push(`service principal ${servicePrincipalId} (CLOUD_SYNC_SERVICE_PRINCIPAL_IDS) does not exist in this tenant`);
        continue;
      }
      for (const job of (listed ?? []).filter(isGroupProvisioningJob)) {
        const jobPath = `${base}/synchronization/jobs/${encodeURIComponent(job.id!)}`;
        const schema = await this.transport
          .getJson<GraphSynchronizationSchema>(`${jobPath}/schema`, `Reading the schema of Cloud Sync job ${job.id}`, { ...VERSION, signal })
          .catch(refused(SYNCHRONIZATION_READ_ALL, `GET /servicePrincipals/${servicePrincipalId}/synchronization/jobs/${job.id}/schema`));
        if (!schema) continue; // the job is not recorded half-read; the context is unknown and says why
        const recorded = cloudSyncJob(servicePrincipalId, configurationName, job, schema);
        if (recorded.scope.mode === 'selectedGroups') {
          const assignments = await this.listAll<GraphAppRoleAssignment>(
            `${base}/appRoleAssignedTo?$select=principalId,principalType&$top=${ASSIGNMENT_PAGE_SIZE}`,
            `Reading the groups assigned to Cloud Sync configuration ${configurationName ?? servicePrincipalId}`,
            signal,
          ).catch(refused(APPLICATION_READ_ALL, `GET /servicePrincipals/${servicePrincipalId}/appRoleAssignedTo`));
          recorded.assignedGroupIds = assignments === null ? null : assignedGroupIds(assignments);
        }
        jobs.push(recorded);
      }
    }
    jobs.sort((a, b) => a.servicePrincipalId.localeCompare(b.servicePrincipalId) || a.jobId.localeCompare(b.jobId));

    const missingPermissions = [...new Set(refusals.map((r) => r.permission))].sort();
    if (refusals.length > 0 || problems.length > 0) {
      const reasons = [
        ...missingPermissions.map(
          (permission) =>
            `Graph refused ${refusals.filter((r) => r.permission === permission).map((r) => r.request)[0]} (HTTP 403): grant the application permission ${permission} (scripts/grant-graph-permissions.ps1 -IncludeCloudSync)`,
        ),
        ...problems,
      ];
      return { status: 'unknown', unknownReason: `Cloud Sync could not be read completely: ${reasons.join('; ')}.`, missingPermissions, jobs };
    }
    return { status: jobs.length > 0 ? 'read' : 'notConfigured', unknownReason: null, missingPermissions: [], jobs };
  }

  /** Every item of a collection, following @odata.nextLink to the last page. */
  private async listAll<T>(path: string, what: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let link: string | null = path;
    for (let page = 1; link; page += 1) {
      const body: ODataPage<T> = await this.transport.getJson<ODataPage<T>>(link, page === 1 ? what : `${what}, page ${page}`, { ...VERSION, signal });
      if (!Array.isArray(body.value)) throw new GraphRequestError('GraphRequestFailed', `${what}: Graph's answer has no "value" array.`);
      items.push(...body.value);
      link = body['@odata.nextLink'] ?? null;
    }
    return items;
  }
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof GraphRequestError && error.statusCode === status;
}

/** Microsoft's own examples show a job id prefix and a templateId that differ, so either may carry the name. */
export function isGroupProvisioningJob(job: GraphSynchronizationJob): boolean {
  const prefix = GROUP_PROVISIONING_JOB_PREFIX.toLowerCase();
  return typeof job.id === 'string' && (job.id.toLowerCase().startsWith(prefix) || (job.templateId ?? '').toLowerCase().startsWith(prefix));
}

/** The job as the scan records it; assignments are filled in by the reader. */
export function cloudSyncJob(servicePrincipalId: string, configurationName: string | null, job: GraphSynchronizationJob, schema: GraphSynchronizationSchema): CloudSyncJob {
  const domain = jobDomain(job);
  const mapping = groupObjectMapping(schema);
  const statusCode = job.status?.code ?? null;
  return {
    servicePrincipalId,
    configurationName,
    jobId: job.id!,
    templateId: job.templateId ?? '',
    domain,
    statusCode,
    scheduleState: job.schedule?.state ?? null,
    quarantined: statusCode?.toLowerCase() === 'quarantine' || Boolean(job.status?.quarantine),
    quarantineReason: job.status?.quarantine?.reason ?? null,
    lastSuccessfulRun: job.status?.lastSuccessfulExecution?.timeEnded ?? null,
    groupMappingEnabled: mapping?.enabled === true,
    scope: scopeOf(mapping),
    container: containerOf(mapping, domain),
    assignedGroupIds: null,
  };
}

/** `DomainFQDN` from the job's settings, or from the `Domain` setting's JSON (the support wiki's sample has both). */
function jobDomain(job: GraphSynchronizationJob): string | null {
  const settings = job.synchronizationJobSettings ?? [];
  const fqdn = settings.find((s) => s.name?.toLowerCase() === 'domainfqdn')?.value;
  if (fqdn) return fqdn;
  const domain = settings.find((s) => s.name?.toLowerCase() === 'domain')?.value;
  if (!domain) return null;
  try {
    const parsed = JSON.parse(domain) as { DomainFQDN?: unknown; domain?: unknown };
    const value = parsed.DomainFQDN ?? parsed.domain;
    return typeof value === 'string' && value ? value : null;
  } catch {
    return null;
  }
}

/** The mapping of Entra groups to AD groups (Microsoft: "for now you can assume there's only one rule"). */
function groupObjectMapping(schema: GraphSynchronizationSchema): GraphObjectMapping | null {
  for (const rule of schema.synchronizationRules ?? []) {
    for (const mapping of rule.objectMappings ?? []) {
      if (mapping.sourceObjectName?.toLowerCase() === 'group' && mapping.targetObjectName?.toLowerCase() === 'group') return mapping;
    }
  }
  return null;
}

/**
 * Graph exposes no "All / Selected security groups" flag for this job (docs/cloud-sync.md). Scoping filters
 * exist only with "All": filters beyond Cloud Sync's own security clause make an attribute filter, the security
 * clause alone makes "all groups", and no filter means the assigned groups are the scope.
 */
function scopeOf(mapping: GraphObjectMapping | null): CloudSyncScope {
  const groups = (mapping?.scope?.groups ?? []).map((group) => (group.clauses ?? []).map(clauseOf)).filter((clauses) => clauses.length > 0);
  if (groups.length === 0) return { mode: 'selectedGroups' };
  const beyondDefault = groups.map((clauses) => clauses.filter((clause) => !isDefaultSecurityClause(clause)));
  if (beyondDefault.some((clauses) => clauses.length === 0)) return { mode: 'allGroups' }; // one filter group is only the security clause
  return { mode: 'attributeFilter', filterGroups: groups };
}

function clauseOf(clause: GraphFilterClause): CloudSyncScopeClause {
  return {
    sourceAttributeName: clause.sourceOperandName ?? '',
    operatorName: clause.operatorName ?? '',
    values: (clause.targetOperand?.values ?? []).filter((v): v is string => typeof v === 'string'),
  };
}

function isDefaultSecurityClause(clause: CloudSyncScopeClause): boolean {
  return DEFAULT_SECURITY_CLAUSE.some(
    ([attribute, operator]) => clause.sourceAttributeName.toLowerCase() === attribute.toLowerCase() && clause.operatorName.toUpperCase() === operator,
  );
}

/** The `parentDistinguishedName` mapping: a constant, or anything else shown as its expression. */
function containerOf(mapping: GraphObjectMapping | null, domain: string | null): CloudSyncContainer {
  const source = (mapping?.attributeMappings ?? []).find((m) => m.targetAttributeName?.toLowerCase() === 'parentdistinguishedname')?.source;
  if (!source) return { kind: 'default', distinguishedName: domain ? `CN=Users,${domain.split('.').map((part) => `DC=${part}`).join(',')}` : null };
  if (source.type?.toLowerCase() === 'constant') {
    const value = source.name ?? unquote(source.expression);
    if (value) return { kind: 'constant', distinguishedName: value };
  }
  const expression = source.expression ?? (source.type?.toLowerCase() === 'attribute' && source.name ? `[${source.name}]` : source.name ?? '');
  return { kind: 'expression', expression };
}

function unquote(expression: string | null | undefined): string | null {
  if (!expression) return null;
  const match = /^"(.*)"$/s.exec(expression.trim());
  return match ? match[1]!.replace(/""/g, '"') : expression;
}

/** Group principals only (users can be assigned too, in the users preview); sorted and without duplicates. */
function assignedGroupIds(assignments: GraphAppRoleAssignment[]): string[] {
  const ids = new Set<string>();
  for (const a of assignments) if (a.principalType?.toLowerCase() === 'group' && a.principalId) ids.add(a.principalId.toLowerCase());
  return [...ids].sort();
}
