/**
 * The catalog of findings and reason codes: defined once here, cited by id in reports, alerts and
 * docs/findings.md (a test keeps that table in step with this file). In the style of compliance scanners,
 * every finding has a stable id (WBW-F01), a title, a severity, a rationale with its source, and a
 * remediation line. Entries are keyed by name, the value stored on each group of a snapshot.
 */
import { namedEntries, namesInIdOrder, type CatalogEntry } from '../catalog';
import type { FindingName, ReasonCode, Severity } from '../model';
import { compareSeverity } from './vocabulary';

interface FindingSpec {
  readonly id: `WBW-F${string}`;
  readonly title: string;
  readonly severity: Severity;
  /** Why it matters. */
  readonly rationale: string;
  /** Where the rule comes from (documentation page, issue). */
  readonly source: string;
  /** What an admin does about it. */
  readonly remediation: string;
}

export interface ReasonDefinition {
  readonly title: string;
  /** One sentence, shown next to every group in reports. */
  readonly explanation: string;
}

/** Member limits of Entra Connect group writeback (how-to-connect-group-writeback-v2). */
export const MEMBER_LIMITS = Object.freeze({
  microsoft365: 50_000,
  /** When the "Out to AD – Group Writeback Member Limit" sync rule is disabled (how-to-connect-modify-group-writeback). */
  microsoft365WithoutLimitRule: 250_000,
  security: 250_000,
});

const DISABLE_WRITEBACK = 'Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$false}';

