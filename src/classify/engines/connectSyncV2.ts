/** Connect Sync group writeback v2: the rule table of docs/classification.md ("Rule table"), row by row. */
import type { Bucket, EngineVerdict, GroupKind, OnPremisesGroupType, ReasonCode, SourceOfAuthority } from '../../model';
import { writebackSettingsOf, type WritebackSettings } from '../normalize';
import type { GroupFacts } from './facts';

/** Row numbers of the rule table in docs/classification.md. */
export type ClassificationRow = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

export interface WritebackVerdict {
  row: ClassificationRow;
  bucket: Bucket;
  effectiveTargetType: OnPremisesGroupType | null;
  reason: ReasonCode;
}

export interface ConnectSyncV2Verdict {
  verdict: EngineVerdict;
  /** The rule-table row, for the findings tied to rows. */
  row: ClassificationRow;
}

/** The few distinct verdicts (row × target), shared and frozen so a scan allocates one per kind, not per group. */
const VERDICTS = new Map<string, EngineVerdict>();

export function decideConnectSyncV2(facts: GroupFacts): ConnectSyncV2Verdict {
  const decided = decideWriteback(facts.kind, facts.sourceOfAuthority, writebackSettingsOf(facts.raw));
  const key = `${decided.row}|${decided.effectiveTargetType ?? ''}`;
  let verdict = VERDICTS.get(key);
  if (verdict === undefined) {
    verdict = Object.freeze({ verdict: decided.bucket, targetType: decided.effectiveTargetType, reason: decided.reason });
    VERDICTS.set(key, verdict);
  }
  return { verdict, row: decided.row };
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

