/**
 * Maps a classified group to a Table Storage entity and back. Bucket and kind are columns of their own so the
 * API can filter on them server-side. Table Storage limits (which Azurite does not enforce) are enforced here: a string
 * property holds at most 32,767 UTF-16 characters (64 KiB), an entity at most 1 MiB and 252 custom properties.
 * Numbers live inside the JSON column, so none comes back as an Int64 bigint.
 */
import type { ClassifiedGroup, GroupKind, Bucket, EngineVerdict, EngineVerdicts, EngineVerdictValue, OnPremisesGroupType, ReasonCode, WritebackEngine } from '../model';
import { WritebackWatchError } from '../errors';
import { snapshotPartitionKey, snapshotRowKey } from './keys';

export const MAX_STRING_CHARS = 32_767;
export const MAX_ENTITY_BYTES = 1_048_576;
export const MAX_PROPERTIES = 252;

export interface SnapshotEntity {
  partitionKey: string;
  rowKey: string;
  groupId: string;
  /** Columns the API filters on server-side. */
  bucket: string;
  kind: string;
  displayName?: string;
  /** Everything else, as JSON. Table Storage (and Azurite even more) charges per property, so one column
   *  holding the details writes about twice as fast as two dozen flat ones. */
  details: string;
  /** Names of values cut to fit the limits. */
  truncated?: string;
}

/** Graph caps names and mail at 256 characters; anything longer is not a real value and is cut. */
const MAX_DETAIL_CHARS = 1024;

export function toSnapshotEntity(group: ClassifiedGroup): SnapshotEntity {
  const truncated: string[] = [];
  const cap = (name: string, value: string | null, limit: number): string | null => {
    if (value === null || value.length <= limit) return value;
    truncated.push(name);
    return value.slice(0, limit);
  };
  const details: StoredDetails = {
    mail: cap('mail', group.mail, MAX_DETAIL_CHARS),
    createdDateTime: cap('createdDateTime', group.createdDateTime, MAX_DETAIL_CHARS),
    sourceOfAuthority: group.sourceOfAuthority,
    flags: { ...group.flags, visibility: cap('visibility', group.flags.visibility, MAX_DETAIL_CHARS) },
    effectiveTargetType: group.effectiveTargetType,
    reason: group.reason,
    findings: group.findings,
    portalShowsNoWriteback: group.portalShowsNoWriteback,
    memberCount: group.memberCount,
    raw: {
      ...group.raw,
      onPremisesGroupType: cap('onPremisesGroupType', group.raw.onPremisesGroupType, MAX_DETAIL_CHARS),
      groupTypes: group.raw.groupTypes.slice(0, 32).map((t) => t.slice(0, MAX_DETAIL_CHARS)),
    },
    engines: encodeEngines(group.engines, cap),
  };
  if (group.raw.description !== undefined) details.raw.description = cap('description', group.raw.description, MAX_DETAIL_CHARS);
  if (group.raw.mailNickname !== undefined) details.raw.mailNickname = cap('mailNickname', group.raw.mailNickname, MAX_DETAIL_CHARS);
  const entity: SnapshotEntity = {
    partitionKey: snapshotPartitionKey(group.id),
    rowKey: snapshotRowKey(group.id),
    groupId: group.id,
    bucket: group.bucket,
    kind: group.kind,
    details: JSON.stringify(details),
  };
  const name = cap('displayName', group.displayName, MAX_STRING_CHARS);
  if (name !== null) entity.displayName = name;
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

/** The columns of a stored row, without what Table Storage adds (etag, timestamp, odata metadata). */
export function snapshotEntityOf(stored: Record<string, unknown>): SnapshotEntity {
  const e = stored as unknown as SnapshotEntity;
  const entity: SnapshotEntity = { partitionKey: e.partitionKey, rowKey: e.rowKey, groupId: e.groupId, bucket: e.bucket, kind: e.kind, details: e.details };
  if (e.displayName !== undefined) entity.displayName = e.displayName;
  if (e.truncated !== undefined) entity.truncated = e.truncated;
  return entity;
}

export function fromSnapshotEntity(entity: Record<string, unknown>): ClassifiedGroup {
  const e = entity as unknown as SnapshotEntity;
  const details = JSON.parse(e.details) as StoredDetails;
  // A value cut to fit is not the group's value: scoping filters must not be evaluated on it.
  if (e.truncated !== undefined) {
    const cut = e.truncated.split(',');
    if (cut.includes('description')) delete details.raw.description;
    if (cut.includes('mailNickname')) delete details.raw.mailNickname;
  }
  // Rebuilt in ClassifiedGroup's own key order, so a stored group serialises exactly like a fresh one.
  return {
    id: e.groupId,
    displayName: e.displayName ?? null,
    mail: details.mail,
    createdDateTime: details.createdDateTime,
    kind: e.kind as GroupKind,
    sourceOfAuthority: details.sourceOfAuthority,
    flags: details.flags,
    bucket: e.bucket as Bucket,
    effectiveTargetType: details.effectiveTargetType,
    reason: details.reason,
    findings: details.findings,
    portalShowsNoWriteback: details.portalShowsNoWriteback,
    memberCount: details.memberCount,
    raw: details.raw,
    // Rows stored before engine verdicts were kept were classified under Connect Sync v2 alone.
    engines: details.engines
      ? decodeEngines(details.engines)
      : { connectSyncV2: { verdict: e.bucket as Bucket, targetType: details.effectiveTargetType, reason: details.reason } },
  };
}

type StoredDetails = Omit<ClassifiedGroup, 'id' | 'bucket' | 'kind' | 'displayName' | 'engines'> & { engines?: StoredEngineVerdict[] };

/**
 * One engine's verdict as a short array (engine, verdict, target, reason, domain, container, detail) with
 * trailing nulls dropped: a row carries two or three of them, and key names would double their size.
 */
type StoredEngineVerdict = [WritebackEngine, EngineVerdictValue, OnPremisesGroupType | null, ReasonCode, ...(string | null)[]];

function encodeEngines(engines: EngineVerdicts, cap: (name: string, value: string | null, limit: number) => string | null): StoredEngineVerdict[] {
  const stored: StoredEngineVerdict[] = [];
  for (const [engine, verdict] of Object.entries(engines) as [WritebackEngine, EngineVerdict][]) {
    const tail = [
      verdict.domain ?? null,
      cap(`${engine}.container`, verdict.container ?? null, MAX_DETAIL_CHARS),
      cap(`${engine}.detail`, verdict.detail ?? null, MAX_DETAIL_CHARS),
    ];
    while (tail.length > 0 && tail[tail.length - 1] === null) tail.pop();
    stored.push([engine, verdict.verdict, verdict.targetType, verdict.reason, ...tail]);
  }
  return stored;
}

function decodeEngines(stored: readonly StoredEngineVerdict[]): EngineVerdicts {
  const engines: EngineVerdicts = {};
  for (const [engine, verdict, targetType, reason, domain, container, detail] of stored) {
    // Cloud Sync verdicts carry domain, container and detail always; Connect Sync ones never.
    engines[engine] =
      engine === 'cloudSync'
        ? { verdict, targetType, reason, domain: domain ?? null, container: container ?? null, detail: detail ?? null }
        : { verdict, targetType, reason };
  }
  return engines;
}