const FINDING_SPECS = {
  roleAssignableWrittenBack: {
    id: 'WBW-F01',
    title: 'Role-assignable group written back',
    severity: 'high',
    rationale:
      'A role-assignable group holds or can be given Entra directory roles. Writing it back mirrors a privileged cloud group into AD, where its on-premises copy can be changed or abused by anyone with rights on the writeback OU.',
    source: 'Graph group resource (isAssignableToRole); Entra docs how-to-connect-group-writeback-v2 (security groups can be written back)',
    remediation: `Stop writeback unless the on-premises copy is required: ${DISABLE_WRITEBACK}. If it is required, protect the writeback OU like other Tier 0 objects.`,
  },
  publicGroupWrittenBackAsSecurity: {
    id: 'WBW-F02',
    title: 'Public Microsoft 365 group written back as a security group',
    severity: 'high',
    rationale:
      'Anyone in the tenant can join a Public Microsoft 365 group without approval. Written back as a security type, joining it grants on-premises permissions.',
    source: 'Graph group resource (visibility); Graph groupWritebackConfiguration resource (onPremisesGroupType values for Microsoft 365 groups)',
    remediation:
      "Make the group Private (Update-MgGroup -GroupId $groupId -Visibility Private), or write it back as a distribution group (Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{onPremisesGroupType='universalDistributionGroup'}).",
  },
  dynamicGroupWrittenBackAsSecurity: {
    id: 'WBW-F03',
    title: 'Dynamic group written back as a security group',
    severity: 'medium',
    rationale:
      'Membership of a dynamic group follows a rule on user or device attributes. Written back as a security type, whoever can change those attributes gains on-premises permissions.',
    source: 'Entra docs how-to-connect-group-writeback-v2 (groups with dynamic membership can be written back)',
    remediation: `Review the membership rule and who can edit the attributes it uses; if on-premises access should not follow it, write the group back as a distribution group or stop writeback: ${DISABLE_WRITEBACK}.`,
  },
  invalidTargetForSecurityGroup: {
    id: 'WBW-F04',
    title: 'Security group configured with a target type it cannot have',
    severity: 'medium',
    rationale:
      'Security groups can only be written back as universalSecurityGroup; any other configured type is ignored, so the configuration says something that does not happen.',
    source: 'Graph groupWritebackConfiguration resource ("Microsoft Entra security groups can be written back as universalSecurityGroup"); Entra docs groups-write-back-portal',
    remediation:
      "Set the supported type: Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$true; onPremisesGroupType='universalSecurityGroup'}.",
  },
  unknownOnPremisesGroupType: {
    id: 'WBW-F05',
    title: 'Unrecognised onPremisesGroupType value',
    severity: 'medium',
    rationale:
      'The value is none of universalDistributionGroup, universalSecurityGroup, universalMailEnabledSecurityGroup (casing ignored), so the group type it is written back as cannot be told from its configuration.',
    source: 'Graph groupWritebackConfiguration resource (possible values of onPremisesGroupType)',
    remediation:
      "Set one of the three supported values, e.g. Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{onPremisesGroupType='universalDistributionGroup'}, and fix the tool that wrote the value.",
  },
  memberCountOverWritebackLimit: {
    id: 'WBW-F06',
    title: 'Group over the Entra Connect writeback member limit',
    severity: 'medium',
    rationale:
      'Entra Connect does not write back Microsoft 365 groups over 50,000 members or security groups over 250,000 members, although the configuration says they are written back. The Microsoft 365 limit rises to 250,000 when the "Out to AD – Group Writeback Member Limit" sync rule is disabled, which Graph cannot see, so the 50,000 limit is applied.',
    source: 'Entra docs how-to-connect-group-writeback-v2 and how-to-connect-modify-group-writeback',
    remediation: `Bring membership under the limit, or for Microsoft 365 groups disable the "Out to AD – Group Writeback Member Limit" sync rule (limit 250,000); otherwise stop writeback so the configuration matches reality: ${DISABLE_WRITEBACK}.`,
  },
  portalShowsNoWriteback: {
    id: 'WBW-F07',
    title: 'Portal shows "No writeback" but the group is written back',
    severity: 'low',
    rationale:
      'isEnabled is null on a Microsoft 365 group. The Entra portal labels it "No writeback", yet Microsoft 365 groups default to written back (as a distribution group unless a target type is set), so admins reading the portal miss it.',
    source: 'Entra docs groups-write-back-portal and how-to-connect-group-writeback-v2 ("If isEnabled is null or true, the group will be written back"); Graph groupWritebackConfiguration resource',
    remediation:
      'Make the state explicit so the portal shows the truth: Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$true} to keep writeback, or @{isEnabled=$false} to stop it.',
  },
  securityDefaultDisputed: {
    id: 'WBW-F08',
    title: 'Security group with isEnabled null: documentation disagrees',
    severity: 'info',
    rationale:
      'Classified as not written back: Graph documents the default as false for security groups and MSIdentityTools agrees, but a revision of the Entra portal page says security groups with null values are written back, which customers disputed.',
    source: 'Graph groupWritebackConfiguration resource; MSIdentityTools Get-MsIdGroupWritebackConfiguration; Entra docs groups-write-back-portal; MicrosoftDocs/azure-docs issues 107055, 108243, 112754',
    remediation:
      'Set isEnabled explicitly so the outcome no longer depends on which documentation is right: Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$false} (or $true to write it back).',
  },
  unknownGroupKind: {
    id: 'WBW-F09',
    title: 'Group kind could not be determined',
    severity: 'low',
    rationale:
      'The group is neither a Microsoft 365 group nor security- or mail-enabled as Graph returned it (flags missing or not booleans), so it is classified as not written back without certainty.',
    source: 'Graph groups overview (beta): how groupTypes, securityEnabled and mailEnabled define the group kinds',
    remediation:
      'Read the group in Graph Explorer (GET https://graph.microsoft.com/beta/groups/{id}) and check groupTypes, securityEnabled and mailEnabled; re-run the scan once they are returned.',
  },
  writtenBackByTwoEngines: {
    id: 'WBW-F10',
    title: 'Written back by two engines',
    severity: 'high',
    rationale:
      'Connect Sync group writeback and Cloud Sync group provisioning both put this group into AD. Each matches its own object, so the tenant gets two AD groups for one cloud group, or the second engine fails on the name the first one took; either way access granted on-premises depends on which copy a resource uses.',
    source: 'Entra docs migrate-group-writeback (disable Connect Sync writeback for a group before Cloud Sync provisions it) and how-provisioning-to-active-directory-works (matching by msDS-ExternalDirectoryObjectId)',
    remediation:
      'Let one engine own the group: stop Connect Sync writeback (Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$false}) once Cloud Sync provisions it, or take the group out of the Cloud Sync job\'s scope; then remove the duplicate AD object.',
  },
  securityWritebackIntentNotCarriedOver: {
    id: 'WBW-F11',
    title: 'Security group enabled for writeback that no engine writes back',
    severity: 'medium',
    rationale:
      'isEnabled is true on the security group, the intent of Connect Sync group writeback v2, but no engine assumed writes it back: v1 writes back no security group and Cloud Sync ignores isEnabled and has the group out of scope. Its AD copy, if one remains, is no longer updated.',
    source: 'Entra docs migrate-group-writeback and reference-provision-to-active-directory-faq ("this field isn\'t currently used for determining the scope of groups being provisioned to AD using Cloud Sync")',
    remediation:
      'Bring the group into a Cloud Sync group-provisioning job\'s scope (assign it to the configuration, or adjust the scoping filter) if it must reach AD, or record that it need not: Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{isEnabled=$false}.',
  },
  cloudSyncAssignedButIneligible: {
    id: 'WBW-F12',
    title: 'Assigned to Cloud Sync, which cannot provision it',
    severity: 'low',
    rationale:
      'The group is assigned to a Cloud Sync group-provisioning configuration, but Cloud Sync provisions only non-mail-enabled security groups that are not synced from AD; a Microsoft 365, mail-enabled or AD-synced group never reaches AD this way, whatever the assignment suggests.',
    source: 'Entra docs how-provisioning-to-active-directory-works ("Only security groups are provisioned. Mail-enabled groups and distribution groups aren\'t supported") and concept-deployment-options-provision-to-active-directory',
    remediation:
      'Remove the assignment (Remove-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $configurationId -AppRoleAssignmentId $assignmentId); for a Microsoft 365 group that must reach AD, rely on Connect Sync group writeback v1.',
  },
  cloudSyncJobNotUpdating: {
    id: 'WBW-F13',
    title: 'Provisioned by a paused or quarantined Cloud Sync job',
    severity: 'medium',
    rationale:
      'The Cloud Sync job that provisions the group is paused or in quarantine. The group stays in AD as last provisioned, but changes to its name or membership no longer reach AD, so on-premises access drifts from the cloud group.',
    source: 'Graph synchronizationStatus resource (code Paused, Quarantine; quarantine) and Entra docs application-provisioning-quarantine-status',
    remediation:
      'Fix the cause shown in the job\'s quarantine reason and restart the job (POST https://graph.microsoft.com/v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/restart, or Restart provisioning in the Cloud Sync configuration).',
  },
  cloudSyncContainerNotConstant: {
    id: 'WBW-F14',
    title: 'Cloud Sync target container is an expression',
    severity: 'info',
    rationale:
      'The parentDistinguishedName mapping of the job is an expression or a direct attribute, not a constant, so which OU the group lands in depends on its attributes; the report shows the expression instead of an OU, and the OU\'s delegation cannot be checked from here.',
    source: 'Entra docs how-to-attribute-mapping-entra-to-active-directory ("You can use a constant, direct, or expression mapping on the parentDistinguishedName attribute")',
    remediation:
      'Check the OUs the expression can produce and who can change the attributes it reads; use a constant parentDistinguishedName mapping if one OU will do.',
  },
  v1IgnoresSecurityTargetType: {
    id: 'WBW-F15',
    title: 'Security target type ignored by Connect Sync v1',
    severity: 'medium',
    rationale:
      'onPremisesGroupType names a security type, but Connect Sync group writeback v1 writes every Microsoft 365 group back as a distribution group: permissions granted to the group on-premises expecting a security group do not work, and the portal shows a type that is not what AD holds.',
    source: 'Entra docs how-to-connect-group-writeback-disable and migrate-group-writeback (v1 writes back Microsoft 365 groups as distribution groups, independently of the writeback settings)',
    remediation:
      "Record the type v1 really writes: Update-MgBetaGroup -GroupId $groupId -WritebackConfiguration @{onPremisesGroupType='universalDistributionGroup'}; if the group needs a security type on-premises, use a security group provisioned by Cloud Sync instead.",
  },
} as const satisfies Record<FindingName, FindingSpec>;

