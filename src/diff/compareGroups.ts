/**
 * What changed about one group between two scans. Pure: the merge in diffSnapshots pairs the two versions
 * of a group by id and asks this module for the verdict.
 */
import { WritebackWatchError } from '../errors';
import type { ChangeType, ClassifiedGroup, EngineVerdict, EngineVerdicts, FindingName, GroupChange, RawWritebackValues, WritebackEngine } from '../model';
import { snapshotSortKey } from '../store/keys';

const CHANGE_TYPE_ORDER: Record<ChangeType, number> = {
  added: 0,
  removed: 1,
  bucketChanged: 2,
  targetChanged: 3,
  configChanged: 4,
  kindChanged: 5,
  sourceOfAuthorityChanged: 6,
  renamed: 7,
  findingsChanged: 8,
  engineVerdictChanged: 9,
};

/** Every change type, in the order a change lists them (the order of the ChangeType union). */
export const CHANGE_TYPES: readonly ChangeType[] = Object.freeze(
  (Object.keys(CHANGE_TYPE_ORDER) as ChangeType[]).sort((a, b) => CHANGE_TYPE_ORDER[a] - CHANGE_TYPE_ORDER[b]),
);

/**
 * The configured target type as the diff compares it: the camelCase spelling when recognised, an
 * unrecognised value lower-cased (so casing alone never counts as a change, as Terraform's azuread provider
 * sends `UniversalSecurityGroup`), and null when unset. A blank string names no target, as classification
 * reads it too.
 */
export function onPremisesGroupTypeKey(raw: Pick<RawWritebackValues, 'onPremisesGroupType' | 'onPremisesGroupTypeNormalized'>): string | null {
  if (raw.onPremisesGroupTypeNormalized !== null) return raw.onPremisesGroupTypeNormalized;
  const value = raw.onPremisesGroupType;
  if (value === null || value.trim() === '') return null;
  return value.toLowerCase();
}

/** A group that exists only in the later scan. Its findings all count as added, so finding alerts see it. */
export function addedChange(after: ClassifiedGroup): GroupChange {
  return {
    groupId: after.id,
    displayName: after.displayName,
    types: ['added'],
    before: null,
    after,
    findingsAdded: unique(after.findings),
    findingsRemoved: [],
  };
}

/** A group missing from the later scan: Graph lists no deleted groups, so it was deleted (or hard-deleted). */
export function removedChange(before: ClassifiedGroup): GroupChange {
  return {
    groupId: before.id,
    displayName: before.displayName,
    types: ['removed'],
    before,
    after: null,
    findingsAdded: [],
    findingsRemoved: unique(before.findings),
  };
}

/**
 * The change between two versions of one group, or null when every compared field is equal. Member counts,
 * flags and mail are not compared on their own: what matters about them surfaces as findings.
 */
export function compareGroups(before: ClassifiedGroup, after: ClassifiedGroup): GroupChange | null {
  if (snapshotSortKey(before.id) !== snapshotSortKey(after.id)) {
    throw new WritebackWatchError(
      'InvalidInput',
      `Cannot compare group ${before.id} with group ${after.id}: only two versions of the same group can be compared.`,
      { beforeId: before.id, afterId: after.id },
    );
  }
  const types: ChangeType[] = [];
  const bucketChanged = before.bucket !== after.bucket;
  if (bucketChanged) types.push('bucketChanged');
  if (before.effectiveTargetType !== after.effectiveTargetType) types.push('targetChanged');
  // A configuration edit that moved the bucket is already told by bucketChanged; configChanged reports the
  // edits that did not (e.g. isEnabled null → true on a group that was written back by default anyway).
  const configDiffers =
    before.raw.isEnabled !== after.raw.isEnabled || onPremisesGroupTypeKey(before.raw) !== onPremisesGroupTypeKey(after.raw);
  if (configDiffers && !bucketChanged) types.push('configChanged');
  if (before.kind !== after.kind) types.push('kindChanged');
  if (before.sourceOfAuthority !== after.sourceOfAuthority) types.push('sourceOfAuthorityChanged');
  if (before.displayName !== after.displayName) types.push('renamed');

  const beforeFindings = new Set(before.findings);
  const afterFindings = new Set(after.findings);
  const findingsAdded = [...afterFindings].filter((id) => !beforeFindings.has(id));
  const findingsRemoved = [...beforeFindings].filter((id) => !afterFindings.has(id));
  if (findingsAdded.length > 0 || findingsRemoved.length > 0) types.push('findingsChanged');
  // Like configChanged: a change that moved the combined bucket or target is told by those (the per-engine
  // verdicts on both sides say which engine); this reports engine changes the combination hides.
  const combinedChanged = bucketChanged || before.effectiveTargetType !== after.effectiveTargetType;
  if (!combinedChanged && engineVerdictsDiffer(before.engines ?? {}, after.engines ?? {})) types.push('engineVerdictChanged');

  if (types.length === 0) return null;
  return {
    groupId: after.id,
    displayName: after.displayName,
    types,
    before,
    after,
    findingsAdded,
    findingsRemoved,
  };
}

/**
 * onPremisesGroupType went from a value to null. Graph refuses to set it back to null once set
 * (msgraph-metadata issue 332), so this means the group was re-created under the same id or its
 * configuration was changed by something other than Graph: worth a look either way.
 */
export function isSuspiciousTypeReset(change: GroupChange): boolean {
  if (change.before === null || change.after === null) return false;
  return onPremisesGroupTypeKey(change.before.raw) !== null && onPremisesGroupTypeKey(change.after.raw) === null;
}

const ENGINES: readonly WritebackEngine[] = ['connectSyncV2', 'connectSyncV1', 'cloudSync'];

/**
 * An engine's verdict, target, domain or container differs between the two versions. Only engines both
 * versions were classified under are compared: a change of WRITEBACK_ENGINES (or a row stored before engine
 * verdicts were kept) is a change of assumption, not of every group.
 */
export function engineVerdictsDiffer(before: EngineVerdicts, after: EngineVerdicts): boolean {
  for (const engine of ENGINES) {
    const a = before[engine];
    const b = after[engine];
    if (a !== undefined && b !== undefined && !sameEngineVerdict(a, b)) return true;
  }
  return false;
}

function sameEngineVerdict(a: EngineVerdict, b: EngineVerdict): boolean {
  return (
    a.verdict === b.verdict &&
    a.targetType === b.targetType &&
    (a.domain ?? null) === (b.domain ?? null) &&
    (a.container ?? null) === (b.container ?? null)
  );
}

function unique(ids: readonly FindingName[]): FindingName[] {
  return [...new Set(ids)];
}
