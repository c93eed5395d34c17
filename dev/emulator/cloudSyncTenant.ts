/**
 * The emulated tenant's Entra Cloud Sync configurations: service principals created from an application
 * template, each with synchronization jobs, a job schema and app role assignments. Shapes follow Microsoft's
 * published samples (Graph v1.0 servicePrincipal, synchronizationJob, synchronizationSchema, appRoleAssignment;
 * the Cloud Sync Graph how-to and the support wiki's job sample). Defined here, not taken from the product, so
 * the emulator says what Graph says.
 */
import { EmulatorError } from './errors';
import { formatGuid, hash32 } from './random';

/** Entra to AD group provisioning (third-party tooling) and AD to Entra (Microsoft's how-to). */
export const CLOUD_SYNC_GROUP_TEMPLATE_ID = 'fb81332f-3eca-4ecf-a939-4278e501d330';
export const CLOUD_SYNC_AD2AAD_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
export const GROUP_PROVISIONING_TEMPLATE = 'AAD2ADGroupProvisioning';
/** appRoleId of Cloud Sync assignments in the public cloud (Microsoft's deployment options page). */
export const CLOUD_SYNC_APP_ROLE_ID = '1a0abf4d-b9fa-4512-a3a2-51ee82c6fd9f';

/** `status.code` values (Graph synchronizationStatus). */
export type EmulatedJobStatus = 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine';
export const EMULATED_JOB_STATUSES: readonly EmulatedJobStatus[] = ['NotConfigured', 'NotRun', 'Active', 'Paused', 'Quarantine'];

/** One scoping filter clause as the schema holds it (Graph filterClause). */
export interface EmulatedFilterClause {
  operatorName: string;
  sourceOperandName: string;
  values: string[];
}

/** `selected`: no scoping filter (the assigned groups); `filter`: filter groups, OR-ed, each an AND of clauses. */
export type EmulatedScope = { kind: 'selected' } | { kind: 'filter'; groups: EmulatedFilterClause[][] };

/** The parentDistinguishedName mapping: a constant, an expression (Function), a direct attribute, or none. */
export type EmulatedContainer =
  | { kind: 'constant'; value: string }
  | { kind: 'expression'; expression: string }
  | { kind: 'attribute'; name: string }
  | { kind: 'none' };

export interface CloudSyncConfigurationInput {
  /** AD domain: the service principal's display name and the job's DomainFQDN. Default contoso.com. */
  domain?: string;
  servicePrincipalId?: string;
  applicationTemplateId?: string | null;
  /** Job id; default `AAD2ADGroupProvisioning.<hex>.<guid>` as in Microsoft's samples. */
  jobId?: string;
  templateId?: string;
  status?: EmulatedJobStatus;
  scope?: EmulatedScope;
  container?: EmulatedContainer;
  groupMappingEnabled?: boolean;
  assignedGroupIds?: readonly string[];
  /** Users assigned as well (the users preview); they are not groups and must be told apart. */
  assignedUserIds?: readonly string[];
}

interface JobState {
  id: string;
  templateId: string;
  status: EmulatedJobStatus;
  quarantineReason: string | null;
  scope: EmulatedScope;
  container: EmulatedContainer;
  groupMappingEnabled: boolean;
  lastSuccessfulExecution: string | null;
  schemaVersion: number;
}

interface ServicePrincipalState {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string | null;
  domain: string;
  jobs: JobState[];
  /** principalId → assignment, in assignment order. */
  assignments: Map<string, { id: string; principalId: string; principalType: 'Group' | 'User'; createdDateTime: string }>;
}

