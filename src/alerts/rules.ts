/**
 * The catalog of alert rules: defined once here, cited by id in every alert, in the policy (`rules`) and in
 * docs/alerts.md (a test keeps that table equal to this file). Same shape as the findings catalog: keyed by
 * name, each rule with a stable id (WBW-A01), a title, a default severity, a rationale with its source, and
 * what an admin does about it. Alert records and the policy hold the id; code names a rule by its name.
 */
import { namedEntries, namesInIdOrder, type CatalogEntry } from '../catalog';
import type { Severity } from '../model';

/** What a rule looks at: one group's change, the tenant context of two scans, or the health of scanning. */
export type AlertRuleScope = 'group' | 'tenant' | 'scan';

interface AlertRuleSpec<Name extends string> {
  readonly id: `WBW-A${string}`;
  readonly title: string;
  readonly scope: AlertRuleScope;
  readonly defaultSeverity: Severity;
  readonly enabledByDefault: boolean;
  readonly rationale: string;
  /** `{groupId}` stands for the alerted group's id; channels fill it in (see remediationFor). */
  readonly remediation: string;
  /**
   * Rules this one replaces when both fire for the same change, so one change gives one alert about what
   * matters most (a group newly written back AS a security group is one alert, not two).
   */
  readonly supersedes?: readonly Name[];
}

const REVIEW = 'Check who changed writebackConfiguration (Entra audit log, activity "Update group") and whether it was intended';