/** The published finding ids, WBW-F01 to WBW-F15. */
export type FindingId = (typeof FINDING_SPECS)[FindingName]['id'];

export interface FindingDefinition extends CatalogEntry<FindingId, FindingName>, Omit<FindingSpec, 'id'> {}

export const FINDINGS: Readonly<Record<FindingName, FindingDefinition>> = namedEntries(FINDING_SPECS);

/** Finding names in catalog (id) order: the order findings are listed on a group and in reports. */
export const FINDING_NAMES: readonly FindingName[] = namesInIdOrder(FINDINGS);

export const REASONS: Readonly<Record<ReasonCode, ReasonDefinition>> = Object.freeze({
  syncedFromOnPremises: {
    title: 'Synced from on-premises',
    explanation:
      'The group is synchronised from on-premises Active Directory (onPremisesSyncEnabled is true), so AD is its source and it is never written back.',
  },
  unsupportedGroupKind: {
    title: 'Group kind not supported',
    explanation:
      'Only Microsoft 365 groups and security groups can be written back; mail-enabled security groups, distribution lists and groups of unknown kind are not.',
  },
  disabled: {
    title: 'Writeback disabled',
    explanation: 'writebackConfiguration.isEnabled is false, so the group is not written back.',
  },
  enabledDefaultTarget: {
    title: 'Enabled, default target',
    explanation:
      'isEnabled is true and no onPremisesGroupType is set, so the Microsoft 365 group is written back as a universal distribution group, the documented default.',
  },
  enabled: {
    title: 'Writeback enabled',
    explanation:
      'isEnabled is true, so the group is written back as its configured type (security groups always as a universal security group).',
  },
  legacyDefault: {
    title: 'Legacy default',
    explanation:
      'The Microsoft 365 group was never configured (isEnabled and onPremisesGroupType are null), so it is written back as a universal distribution group for compatibility with the original group writeback, although the portal shows "No writeback".',
  },
  enabledByDefault: {
    title: 'Enabled by default',
    explanation:
      'isEnabled is null but onPremisesGroupType is set; Microsoft 365 groups default to enabled, so the group is written back as that type although the portal shows "No writeback".',
  },
  securityDefaultOff: {
    title: 'Security default: off',
    explanation:
      'The security group has isEnabled null, and security groups are not written back unless enabled explicitly (one revision of the portal documentation claims otherwise).',
  },
  v1Enabled: {
    title: 'Connect Sync v1: written back',
    explanation:
      'Connect Sync group writeback v1 writes every cloud Microsoft 365 group back as a universal distribution group; isEnabled is true, so the portal shows it too.',
  },
  v1IgnoresIsEnabled: {
    title: 'Connect Sync v1: written back, portal says No writeback',
    explanation:
      'Connect Sync group writeback v1 writes every cloud Microsoft 365 group back as a universal distribution group independently of isEnabled, so the group is written back although isEnabled is not true and the portal shows "No writeback".',
  },
  v1Microsoft365Only: {
    title: 'Connect Sync v1: not a Microsoft 365 group',
    explanation: 'Connect Sync group writeback v1 writes back Microsoft 365 groups only.',
  },
  cloudSyncProvisioned: {
    title: 'Provisioned by Cloud Sync',
    explanation:
      'A cloud security group in the scope of an active Cloud Sync group-provisioning job: provisioned to AD as a universal security group in the job\'s domain and container, whatever writebackConfiguration says.',
  },
  cloudSyncNoLongerUpdated: {
    title: 'Provisioned by Cloud Sync, no longer updated',
    explanation:
      'In the scope of a Cloud Sync job that is paused or quarantined after a successful run: the group stays in AD as last provisioned but is no longer updated.',
  },
  cloudSyncNotEligible: {
    title: 'Cloud Sync: not eligible',
    explanation:
      'Cloud Sync provisions only non-mail-enabled security groups that are not synced from AD; Microsoft 365, mail-enabled and AD-synced groups are not provisioned.',
  },
  cloudSyncNoJob: {
    title: 'Cloud Sync: no group provisioning job',
    explanation: 'The tenant has no Cloud Sync group-provisioning (Entra ID to AD) job, so Cloud Sync provisions nothing.',
  },
  cloudSyncJobNotRun: {
    title: 'Cloud Sync: job never ran',
    explanation: 'The group is in the scope of a Cloud Sync job that has not run successfully (not configured, not run yet, or stopped before a successful run), so nothing was provisioned.',
  },
  cloudSyncCreatedAfterLastRun: {
    title: 'Cloud Sync: created after the job stopped',
    explanation: 'The group is in the scope of a paused or quarantined Cloud Sync job, but was created after the job\'s last successful run, so that job has not provisioned it.',
  },
  cloudSyncGroupMappingDisabled: {
    title: 'Cloud Sync: group mapping disabled',
    explanation: 'The Cloud Sync job\'s group object mapping is disabled, so it provisions no groups.',
  },
  cloudSyncNotAssigned: {
    title: 'Cloud Sync: not assigned',
    explanation:
      'The Cloud Sync job is scoped to selected groups and this group is not assigned to it; membership of an assigned group does not count (nested groups are not expanded).',
  },
  cloudSyncOutOfFilterScope: {
    title: 'Cloud Sync: out of the scoping filter',
    explanation: 'No scoping filter of the Cloud Sync job holds for the group, so it is not provisioned.',
  },
  cloudSyncIndeterminate: {
    title: 'Cloud Sync: cannot be decided',
    explanation:
      'Whether Cloud Sync provisions the group depends on something the product cannot evaluate (a scoping clause on an attribute it does not read, or assignments it could not read); the detail names it.',
  },
  cloudSyncUnknown: {
    title: 'Cloud Sync: unknown',
    explanation:
      'Cloud Sync could not be read (a permission is missing, or it was not read in this scan), so whether it provisions the group is unknown; this never means "not provisioned".',
  },
  noEngine: {
    title: 'No writeback engine assumed',
    explanation: 'WRITEBACK_ENGINES is none: no engine is assumed to write groups back.',
  },
} satisfies Record<ReasonCode, ReasonDefinition>);

