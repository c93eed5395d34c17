/**
 * Public types shared by every stage: Graph → classify → store → diff → report/alert.
 * Shapes follow shared domain rules (docs/classification.md) and the Graph beta `group` resource.
 */

/** A group as Graph beta returns it with our `$select`. Every field may be missing on sparse objects. */
export interface GraphGroup {
  id: string;
  displayName?: string | null;
  description?: string | null;
  groupTypes?: string[] | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  mail?: string | null;
  mailNickname?: string | null;
  visibility?: string | null;
  isAssignableToRole?: boolean | null;
  resourceProvisioningOptions?: string[] | null;
  onPremisesSyncEnabled?: boolean | null;
  createdDateTime?: string | null;
  membershipRule?: string | null;
  writebackConfiguration?: {
    isEnabled?: boolean | null;
    onPremisesGroupType?: string | null;
  } | null;
  [extra: string]: unknown;
}

export type GroupKind = 'microsoft365' | 'security' | 'mailEnabledSecurity' | 'distribution' | 'unknown';

/** `onPremisesSyncEnabled`: true = synced from AD, false = was synced, now cloud-managed, null = cloud-born. */
export type SourceOfAuthority = 'onPremises' | 'cloudFormerlySynced' | 'cloud';

export type Bucket = 'writtenBack' | 'legacyDefault' | 'notWrittenBack';

export const ON_PREMISES_GROUP_TYPES = [
  'universalDistributionGroup',
  'universalSecurityGroup',
  'universalMailEnabledSecurityGroup',
] as const;
export type OnPremisesGroupType = (typeof ON_PREMISES_GROUP_TYPES)[number];

export type ReasonCode =
  | 'syncedFromOnPremises'
  | 'unsupportedGroupKind'
  | 'disabled'
  | 'enabledDefaultTarget'
  | 'enabled'
  | 'legacyDefault'
  | 'enabledByDefault'
  | 'securityDefaultOff'
  // Connect Sync group writeback v1 (docs/classification.md, "Connect Sync v1").
  | 'v1Enabled'
  | 'v1IgnoresIsEnabled'
  | 'v1Microsoft365Only'
  // Cloud Sync group provisioning to AD (docs/classification.md, "Cloud Sync").
  | 'cloudSyncProvisioned'
  | 'cloudSyncNoLongerUpdated'
  | 'cloudSyncNotEligible'
  | 'cloudSyncNoJob'
  | 'cloudSyncJobNotRun'
  | 'cloudSyncCreatedAfterLastRun'
  | 'cloudSyncGroupMappingDisabled'
  | 'cloudSyncNotAssigned'
  | 'cloudSyncOutOfFilterScope'
  | 'cloudSyncIndeterminate'
  | 'cloudSyncUnknown'
  /** WRITEBACK_ENGINES=none: no engine is assumed to run. */
  | 'noEngine';

export type Severity = 'high' | 'medium' | 'low' | 'info';

/**
 * Finding names, as stored on each group of a snapshot; the catalog (published id such as WBW-F01, title,
 * severity, rationale, remediation) lives in src/classify/findings.ts.
 */
export type FindingName =
  | 'roleAssignableWrittenBack'
  | 'publicGroupWrittenBackAsSecurity'
  | 'dynamicGroupWrittenBackAsSecurity'
  | 'invalidTargetForSecurityGroup'
  | 'unknownOnPremisesGroupType'
  | 'memberCountOverWritebackLimit'
  | 'portalShowsNoWriteback'
  | 'securityDefaultDisputed'
  | 'unknownGroupKind'
  | 'writtenBackByTwoEngines'
  | 'securityWritebackIntentNotCarriedOver'
  | 'cloudSyncAssignedButIneligible'
  | 'cloudSyncJobNotUpdating'
  | 'cloudSyncContainerNotConstant'
  | 'v1IgnoresSecurityTargetType';

export interface GroupFlags {
  dynamic: boolean;
  roleAssignable: boolean;
  team: boolean;
  /** Raw Graph visibility (Public, Private, HiddenMembership) or null. */
  visibility: string | null;
}

/** Raw Graph values kept for display and for change detection. */
export interface RawWritebackValues {
  isEnabled: boolean | null;
  /** As Graph sent it (casing preserved). */
  onPremisesGroupType: string | null;
  /** Normalised to camelCase when recognised, else null. */
  onPremisesGroupTypeNormalized: OnPremisesGroupType | null;
  onPremisesSyncEnabled: boolean | null;
  securityEnabled: boolean | null;
  mailEnabled: boolean | null;
  groupTypes: string[];
  /**
   * Kept so a stored scan can be re-classified (what-if) against Cloud Sync scoping filters. Absent on rows
   * stored before they were kept: a filter on them is then indeterminate, never false.
   */
  description?: string | null;
  mailNickname?: string | null;
}

