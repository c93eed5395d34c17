/**
 * The product's classification rule (docs/classification.md): one Graph group in, its writeback verdict out,
 * per engine and combined. Pure: no I/O, no clock, and no input makes it throw, because one odd group must
 * never stop a scan of 500,000. Anything it cannot read becomes an `unknown` kind or a finding, so a report
 * shows it.
 */
import type { ClassifiedGroup, FindingName, GraphGroup, GroupFlags, GroupKind, OnPremisesGroupType, RawWritebackValues, SourceOfAuthority } from '../model';
import { FINDING_NAMES, MEMBER_LIMITS } from './findings';
import { containsIgnoringCase, readBoolean, readString, readStringArray, readWritebackSettings, writebackSettingsOf } from './normalize';
import { isWrittenBackBucket } from './vocabulary';
import { decideEngines, writesBack, type EngineDecision } from './engines/combine';
import { DEFAULT_ENGINE_CONTEXT, type EngineContext } from './engines/engineContext';
import type { GroupFacts } from './engines/facts';

export { decideWriteback } from './engines/connectSyncV2';
export type { ClassificationRow, WritebackVerdict } from './engines/connectSyncV2';

export interface ClassificationContext {
  /** Member count, fetched separately and only for writeback-enabled groups; null or absent = not fetched. */
  memberCount?: number | null;
  /** The engines assumed and what the scan read of Cloud Sync, compiled once per scan (default: WRITEBACK_ENGINES' default, Cloud Sync not read). */
  engines?: EngineContext;
}

const SECURITY_TARGETS: ReadonlySet<OnPremisesGroupType> = new Set([
  'universalSecurityGroup',
  'universalMailEnabledSecurityGroup',
]);

export function classifyGroup(group: GraphGroup, context: ClassificationContext = {}): ClassifiedGroup {
  const groupTypes = readStringArray(group.groupTypes);
  const securityEnabled = readBoolean(group.securityEnabled);
  const mailEnabled = readBoolean(group.mailEnabled);
  const onPremisesSyncEnabled = readBoolean(group.onPremisesSyncEnabled);
  const writeback = readWritebackSettings(group);
  const raw: RawWritebackValues = {
    isEnabled: writeback.isEnabled,
    onPremisesGroupType: writeback.onPremisesGroupTypeRaw,
    onPremisesGroupTypeNormalized: writeback.onPremisesGroupType,
    onPremisesSyncEnabled,
    securityEnabled,
    mailEnabled,
    groupTypes,
  };
  // Kept only when Graph sent them, so "not read" stays distinguishable from "empty" for scoping filters.
  if ('description' in group) raw.description = readString(group.description);
  if ('mailNickname' in group) raw.mailNickname = readString(group.mailNickname);
  return classifyFacts(
    {
      id: readString(group.id) ?? '',
      displayName: readString(group.displayName),
      mail: readString(group.mail),
      createdDateTime: readString(group.createdDateTime),
      kind: groupKindOf(groupTypes, securityEnabled, mailEnabled),
      sourceOfAuthority: sourceOfAuthorityOf(onPremisesSyncEnabled),
      flags: flagsOf(group, groupTypes),
      memberCount: readMemberCount(context.memberCount),
      raw,
    },
    context.engines ?? DEFAULT_ENGINE_CONTEXT,
  );
}

/**
 * Decides a group from the values classification keeps (a fresh group's, or a stored one's): the what-if
 * re-classifies stored scans with this, without Graph.
 */
export function classifyFacts(facts: GroupFacts, engines: EngineContext): ClassifiedGroup {
  const decision = decideEngines(facts, engines);
  return {
    id: facts.id,
    displayName: facts.displayName,
    mail: facts.mail,
    createdDateTime: facts.createdDateTime,
    kind: facts.kind,
    sourceOfAuthority: facts.sourceOfAuthority,
    flags: facts.flags,
    bucket: decision.bucket,
    effectiveTargetType: decision.effectiveTargetType,
    reason: decision.reason,
    findings: findingsOf(facts, decision),
    portalShowsNoWriteback: portalShowsNoWritebackOf(facts, decision),
    memberCount: facts.memberCount,
    raw: facts.raw,
    engines: decision.engines,
  };
}

/**
 * Connect Sync writes the group back although isEnabled is not true, which the portal labels "No writeback"
 * (v2 rows 6 and 7; v1 for every Microsoft 365 group not enabled). Cloud Sync ignores writebackConfiguration,
 * so its provisioning is not this case.
 */
function portalShowsNoWritebackOf(facts: GroupFacts, decision: EngineDecision): boolean {
  if (facts.raw.isEnabled === true) return false;
  return writesBack(decision.engines.connectSyncV2) || writesBack(decision.engines.connectSyncV1);
}