export class EmulatedCloudSync {
  private readonly principals = new Map<string, ServicePrincipalState>();
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a configuration (service principal + one group-provisioning job); returns its ids. */
  addConfiguration(input: CloudSyncConfigurationInput = {}): { servicePrincipalId: string; jobId: string } {
    this.counter += 1;
    const n = this.counter;
    const domain = input.domain ?? 'contoso.com';
    const id = (input.servicePrincipalId ?? formatGuid(hash32(n, 1, 0x5c), hash32(n, 2, 0x5c), hash32(n, 3, 0x5c), hash32(n, 4, 0x5c))).toLowerCase();
    if (this.principals.has(id)) throw new EmulatorError('Conflict', `Service principal ${id} already exists.`);
    const hex = formatGuid(hash32(n, 5, 0x5c), hash32(n, 6, 0x5c), hash32(n, 7, 0x5c), hash32(n, 8, 0x5c));
    const sp: ServicePrincipalState = {
      id,
      appId: formatGuid(hash32(n, 9, 0x5c), hash32(n, 10, 0x5c), hash32(n, 11, 0x5c), hash32(n, 12, 0x5c)),
      displayName: domain,
      applicationTemplateId: input.applicationTemplateId === undefined ? CLOUD_SYNC_GROUP_TEMPLATE_ID : input.applicationTemplateId,
      domain,
      jobs: [],
      assignments: new Map(),
    };
    const job: JobState = {
      id: input.jobId ?? `${GROUP_PROVISIONING_TEMPLATE}.${hex.replace(/-/g, '')}.${formatGuid(hash32(n, 13, 0x5c), hash32(n, 14, 0x5c), hash32(n, 15, 0x5c), hash32(n, 16, 0x5c))}`,
      templateId: input.templateId ?? GROUP_PROVISIONING_TEMPLATE,
      status: input.status ?? 'Active',
      quarantineReason: null,
      scope: input.scope ?? { kind: 'selected' },
      container: input.container ?? { kind: 'constant', value: `OU=CloudGroups,${dcOf(domain)}` },
      groupMappingEnabled: input.groupMappingEnabled ?? true,
      lastSuccessfulExecution: new Date(this.now() - 600_000).toISOString(),
      schemaVersion: 1,
    };
    if (job.status === 'Quarantine') job.quarantineReason = 'EncounteredQuarantineException';
    sp.jobs.push(job);
    this.principals.set(id, sp);
    this.assign(id, input.assignedGroupIds ?? [], 'Group');
    this.assign(id, input.assignedUserIds ?? [], 'User');
    return { servicePrincipalId: id, jobId: job.id };
  }

  /** Adds a job of another kind (e.g. AD2AADProvisioning) to a service principal. */
  addOtherJob(servicePrincipalId: string, templateId: string): string {
    const sp = this.principal(servicePrincipalId);
    const id = `${templateId}.${sp.appId.replace(/-/g, '')}.${sp.id}`;
    sp.jobs.push({
      id,
      templateId,
      status: 'Active',
      quarantineReason: null,
      scope: { kind: 'selected' },
      container: { kind: 'none' },
      groupMappingEnabled: true,
      lastSuccessfulExecution: null,
      schemaVersion: 1,
    });
    return id;
  }

  servicePrincipalIds(): string[] {
    return [...this.principals.keys()];
  }

  setJobStatus(jobId: string, status: EmulatedJobStatus, quarantineReason?: string | null): void {
    if (!EMULATED_JOB_STATUSES.includes(status)) throw new EmulatorError('InvalidInput', `Job status must be one of ${EMULATED_JOB_STATUSES.join(', ')}.`);
    const job = this.job(jobId);
    job.status = status;
    job.quarantineReason = status === 'Quarantine' ? (quarantineReason ?? 'EncounteredQuarantineException') : null;
  }

  setScope(jobId: string, scope: EmulatedScope): void {
    const job = this.job(jobId);
    job.scope = scope;
    job.schemaVersion += 1;
  }

  setContainer(jobId: string, container: EmulatedContainer): void {
    const job = this.job(jobId);
    job.container = container;
    job.schemaVersion += 1;
  }

  setGroupMappingEnabled(jobId: string, enabled: boolean): void {
    const job = this.job(jobId);
    job.groupMappingEnabled = enabled;
    job.schemaVersion += 1;
  }

  assign(servicePrincipalId: string, principalIds: readonly string[], principalType: 'Group' | 'User' = 'Group'): void {
    const sp = this.principal(servicePrincipalId);
    for (const raw of principalIds) {
      const principalId = raw.toLowerCase();
      if (sp.assignments.has(principalId)) continue;
      this.counter += 1;
      const id = Buffer.from(`${principalId}:${this.counter}`).toString('base64url').slice(0, 43);
      sp.assignments.set(principalId, { id, principalId, principalType, createdDateTime: new Date(this.now()).toISOString() });
    }
  }

  unassign(servicePrincipalId: string, principalIds: readonly string[]): void {
    const sp = this.principal(servicePrincipalId);
    for (const id of principalIds) sp.assignments.delete(id.toLowerCase());
  }

  // ---- Graph representations ----------------------------------------------------------------------

  /** Service principals, optionally only those of one application template. */
  listServicePrincipals(applicationTemplateId?: string): Record<string, unknown>[] {
    return [...this.principals.values()]
      .filter((sp) => applicationTemplateId === undefined || sp.applicationTemplateId?.toLowerCase() === applicationTemplateId.toLowerCase())
      .map((sp) => ({
        id: sp.id,
        accountEnabled: true,
        appDisplayName: sp.displayName,
        appId: sp.appId,
        applicationTemplateId: sp.applicationTemplateId,
        appRoleAssignmentRequired: true,
        displayName: sp.displayName,
        homepage: `https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=${GROUP_PROVISIONING_TEMPLATE}|ISV9.1|primary|z`,
        servicePrincipalType: 'Application',
        tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
      }));
  }