/** One engine's verdict: a bucket, or `unknown` (data missing) / `indeterminate` (a scope clause the product cannot evaluate). */
export type EngineVerdictValue = Bucket | 'unknown' | 'indeterminate';

export interface EngineVerdict {
  verdict: EngineVerdictValue;
  targetType: OnPremisesGroupType | null;
  reason: ReasonCode;
  /** Cloud Sync: the AD domain (job's DomainFQDN) the group is provisioned into. */
  domain?: string | null;
  /** Cloud Sync: the target container's distinguished name, or the mapping's expression when it is not a constant. */
  container?: string | null;
  /** What decided it when the reason alone does not say: the clause that cannot be evaluated, the job, the expression. */
  detail?: string | null;
}

export type EngineVerdicts = Partial<Record<WritebackEngine, EngineVerdict>>;

export interface ClassifiedGroup {
  id: string;
  displayName: string | null;
  mail: string | null;
  createdDateTime: string | null;
  kind: GroupKind;
  sourceOfAuthority: SourceOfAuthority;
  flags: GroupFlags;
  bucket: Bucket;
  effectiveTargetType: OnPremisesGroupType | null;
  reason: ReasonCode;
  findings: FindingName[];
  /** True when the Entra portal labels the group "No writeback" although it is written back (rows 6, 7). */
  portalShowsNoWriteback: boolean;
  /** Member count when fetched (writeback-enabled groups, when enabled by setting), else null. */
  memberCount: number | null;
  raw: RawWritebackValues;
  /**
   * The verdict of each engine assumed (WRITEBACK_ENGINES); bucket, effectiveTargetType and reason above are
   * their combination (docs/classification.md, "Combining the engines").
   */
  engines: EngineVerdicts;
}

/** Tenant-wide signals recorded with every scan. `null` means unknown (permission missing or not read). */
export interface TenantContext {
  /** Effective value of NewUnifiedGroupWritebackDefault (missing/empty means true). */
  newUnifiedGroupWritebackDefault: boolean;
  /** The raw string from the Group.Unified setting, or null when the setting or entry is missing. */
  newUnifiedGroupWritebackDefaultRaw: string | null;
  /** Where the effective value came from. */
  newUnifiedGroupWritebackDefaultSource: 'setting' | 'settingMissing' | 'entryMissing' | 'emptyValue';
  /** `features.groupWriteBackEnabled` from /directory/onPremisesSynchronization, null when unknown. */
  groupWritebackFeatureEnabled: boolean | null;
  /**
   * Why groupWritebackFeatureEnabled is null, in words an admin can act on (Graph serves the flags to delegated
   * callers only); null when it was read. Null in scans stored before this field existed.
   */
  groupWritebackFeatureUnknownReason: string | null;
  /** `onPremisesLastSyncDateTime` from /organization, null when unknown or never synced. */
  lastDirectorySyncDateTime: string | null;
  /**
   * What the scan read of Cloud Sync before classifying (src/graph/cloudSyncReader.ts); null or absent in scans
   * stored before it was read.
   */
  cloudSync?: CloudSyncContext | null;
}

/** `retired`: deleted by retention, its record kept (hidden) until the rows only it could read are gone. */
export type ScanStatus = 'running' | 'complete' | 'failed' | 'retired';
export type ScanTrigger = 'timer' | 'http' | 'cli' | 'local';

export type BucketCounts = Record<Bucket, number>;

export interface ScanCounts {
  total: number;
  byBucket: BucketCounts;
  byKind: Record<GroupKind, number>;
  /** bucket → kind → count */
  byBucketAndKind: Record<Bucket, Record<GroupKind, number>>;
  byFinding: Partial<Record<FindingName, number>>;
  bySeverity: Record<Severity, number>;
  /** The engines the verdicts assume (WRITEBACK_ENGINES; empty = none). Absent on scans made before: connectSyncV2. */
  engines?: WritebackEngine[];
  /**
   * With connectSyncV2 assumed: groups not written back now that Connect Sync would write back if it fell back
   * to v1 (what disabling v2 does). Absent when v2 is not assumed.
   */
  newlyWrittenBackUnderV1?: number;
}