const ALERT_RULE_SPECS = {
  groupNowWrittenBack: {
    id: 'WBW-A01',
    title: 'Group newly written back',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'The group moved into the writtenBack or legacyDefault bucket (or appeared there as a new group), so Entra Connect now creates an on-premises copy of it.',
    remediation: `${REVIEW}; to stop it: Update-MgBetaGroup -GroupId {groupId} -WritebackConfiguration @{isEnabled=$false}. Record expected changes as approvals beforehand.`,
  },
  groupNoLongerWrittenBack: {
    id: 'WBW-A02',
    title: 'Group no longer written back',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'The group left the written-back buckets. Entra Connect deletes (or stops updating) its on-premises copy, and whatever that copy granted in AD goes with it.',
    remediation: `${REVIEW}; to restore it: Update-MgBetaGroup -GroupId {groupId} -WritebackConfiguration @{isEnabled=$true}.`,
  },
  targetTypeChanged: {
    id: 'WBW-A03',
    title: 'Writeback target type changed',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'The group stays written back but as a different on-premises group type, which changes what its AD copy can be used for (distribution only, or permissions).',
    remediation: `${REVIEW}; set the intended type with Update-MgBetaGroup -GroupId {groupId} -WritebackConfiguration @{onPremisesGroupType='{type}'}.`,
  },
  nowWrittenBackAsSecurity: {
    id: 'WBW-A04',
    title: 'Group now written back as a security group',
    scope: 'group',
    defaultSeverity: 'high',
    enabledByDefault: true,
    supersedes: ['groupNowWrittenBack', 'targetTypeChanged'],
    rationale:
      'The group is now written back as universalSecurityGroup or universalMailEnabledSecurityGroup and was not before: its members can now be granted on-premises permissions (file shares, servers, applications).',
    remediation: `${REVIEW}. If only mail flow is needed, write it back as a distribution group: Update-MgBetaGroup -GroupId {groupId} -WritebackConfiguration @{onPremisesGroupType='universalDistributionGroup'}.`,
  },
  sourceOfAuthorityChanged: {
    id: 'WBW-A05',
    title: 'Source of authority changed',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'onPremisesSyncEnabled changed: the group moved between being synced from AD and being managed in the cloud, which decides whether it can be written back at all (domain rules, section 2).',
    remediation:
      'Confirm the source-of-authority change was planned (Entra Connect sync scope, or a group converted to cloud management) and that the group is written back only if it should be.',
  },
  tenantDefaultChanged: {
    id: 'WBW-A06',
    title: 'Tenant default for new Microsoft 365 groups changed',
    scope: 'tenant',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'NewUnifiedGroupWritebackDefault (Group.Unified directory setting) decides whether NEW Microsoft 365 groups are written back. It does not change existing groups, but every group created from now on follows it.',
    remediation:
      'Check the Group.Unified directory setting (GET /beta/settings) and the audit log; set NewUnifiedGroupWritebackDefault back if the change was not intended.',
  },
  writebackFeatureChanged: {
    id: 'WBW-A07',
    title: 'Tenant group writeback feature switched',
    scope: 'tenant',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'features.groupWriteBackEnabled (GET /beta/directory/onPremisesSynchronization) turns group writeback on or off for the whole tenant, whatever each group says.',
    remediation: 'Confirm the change with whoever runs Entra Connect; switched on, every group in the written-back buckets starts to reach AD.',
  },
  newHighSeverityFinding: {
    id: 'WBW-A08',
    title: 'New high-severity finding',
    scope: 'group',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'The group gained a finding the findings catalog rates high (docs/findings.md), e.g. a role-assignable group written back, or a Public Microsoft 365 group written back as a security group.',
    remediation: 'Follow the remediation of the finding named in the alert (docs/findings.md).',
  },
  writtenBackGroupDeleted: {
    id: 'WBW-A09',
    title: 'Written-back group deleted in the cloud',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'A group that was written back no longer appears in /groups. Entra Connect removes its on-premises copy, and with it any permissions the copy granted in AD.',
    remediation:
      'If the deletion was a mistake, restore the group from deleted items within 30 days (Restore-MgDirectoryDeletedItem) before the next sync cycle removes the AD copy.',
  },
  onPremisesGroupTypeReset: {
    id: 'WBW-A10',
    title: 'onPremisesGroupType reset to null',
    scope: 'group',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'Graph does not let onPremisesGroupType return to null once it is set (microsoftgraph/msgraph-metadata issue 332), so a value→null transition between scans is suspicious: the configuration was changed by a route Graph does not offer, or the group was restored or re-created.',
    remediation: 'Compare the group in Graph Explorer (GET /beta/groups/{groupId}) with the previous scan and the audit log; re-apply the intended writebackConfiguration.',
  },
  expectationViolated: {
    id: 'WBW-A11',
    title: 'Group breaks a policy expectation',
    scope: 'group',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'The alert policy states how matching groups should be written back (bucket, target type); this group changed and now breaks that expectation. Each violation alerts once, when it first appears.',
    remediation: 'Bring the group back in line with the expectation named in the alert, or change the policy if the expectation is out of date.',
  },
  scanFailed: {
    id: 'WBW-A12',
    title: 'Scan failed',
    scope: 'scan',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale: 'A failed scan leaves the tenant unwatched until the next one: changes made meanwhile are seen late.',
    remediation: 'Read the reason in the alert (throttling, missing Graph permission, storage); fix it and start a scan from the HTTP API or the CLI rather than waiting for the next night.',
  },
  scanMissed: {
    id: 'WBW-A13',
    title: 'No scan completed in time',
    scope: 'scan',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'No scan completed within ALERT_MISSED_SCAN_HOURS: the timer did not run, or every run failed. Alerts once per missed window.',
    remediation: 'Check the function app is running and its timer trigger is enabled; look at the latest scans and their failure reasons, and at Application Insights.',
  },
  writtenBackGroupRenamed: {
    id: 'WBW-A14',
    title: 'Written-back group renamed',
    scope: 'group',
    defaultSeverity: 'info',
    enabledByDefault: false,
    rationale:
      'A group that is written back changed its display name; its AD copy follows on the next sync. Renames are routine, so this rule is off unless the policy turns it on.',
    remediation: 'None needed unless the name is used by on-premises scripts or ACL reviews.',
  },
  massChange: {
    id: 'WBW-A15',
    title: 'Mass writeback change',
    scope: 'group',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'More groups would alert in one night than the policy\'s massChange share allows: one summary alert (counts per rule, first examples) replaces the individual alerts so a bulk change cannot flood every channel.',
    remediation: 'Open the diff report linked in the alert; a bulk change is usually a script or a policy change in Entra, so find it in the audit log.',
  },
  cloudSyncJobStopped: {
    id: 'WBW-A16',
    title: 'Cloud Sync job quarantined or paused',
    scope: 'tenant',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'A Cloud Sync group-provisioning job went into quarantine (status.code Quarantine: many or critical errors, e.g. expired credentials) or was paused since the previous scan. Its groups keep their AD copies but changes, new groups and removals no longer reach AD (Graph synchronizationStatus).',
    remediation:
      'Open the configuration in the Entra admin center (Entra Connect > Cloud Sync), read the quarantine reason and the provisioning logs, fix the cause (agent, credentials, AD permissions) and restart the job; or confirm the pause was planned.',
  },
  cloudSyncScopeChanged: {
    id: 'WBW-A17',
    title: 'Cloud Sync scope changed',
    scope: 'tenant',
    defaultSeverity: 'high',
    enabledByDefault: true,
    rationale:
      'The scope of a Cloud Sync group-provisioning job changed (selected groups, all groups, or its attribute scoping filter): a different set of cloud security groups is now provisioned to AD, and groups that fall out of a filter are deprovisioned (Graph filter resource).',
    remediation: 'Compare the scope before and after in the alert with the change record; check the Entra audit log for the configuration change and the provisioning logs for groups created or deleted in AD.',
  },
  cloudSyncAssignmentChanged: {
    id: 'WBW-A18',
    title: 'Group assigned to or unassigned from Cloud Sync',
    scope: 'tenant',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'With "selected security groups", the groups assigned to the configuration\'s service principal are the ones provisioned to AD (appRoleAssignedTo). An assignment creates an AD group; an unassignment stops updating (or removes) it. Nested member groups are not provisioned unless assigned themselves.',
    remediation: 'Check the assigned or unassigned groups listed in the alert against the change record; the Entra audit log shows who changed the assignments ("Add app role assignment grant to group").',
  },
  cloudSyncContainerChanged: {
    id: 'WBW-A19',
    title: 'Cloud Sync target container changed',
    scope: 'tenant',
    defaultSeverity: 'medium',
    enabledByDefault: true,
    rationale:
      'The parentDistinguishedName mapping of a Cloud Sync job changed: groups it provisions from now on land in another AD container (OU), where other GPOs and delegations apply.',
    remediation: 'Confirm the new container with the AD team, and that its delegations and GPOs fit groups written from the cloud.',
  },
} as const satisfies Record<string, AlertRuleSpec<string>>;

