/**
 * Maps a classified group to a Table Storage entity and back. Properties are flat so the API can filter by
 * bucket or kind server-side. Table Storage limits (which Azurite does not enforce) are enforced here: a string
 * property holds at most 32,767 UTF-16 characters (64 KiB), an entity at most 1 MiB and 252 custom properties.
 * Numbers are written as Int32 so they never come back as bigint (Int64 does).
 */
import type { ClassifiedGroup, FindingId, GroupKind, Bucket, ReasonCode, SourceOfAuthority, OnPremisesGroupType } from '../model';
import { WritebackWatchError } from '../errors';
import { snapshotPartitionKey, snapshotRowKey } from './keys';

export const MAX_STRING_CHARS = 32_767;
export const MAX_ENTITY_BYTES = 1_048_576;
export const MAX_PROPERTIES = 252;

export interface SnapshotEntity {
  partitionKey: string;
  rowKey: string;
  groupId: string;
  displayName?: string;
  mail?: string;
  createdDateTime?: string;
  kind: string;
  sourceOfAuthority: string;
  bucket: string;
  effectiveTargetType?: string;
  reason: string;
  findings: string;
  portalShowsNoWriteback: boolean;
  memberCount?: number;
  dynamic: boolean;
  roleAssignable: boolean;
  team: boolean;
  visibility?: string;
  rawIsEnabled?: boolean;
  rawOnPremisesGroupType?: string;
  rawOnPremisesGroupTypeNormalized?: string;
  rawOnPremisesSyncEnabled?: boolean;
  rawSecurityEnabled?: boolean;
  rawMailEnabled?: boolean;
  rawGroupTypes: string;
  /** Names of properties cut to the string limit. */
  truncated?: string;
}

/** Table Storage drops null properties; undefined keeps them out of the payload. */
function opt<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function back<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

export function toSnapshotEntity(group: ClassifiedGroup): SnapshotEntity {
  const truncated: string[] = [];
  const cap = (name: string, value: string | null): string | undefined => {
    if (value === null) return undefined;
    if (value.length <= MAX_STRING_CHARS) return value;
    truncated.push(name);
    return value.slice(0, MAX_STRING_CHARS);
  };
  const entity: SnapshotEntity = {
    partitionKey: snapshotPartitionKey(group.id),
    rowKey: snapshotRowKey(group.id),
    groupId: group.id,
    displayName: cap('displayName', group.displayName),
    mail: cap('mail', group.mail),
    createdDateTime: cap('createdDateTime', group.createdDateTime),
    kind: group.kind,
    sourceOfAuthority: group.sourceOfAuthority,
    bucket: group.bucket,
    effectiveTargetType: opt(group.effectiveTargetType),
    reason: group.reason,
    findings: group.findings.join(','),
    portalShowsNoWriteback: group.portalShowsNoWriteback,
    memberCount: opt(group.memberCount),
    dynamic: group.flags.dynamic,
    roleAssignable: group.flags.roleAssignable,
    team: group.flags.team,
    visibility: cap('visibility', group.flags.visibility),
    rawIsEnabled: opt(group.raw.isEnabled),
    rawOnPremisesGroupType: cap('rawOnPremisesGroupType', group.raw.onPremisesGroupType),
    rawOnPremisesGroupTypeNormalized: opt(group.raw.onPremisesGroupTypeNormalized),
    rawOnPremisesSyncEnabled: opt(group.raw.onPremisesSyncEnabled),
    rawSecurityEnabled: opt(group.raw.securityEnabled),
    rawMailEnabled: opt(group.raw.mailEnabled),
    rawGroupTypes: cap('rawGroupTypes', JSON.stringify(group.raw.groupTypes)) ?? '[]',
  };
  if (truncated.length > 0) entity.truncated = truncated.join(',');
  assertEntityFits(entity);
  return entity;
}

/** Approximates the service's size rule (2 bytes per string char + 8 per property + names). */
export function assertEntityFits(entity: object): void {
  let bytes = 4;
  let properties = 0;
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined) continue;
    properties += 1;
    bytes += 8 + name.length * 2;
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_CHARS) {
        throw new WritebackWatchError('EntityTooLarge', `Property ${name} holds ${value.length} characters; Table Storage allows ${MAX_STRING_CHARS}.`);
      }
      bytes += 4 + value.length * 2;
    } else {
      bytes += 8;
    }
  }
  if (properties - 2 > MAX_PROPERTIES) {
    throw new WritebackWatchError('EntityTooLarge', `Entity has ${properties - 2} properties; Table Storage allows ${MAX_PROPERTIES}.`);
  }
  if (bytes > MAX_ENTITY_BYTES) {
    throw new WritebackWatchError('EntityTooLarge', `Entity is about ${bytes} bytes; Table Storage allows ${MAX_ENTITY_BYTES}.`);
  }
}

export function fromSnapshotEntity(entity: Record<string, unknown>): ClassifiedGroup {
  const e = entity as unknown as SnapshotEntity;
  return {
    id: e.groupId,
    displayName: back(e.displayName),
    mail: back(e.mail),
    createdDateTime: back(e.createdDateTime),
    kind: e.kind as GroupKind,
    sourceOfAuthority: e.sourceOfAuthority as SourceOfAuthority,
    flags: { dynamic: e.dynamic, roleAssignable: e.roleAssignable, team: e.team, visibility: back(e.visibility) },
    bucket: e.bucket as Bucket,
    effectiveTargetType: back(e.effectiveTargetType) as OnPremisesGroupType | null,
    reason: e.reason as ReasonCode,
    findings: e.findings ? (e.findings.split(',') as FindingId[]) : [],
    portalShowsNoWriteback: e.portalShowsNoWriteback,
    memberCount: e.memberCount === undefined || e.memberCount === null ? null : Number(e.memberCount),
    raw: {
      isEnabled: back(e.rawIsEnabled),
      onPremisesGroupType: back(e.rawOnPremisesGroupType),
      onPremisesGroupTypeNormalized: back(e.rawOnPremisesGroupTypeNormalized) as OnPremisesGroupType | null,
      onPremisesSyncEnabled: back(e.rawOnPremisesSyncEnabled),
      securityEnabled: back(e.rawSecurityEnabled),
      mailEnabled: back(e.rawMailEnabled),
      groupTypes: parseStringArray(e.rawGroupTypes),
    },
  };
}

function parseStringArray(text: string | undefined): string[] {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