export interface ScanRecord {
  id: string;
  tenantId: string;
  trigger: ScanTrigger;
  status: ScanStatus;
  startedAt: Date;
  finishedAt: Date | null;
  counts: ScanCounts;
  tenantContext: TenantContext | null;
  pages: number;
  retries: number;
  /** Why the scan failed, in words an admin can act on. */
  error: string | null;
  /** `full` pages through every group; `delta` applies Graph's changes since `baseScanId` to that snapshot. */
  mode: ScanMode;
  baseScanId: string | null;
}

export type ScanMode = 'full' | 'delta';

/** Change types between two scans of one tenant (a group can carry several). */
export type ChangeType =
  | 'added'
  | 'removed'
  | 'bucketChanged'
  | 'targetChanged'
  | 'configChanged'
  | 'kindChanged'
  | 'sourceOfAuthorityChanged'
  | 'renamed'
  | 'findingsChanged'
  /** An engine's verdict, target, domain or container changed (the combined bucket may not have). */
  | 'engineVerdictChanged';

export interface GroupChange {
  groupId: string;
  /** Name after the change (before, for removed groups). */
  displayName: string | null;
  types: ChangeType[];
  before: ClassifiedGroup | null;
  after: ClassifiedGroup | null;
  /** Findings present after but not before, and the reverse. */
  findingsAdded: FindingName[];
  findingsRemoved: FindingName[];
  /** Set when a live approval covers this change (filled by the alerts stage). */
  approvalId?: string | null;
  /** Who made the change, from the Entra audit log, when it was looked up (src/attribution/). */
  attribution?: ChangeAttribution | null;
}

export interface TenantContextChange {
  field: keyof TenantContext;
  before: unknown;
  after: unknown;
}

export interface DiffSummary {
  fromScanId: string;
  toScanId: string;
  tenantId: string;
  fromStartedAt: Date;
  toStartedAt: Date;
  groupsBefore: number;
  groupsAfter: number;
  changedGroups: number;
  byType: Record<ChangeType, number>;
  tenantChanges: TenantContextChange[];
  /** Changes of the Cloud Sync configuration between the two scans (empty when either did not read it). */
  cloudSyncChanges: CloudSyncChange[];
}

/** What changed in a Cloud Sync group-provisioning configuration between two scans. */
export type CloudSyncChangeKind =
  /** The context's status (read / notConfigured / unknown) changed, e.g. a permission was taken away. */
  | 'contextStatusChanged'
  | 'jobAdded'
  | 'jobRemoved'
  /** `status.code` changed (Active, Paused, Quarantine ...). */
  | 'jobStatusChanged'
  /** `schedule.state` changed. */
  | 'jobScheduleChanged'
  /** The job entered or left quarantine, or its quarantine reason changed. */
  | 'jobQuarantineChanged'
  /** The group object mapping was enabled or disabled. */
  | 'groupMappingChanged'
  | 'scopeModeChanged'
  | 'scopeFilterChanged'
  | 'groupsAssigned'
  | 'groupsUnassigned'
  | 'containerChanged';

export interface CloudSyncChange {
  kind: CloudSyncChangeKind;
  /** Null for contextStatusChanged. */
  jobId: string | null;
  servicePrincipalId: string | null;
  configurationName: string | null;
  /** The value before and after, as text an admin reads (null = none / unknown). */
  before: string | null;
  after: string | null;
  /** groupsAssigned / groupsUnassigned: how many groups, and their ids (at most CLOUD_SYNC_CHANGE_MAX_IDS). */
  groupCount?: number;
  groupIds?: string[];
}

/**
 * The writeback engines a tenant can run (docs/classification.md, one table per engine). Connect Sync's
 * version is stated by the admin (WRITEBACK_ENGINES); Cloud Sync is discovered through Graph.
 */
export type WritebackEngine = 'connectSyncV2' | 'connectSyncV1' | 'cloudSync';

/** One Cloud Sync group-provisioning (Entra to AD) job, as recorded in a scan's tenant context. */
export interface CloudSyncJob {
  servicePrincipalId: string;
  /** The configuration's display name (service principal displayName), for reports. */
  configurationName: string | null;
  jobId: string;
  templateId: string;
  /** `synchronizationJobSettings` DomainFQDN: the AD domain the job provisions into. */
  domain: string | null;
  /** `status.code`: NotConfigured, NotRun, Active, Paused, Quarantine (raw Graph value). */
  statusCode: string | null;
  /** `schedule.state`: Active, Disabled, Paused (raw Graph value). */
  scheduleState: string | null;
  quarantined: boolean;
  /** `status.quarantine.reason` when quarantined. */
  quarantineReason: string | null;
  /** `status.lastSuccessfulExecution.timeEnded`, ISO text, or null. */
  lastSuccessfulRun: string | null;
  /** Whether the group object mapping of the schema is enabled (false = the job provisions no groups). */
  groupMappingEnabled: boolean;
  scope: CloudSyncScope;
  /** Target container: the `parentDistinguishedName` mapping. */
  container: CloudSyncContainer;
  /**
   * Group ids assigned to the job's service principal (appRoleAssignedTo, principalType Group), sorted.
   * Only read (and only meaningful) when the scope is `selectedGroups`; null when it could not be read.
   */
  assignedGroupIds: string[] | null;
}

