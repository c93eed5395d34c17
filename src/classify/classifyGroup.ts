/**
 * The product's classification rule (docs/classification.md): one Graph group in, its writeback verdict out.
 * Pure: no I/O, no clock, and no input makes it throw, because one odd group must never stop a scan of
 * 500,000. Anything it cannot read becomes an `unknown` kind or a finding, so a report shows it.
 */
import type {
  Bucket,
  ClassifiedGroup,
  FindingName,
  GraphGroup,
  GroupFlags,
  GroupKind,
  OnPremisesGroupType,
  ReasonCode,
  SourceOfAuthority,
} from '../model';
import { FINDING_NAMES, MEMBER_LIMITS } from './findings';
import {
  containsIgnoringCase,
  readBoolean,
  readString,
  readStringArray,
  readWritebackSettings,
  type WritebackSettings,
} from './normalize';
import { isWrittenBackBucket } from './vocabulary';

export interface ClassificationContext {
  /** Member count, fetched separately and only for writeback-enabled groups; null or absent = not fetched. */
  memberCount?: number | null;
}

/** Row numbers of the rule table in docs/classification.md. */
export type ClassificationRow = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

export interface WritebackVerdict {
  row: ClassificationRow;
  bucket: Bucket;
  effectiveTargetType: OnPremisesGroupType | null;
  reason: ReasonCode;
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

  const kind = groupKindOf(groupTypes, securityEnabled, mailEnabled);
  const sourceOfAuthority = sourceOfAuthorityOf(onPremisesSyncEnabled);
  const flags = flagsOf(group, groupTypes);
  const writeback = readWritebackSettings(group);
  const verdict = decideWriteback(kind, sourceOfAuthority, writeback);
  const memberCount = readMemberCount(context.memberCount);

  return {
    id: readString(group.id) ?? '',
    displayName: readString(group.displayName),
    mail: readString(group.mail),
    createdDateTime: readString(group.createdDateTime),
    kind,
    sourceOfAuthority,
    flags,
    bucket: verdict.bucket,
    effectiveTargetType: verdict.effectiveTargetType,
    reason: verdict.reason,
    findings: findingsOf({ kind, flags, writeback, verdict, memberCount }),
    portalShowsNoWriteback: verdict.row === 6 || verdict.row === 7,
    memberCount,
    raw: {
      isEnabled: writeback.isEnabled,
      onPremisesGroupType: writeback.onPremisesGroupTypeRaw,
      onPremisesGroupTypeNormalized: writeback.onPremisesGroupType,
      onPremisesSyncEnabled,
      securityEnabled,
      mailEnabled,
      groupTypes,
    },
  };
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

/** The rule table, row by row (docs/classification.md section "Rule table"). */
export function decideWriteback(
  kind: GroupKind,
  sourceOfAuthority: SourceOfAuthority,
  writeback: WritebackSettings,
): WritebackVerdict {
  // Row 1: a group synced from AD has AD as its source; Entra Connect never writes it back.
  if (sourceOfAuthority === 'onPremises') return verdict(1, 'notWrittenBack', null, 'syncedFromOnPremises');

  if (kind === 'microsoft365') {
    if (writeback.isEnabled === false) return verdict(3, 'notWrittenBack', null, 'disabled');
    if (writeback.isEnabled === true) {
      if (!writeback.targetSet) return verdict(4, 'writtenBack', 'universalDistributionGroup', 'enabledDefaultTarget');
      // Row 5. With an unrecognised type the group is still written back (isEnabled says so), but as what
      // cannot be known, so the target stays null and the unknownOnPremisesGroupType finding explains why.
      return verdict(5, 'writtenBack', writeback.onPremisesGroupType, 'enabled');
    }
    // isEnabled null: Microsoft 365 groups default to written back (Graph groupWritebackConfiguration resource).
    if (!writeback.targetSet) return verdict(6, 'legacyDefault', 'universalDistributionGroup', 'legacyDefault');
    // Row 7, with the same reading of an unrecognised type as row 5.
    return verdict(7, 'writtenBack', writeback.onPremisesGroupType, 'enabledByDefault');
  }

  if (kind === 'security') {
    if (writeback.isEnabled === true) {
      // Security groups can only be written back as universalSecurityGroup, whatever the configuration says
      // (Graph groupWritebackConfiguration resource); any other value, unrecognised ones included, is row 9.
      const row = writeback.targetSet && writeback.onPremisesGroupType !== 'universalSecurityGroup' ? 9 : 8;
      return verdict(row, 'writtenBack', 'universalSecurityGroup', 'enabled');
    }
    if (writeback.isEnabled === false) return verdict(10, 'notWrittenBack', null, 'disabled');
    // Row 11: the documented default for security groups is off; a later portal page disagrees (see findings).
    return verdict(11, 'notWrittenBack', null, 'securityDefaultOff');
  }

  // Row 2: MSIdentityTools refuses mail-enabled security groups and cloud distribution lists; Entra Connect
  // cannot write back Exchange Online distribution lists; an unknown kind cannot be assumed to be either.
  return verdict(2, 'notWrittenBack', null, 'unsupportedGroupKind');
}

function verdict(
  row: ClassificationRow,
  bucket: Bucket,
  effectiveTargetType: OnPremisesGroupType | null,
  reason: ReasonCode,
): WritebackVerdict {
  return { row, bucket, effectiveTargetType, reason };
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

interface FindingInputs {
  kind: GroupKind;
  flags: GroupFlags;
  writeback: WritebackSettings;
  verdict: WritebackVerdict;
  memberCount: number | null;
}

function findingsOf({ kind, flags, writeback, verdict, memberCount }: FindingInputs): FindingName[] {
  const writtenBack = isWrittenBackBucket(verdict.bucket);
  const asSecurityType = writtenBack && verdict.effectiveTargetType !== null && SECURITY_TARGETS.has(verdict.effectiveTargetType);
  const limit = memberLimitOf(kind);

  const raised: Record<FindingName, boolean> = {
    roleAssignableWrittenBack: writtenBack && flags.roleAssignable,
    publicGroupWrittenBackAsSecurity:
      asSecurityType && kind === 'microsoft365' && flags.visibility?.toLowerCase() === 'public',
    dynamicGroupWrittenBackAsSecurity: asSecurityType && flags.dynamic,
    invalidTargetForSecurityGroup: verdict.row === 9,
    // Raised whatever the bucket: a disabled group with a bad value misbehaves the day it is enabled.
    unknownOnPremisesGroupType: writeback.targetUnknown,
    memberCountOverWritebackLimit: writtenBack && memberCount !== null && limit !== null && memberCount > limit,
    portalShowsNoWriteback: verdict.row === 6 || verdict.row === 7,
    securityDefaultDisputed: verdict.row === 11,
    // Raised in every row (also for groups synced from AD): the group's data is what is odd.
    unknownGroupKind: kind === 'unknown',
  };
  return FINDING_NAMES.filter((name) => raised[name]);
}