/** Stated in every report, because the buckets are only as true as these assumptions. */
export const CLASSIFICATION_ASSUMPTIONS =
  'Every verdict is "per Entra configuration" and per writeback engine: WRITEBACK_ENGINES states which engines the tenant runs (the Summary names them), because which Connect Sync group writeback version runs cannot be read with application permissions. ' +
  'Under Entra Connect group writeback v2 the classification reads the writebackConfiguration Microsoft Graph (beta) holds for each group: Microsoft 365 groups are written back unless isEnabled is false (as a universal distribution group unless another type is set) and security groups only when isEnabled is true (always as a universal security group). ' +
  'v2 lost support after 30 June 2024; the original version (v1), which Connect Sync falls back to once v2 is disabled, ignores isEnabled and writes every Microsoft 365 group back as a distribution group and no security group. ' +
  'Entra Cloud Sync group provisioning ignores writebackConfiguration: it provisions the cloud security groups in its job\'s scope (assigned groups, or a scoping filter) as universal security groups; it is read through Graph, and when it cannot be read its verdict is unknown, never "not provisioned". ' +
  'Nothing is written back by Connect Sync when the tenant\'s group writeback feature flag is off, whatever the per-group values say; the report shows that flag when it could be read. ' +
  'Third-party scripts can also put groups into Active Directory; this classification does not cover them.';

export function severityOf(name: FindingName): Severity {
  return FINDINGS[name].severity;
}

/** The most severe of the findings, or null when there are none. */
export function highestSeverity(names: Iterable<FindingName>): Severity | null {
  let highest: Severity | null = null;
  for (const name of names) {
    const severity = severityOf(name);
    if (highest === null || compareSeverity(severity, highest) < 0) highest = severity;
  }
  return highest;
}