export type AlertRuleName = keyof typeof ALERT_RULE_SPECS;
/** The published rule ids, WBW-A01 to WBW-A19: what alert records and the policy's `rules` hold. */
export type AlertRuleId = (typeof ALERT_RULE_SPECS)[AlertRuleName]['id'];

export interface AlertRuleDefinition extends CatalogEntry<AlertRuleId, AlertRuleName>, Omit<AlertRuleSpec<AlertRuleName>, 'id' | 'supersedes'> {
  /** By id, as alerts carry them. */
  readonly supersedes?: readonly AlertRuleId[];
}

// Typed again so that a `supersedes` entry that names no rule fails to compile here.
const SPECS: Readonly<Record<AlertRuleName, AlertRuleSpec<AlertRuleName>>> = ALERT_RULE_SPECS;
const NAMED_SPECS = namedEntries(SPECS);

/** The rules by name: how code refers to one rule (`ALERT_RULES.massChange.id`). */
export const ALERT_RULES: Readonly<Record<AlertRuleName, AlertRuleDefinition>> = Object.freeze(
  Object.fromEntries(
    Object.values(NAMED_SPECS).map((spec) => {
      const supersedes = spec.supersedes?.map((name) => NAMED_SPECS[name].id as AlertRuleId);
      const { supersedes: _names, ...rest } = spec;
      return [spec.name, Object.freeze({ ...rest, id: spec.id as AlertRuleId, ...(supersedes ? { supersedes } : {}) })];
    }),
  ) as Record<AlertRuleName, AlertRuleDefinition>,
);

const BY_ID: ReadonlyMap<string, AlertRuleDefinition> = new Map(Object.values(ALERT_RULES).map((rule) => [rule.id, rule]));

/** Rule ids in catalog order. */
export const ALERT_RULE_IDS: readonly AlertRuleId[] = Object.freeze(namesInIdOrder(ALERT_RULES).map((name) => ALERT_RULES[name].id));

/** The rule an alert record or the policy cites by id. */
export function alertRuleById(id: AlertRuleId): AlertRuleDefinition {
  return BY_ID.get(id)!;
}

/** The rule's remediation with the group id filled in, for a message about one group. */
export function remediationFor(ruleId: AlertRuleId, groupId: string | null): string {
  const text = alertRuleById(ruleId).remediation;
  return groupId ? text.replaceAll('{groupId}', groupId) : text;
}

export function isAlertRuleId(value: string): value is AlertRuleId {
  return BY_ID.has(value);
}