  hasServicePrincipal(id: string): boolean {
    return this.principals.has(id.toLowerCase());
  }

  /** Jobs of a service principal, shaped like Microsoft's list-jobs samples; undefined when it does not exist. */
  listJobs(servicePrincipalId: string): Record<string, unknown>[] | undefined {
    const sp = this.principals.get(servicePrincipalId.toLowerCase());
    return sp?.jobs.map((job) => jobJson(sp, job));
  }

  /** The job's schema: one rule, the group object mapping with its scope and attribute mappings. */
  schema(servicePrincipalId: string, jobId: string): Record<string, unknown> | undefined {
    const sp = this.principals.get(servicePrincipalId.toLowerCase());
    const job = sp?.jobs.find((j) => j.id.toLowerCase() === jobId.toLowerCase());
    if (!sp || !job) return undefined;
    return schemaJson(sp, job);
  }

  /** All app role assignments of the service principal, in assignment order (paged by the route). */
  assignments(servicePrincipalId: string): Record<string, unknown>[] | undefined {
    const sp = this.principals.get(servicePrincipalId.toLowerCase());
    if (!sp) return undefined;
    return [...sp.assignments.values()].map((a) => ({
      id: a.id,
      deletedDateTime: null,
      appRoleId: CLOUD_SYNC_APP_ROLE_ID,
      createdDateTime: a.createdDateTime,
      principalDisplayName: a.principalType === 'Group' ? `Group ${a.principalId.slice(0, 8)}` : `User ${a.principalId.slice(0, 8)}`,
      principalId: a.principalId,
      principalType: a.principalType,
      resourceDisplayName: sp.displayName,
      resourceId: sp.id,
    }));
  }

  private principal(id: string): ServicePrincipalState {
    const sp = this.principals.get(id.toLowerCase());
    if (!sp) throw new EmulatorError('NotFound', `No emulated Cloud Sync service principal ${id}.`);
    return sp;
  }

  private job(jobId: string): JobState {
    for (const sp of this.principals.values()) {
      const job = sp.jobs.find((j) => j.id.toLowerCase() === jobId.toLowerCase());
      if (job) return job;
    }
    throw new EmulatorError('NotFound', `No emulated Cloud Sync job ${jobId}.`);
  }
}

function dcOf(domain: string): string {
  return domain.split('.').map((part) => `DC=${part}`).join(',');
}

/** Paused and quarantined jobs have their schedule off, as in Microsoft's samples (state Disabled). */
function jobJson(sp: ServicePrincipalState, job: JobState): Record<string, unknown> {
  return {
    id: job.id,
    templateId: job.templateId,
    schedule: { expiration: null, interval: 'PT20M', state: job.status === 'Active' ? 'Active' : 'Disabled' },
    status: {
      countSuccessiveCompleteFailures: job.status === 'Quarantine' ? 12 : 0,
      escrowsPruned: false,
      code: job.status,
      lastExecution: job.lastSuccessfulExecution ? { activityIdentifier: null, countEntitled: 0, countExported: 0, state: 'Succeeded', timeBegan: job.lastSuccessfulExecution, timeEnded: job.lastSuccessfulExecution, error: null } : null,
      lastSuccessfulExecution: job.lastSuccessfulExecution ? { activityIdentifier: null, countEntitled: 0, countExported: 0, state: 'Succeeded', timeBegan: job.lastSuccessfulExecution, timeEnded: job.lastSuccessfulExecution, error: null } : null,
      lastSuccessfulExecutionWithExports: null,
      quarantine:
        job.status === 'Quarantine'
          ? { currentBegan: job.lastSuccessfulExecution, nextAttempt: null, reason: job.quarantineReason, seriesBegan: job.lastSuccessfulExecution, seriesCount: 1, error: null }
          : null,
      steadyStateFirstAchievedTime: '0001-01-01T00:00:00Z',
      steadyStateLastAchievedTime: '0001-01-01T00:00:00Z',
      troubleshootingUrl: '',
      progress: [],
      synchronizedEntryCountByType: [{ key: 'group to Group', value: sp.assignments.size }],
    },
    synchronizationJobSettings: [
      { name: 'Domain', value: JSON.stringify({ DomainDiscoveredAt: '2025-06-17T09:07:29.6734347Z', DomainFQDN: sp.domain, DomainNetBios: sp.domain.split('.')[0], ForestFQDN: sp.domain, ForestNetBios: sp.domain.split('.')[0] }) },
      { name: 'DomainFQDN', value: sp.domain },
    ],
  };
}