/** A clause of a scoping filter, as Graph's schema states it (`sourceAttributeName`, `operatorName`, `targetOperand`). */
export interface CloudSyncScopeClause {
  sourceAttributeName: string;
  operatorName: string;
  values: string[];
}

export type CloudSyncScope =
  /** Only the groups assigned to the service principal are in scope. */
  | { mode: 'selectedGroups' }
  /** Every cloud security group is in scope. */
  | { mode: 'allGroups' }
  /** Scoping filters: a group is in scope when every clause of at least one filter group holds (groups OR-ed, clauses AND-ed). */
  | { mode: 'attributeFilter'; filterGroups: CloudSyncScopeClause[][] };

export type CloudSyncContainer =
  | { kind: 'constant'; distinguishedName: string }
  /** No mapping: Cloud Sync's documented default, CN=Users of the job's domain. */
  | { kind: 'default'; distinguishedName: string | null }
  /** Not a constant: shown as the expression (a finding). */
  | { kind: 'expression'; expression: string };

/** What a scan learnt about Cloud Sync. `unknown` is never read as "not provisioned". */
export interface CloudSyncContext {
  status: 'read' | 'unknown' | 'notConfigured';
  /** Why the status is unknown, in words an admin can act on (e.g. the missing permission and the request refused). */
  unknownReason: string | null;
  /** Application permissions whose absence made something unknown (Synchronization.Read.All, Application.Read.All). */
  missingPermissions: string[];
  jobs: CloudSyncJob[];
}

/**
 * Who made a change, from the Entra audit log (docs/attribution.md). Every status is a statement about the
 * lookup, never about the change: only `confirmed` and `candidate` name an actor.
 */
export type AttributionStatus =
  /** An event of the right activity on this group whose changed properties name the change. */
  | 'confirmed'
  /** An event of the right activity on this group in the window, without a recognised property. */
  | 'candidate'
  /** The window is fully queryable and holds no such event. */
  | 'notFound'
  /** Part of the window is younger than the audit latency grace: looked up again on the next runs. */
  | 'pending'
  /** The window is older than the tenant's audit retention. */
  | 'agedOut'
  /** Graph refused the audit log (AuditLog.Read.All not granted). */
  | 'noPermission'
  /** Graph refused the audit log for the tenant's licence. */
  | 'noLicence'
  /** The lookup was throttled or failed this run (or its request budget was spent): retried on the next run. */
  | 'throttled';

/** Who started an audited activity, with the identifiers Graph gave. */
export interface AuditActor {
  kind: 'user' | 'app' | 'entraConnect' | 'exchangeDualWrite' | 'unknown';
  /** One line for people: `Ada Lovelace <ada@contoso.com>`, `Provisioner (app 1f0e…)`, `Entra Connect sync`. */
  display: string;
  displayName: string | null;
  userId: string | null;
  userPrincipalName: string | null;
  ipAddress: string | null;
  appId: string | null;
  servicePrincipalId: string | null;
}

/** One audit event kept for a change (stored, because the audit log ages out). */
export interface AttributedEvent {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  correlationId: string | null;
  loggedByService: string | null;
  result: string | null;
  initiator: AuditActor;
  /** `confirmed`: a changed property names the change; `candidate`: the activity fits, the properties do not say. */
  match: 'confirmed' | 'candidate';
  /** Names of the changed properties, from modifiedProperties and "Included Updated Properties". */
  changedProperties: string[];
  /** The group target's modifiedProperties as Graph sent them (JSON text, capped). */
  modifiedProperties: string;
}

export interface ChangeAttribution {
  status: AttributionStatus;
  /** The audit window queried: the earlier scan's start minus skew to the later scan's finish plus skew (capped at now). */
  window: { from: string; to: string };
  /** The headline actor: the latest matching event not after the later scan read the group. */
  actor: AuditActor | null;
  /** When the headline event happened. */
  changedAt: string | null;
  /** Matching events, newest first (confirmed before candidates), capped. */
  events: AttributedEvent[];
  /** What the status means for this change, in words an admin can act on. */
  note: string;
  checkedAt: string;
  /** Lookups made so far (pending and throttled ones are retried). */
  attempts: number;
}