/**
 * Group kinds as the Graph groups overview (beta) defines them, tested in this order: a Microsoft 365 group
 * may be security-enabled too, so `Unified` wins over the flags.
 */
export function groupKindOf(
  groupTypes: readonly string[],
  securityEnabled: boolean | null,
  mailEnabled: boolean | null,
): GroupKind {
  if (containsIgnoringCase(groupTypes, 'Unified')) return 'microsoft365';
  if (securityEnabled === true) return mailEnabled === true ? 'mailEnabledSecurity' : 'security';
  if (mailEnabled === true) return 'distribution';
  return 'unknown';
}

export function sourceOfAuthorityOf(onPremisesSyncEnabled: boolean | null): SourceOfAuthority {
  if (onPremisesSyncEnabled === true) return 'onPremises';
  if (onPremisesSyncEnabled === false) return 'cloudFormerlySynced';
  return 'cloud';
}

function flagsOf(group: GraphGroup, groupTypes: readonly string[]): GroupFlags {
  return {
    dynamic: containsIgnoringCase(groupTypes, 'DynamicMembership'),
    roleAssignable: group.isAssignableToRole === true,
    team: containsIgnoringCase(readStringArray(group.resourceProvisioningOptions), 'Team'),
    visibility: readString(group.visibility),
  };
}

/** A usable member count, or null when it was not fetched or is not a count at all. */
function readMemberCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The member limit Entra Connect applies to a kind by default (how-to-connect-group-writeback-v2). */
function memberLimitOf(kind: GroupKind): number | null {
  if (kind === 'microsoft365') return MEMBER_LIMITS.microsoft365;
  if (kind === 'security') return MEMBER_LIMITS.security;
  return null;
}

function findingsOf(facts: GroupFacts, decision: EngineDecision): FindingName[] {
  const { kind, flags, memberCount, raw } = facts;
  const { engines, v2Row } = decision;
  const writtenBack = isWrittenBackBucket(decision.bucket);
  const asSecurityType = writtenBack && decision.effectiveTargetType !== null && SECURITY_TARGETS.has(decision.effectiveTargetType);
  const limit = memberLimitOf(kind);
  const connectSyncWrites = writesBack(engines.connectSyncV2) || writesBack(engines.connectSyncV1);
  const cloudSync = decision.cloudSync;
  // Only Cloud Sync's verdict can be unknown or indeterminate.
  const undecided = engines.cloudSync?.verdict === 'unknown' || engines.cloudSync?.verdict === 'indeterminate';

  const raised: Record<FindingName, boolean> = {
    roleAssignableWrittenBack: writtenBack && flags.roleAssignable,
    publicGroupWrittenBackAsSecurity:
      asSecurityType && kind === 'microsoft365' && flags.visibility?.toLowerCase() === 'public',
    dynamicGroupWrittenBackAsSecurity: asSecurityType && flags.dynamic,
    invalidTargetForSecurityGroup: v2Row === 9,
    // Raised whatever the bucket: a disabled group with a bad value misbehaves the day it is enabled.
    unknownOnPremisesGroupType: writebackSettingsOf(raw).targetUnknown,
    memberCountOverWritebackLimit: writtenBack && memberCount !== null && limit !== null && memberCount > limit,
    portalShowsNoWriteback: portalShowsNoWritebackOf(facts, decision),
    securityDefaultDisputed: v2Row === 11,
    // Raised in every row (also for groups synced from AD): the group's data is what is odd.
    unknownGroupKind: kind === 'unknown',
    writtenBackByTwoEngines: connectSyncWrites && engines.cloudSync?.verdict === 'writtenBack',
    // Not raised while an engine's verdict is unknown or indeterminate: it may yet write the group back.
    securityWritebackIntentNotCarriedOver:
      kind === 'security' && facts.sourceOfAuthority !== 'onPremises' && raw.isEnabled === true && !writtenBack && !undecided,
    cloudSyncAssignedButIneligible: cloudSync?.assignedButIneligible === true,
    cloudSyncJobNotUpdating: cloudSync?.noLongerUpdated === true,
    cloudSyncContainerNotConstant: cloudSync?.containerIsExpression === true,
    v1IgnoresSecurityTargetType:
      engines.connectSyncV1 !== undefined &&
      writesBack(engines.connectSyncV1) &&
      raw.onPremisesGroupTypeNormalized !== null &&
      SECURITY_TARGETS.has(raw.onPremisesGroupTypeNormalized),
  };
  return FINDING_NAMES.filter((name) => raised[name]);
}