/** The default security clause Cloud Sync adds to every group filter (Microsoft's configure page). */
const SECURITY_CLAUSES: EmulatedFilterClause[] = [
  { sourceOperandName: 'securityEnabled', operatorName: 'IS TRUE', values: [] },
  { sourceOperandName: 'dirSyncEnabled', operatorName: 'IS FALSE', values: [] },
  { sourceOperandName: 'mailEnabled', operatorName: 'IS FALSE', values: [] },
];

function clauseJson(clause: EmulatedFilterClause): Record<string, unknown> {
  return { operatorName: clause.operatorName, sourceOperandName: clause.sourceOperandName, targetOperand: { values: clause.values } };
}

function mappingSource(container: EmulatedContainer): Record<string, unknown> | null {
  switch (container.kind) {
    case 'constant':
      return { expression: `"${container.value}"`, name: container.value, parameters: [], type: 'Constant' };
    case 'attribute':
      return { expression: `[${container.name}]`, name: container.name, parameters: [], type: 'Attribute' };
    case 'expression':
      return { expression: container.expression, name: container.expression.split('(')[0], parameters: [], type: 'Function' };
    case 'none':
      return null;
  }
}

function attributeMapping(target: string, source: Record<string, unknown>): Record<string, unknown> {
  return { defaultValue: null, exportMissingReferences: false, flowBehavior: 'FlowWhenChanged', flowType: 'Always', matchingPriority: 0, source, targetAttributeName: target };
}

function schemaJson(sp: ServicePrincipalState, job: JobState): Record<string, unknown> {
  const constant = (value: string): Record<string, unknown> => ({ expression: `"${value}"`, name: value, parameters: [], type: 'Constant' });
  const mappings = [
    attributeMapping('cn', { expression: 'Append(Append(Left(Trim([displayName]),51),"_"),Mid([objectId],25,12))', name: 'Append', parameters: [], type: 'Function' }),
    attributeMapping('description', { expression: 'Left(Trim([description]),448)', name: 'Left', parameters: [], type: 'Function' }),
    attributeMapping('displayName', { expression: '[displayName]', name: 'displayName', parameters: [], type: 'Attribute' }),
    attributeMapping('isSecurityGroup', constant('True')),
    attributeMapping('member', { expression: '[members]', name: 'members', parameters: [], type: 'Attribute' }),
    attributeMapping('UniversalScope', constant('True')),
    attributeMapping('msDS-ExternalDirectoryObjectId', { expression: 'Append("Group_",[objectId])', name: 'Append', parameters: [], type: 'Function' }),
  ];
  const container = mappingSource(job.container);
  if (container) mappings.splice(5, 0, attributeMapping('parentDistinguishedName', container));
  const scope =
    job.scope.kind === 'selected'
      ? null
      : {
          categoryFilterGroups: [],
          groups: job.scope.groups.map((clauses, index) => ({ clauses: [...SECURITY_CLAUSES, ...clauses].map(clauseJson), name: `Scoping filter ${index + 1}` })),
          inputFilterGroups: [],
        };
  return {
    id: job.id,
    version: `Date:2026-01-01T07:00:28.2095357Z, Revision:${job.schemaVersion}, ActivityId:${sp.appId}`,
    directories: [
      { id: `${job.id}.source`, name: 'Azure Active Directory', objects: [] },
      { id: `${job.id}.target`, name: 'Active Directory', objects: [] },
    ],
    synchronizationRules: [
      {
        editable: true,
        id: formatGuid(hash32(job.schemaVersion, 1, 0x5d), hash32(job.schemaVersion, 2, 0x5d), hash32(job.schemaVersion, 3, 0x5d), hash32(job.schemaVersion, 4, 0x5d)),
        name: job.templateId,
        priority: 0,
        sourceDirectoryName: 'Azure Active Directory',
        targetDirectoryName: 'Active Directory',
        containerFilter: { includedContainers: [] },
        groupFilter: { includedGroups: [] },
        metadata: [],
        objectMappings: [
          {
            attributeMappings: mappings,
            enabled: job.groupMappingEnabled,
            flowTypes: 'Add, Update, Delete',
            metadata: [
              { key: 'IsCustomerDefined', value: 'false' },
              { key: 'Disposition', value: '"Normal"' },
              { key: 'EscrowBehavior', value: '"Default"' },
            ],
            name: 'Provision Azure Active Directory Groups',
            scope,
            sourceObjectName: 'group',
            targetObjectName: 'group',
          },
        ],
      },
    ],
  };
}
