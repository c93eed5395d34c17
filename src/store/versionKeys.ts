/**
 * Keys of the group-version tables (versionStore.ts). A version is one state of one group, stored by the scan
 * that first saw it and read by every later scan until the group changes again.
 * - Table `gv<shard>`, the shard being the group id's first two characters (hex, or `z`), so that every table
 *   stays small whatever the tenant's size, and a snapshot read in table order comes out in `snapshotSortKey`
 *   order.
 * - PartitionKey: the tenant id. One group's versions share a partition, so its history is one partition read.
 * - RowKey: `<group key>!<scan row key>`. The scan row key inverts the scan's time (scanIds.ts), so a group's
 *   versions sort newest first, and a group's rows sort with the group (keys.ts keeps `!` out of group keys).
 */
import { snapshotPartitionKey, snapshotRowKey, snapshotShard, SNAPSHOT_SHARDS } from './keys';
import { scanIdFromRowKey, scanRowKey } from './scanIds';

const SEPARATOR = '!';
/** The character right after the separator: the end of one group's range of versions. */
const AFTER_SEPARATOR = '"';

/** Version tables in read order: 00, 01, ... ff, then the `z` shards of ids that are not GUIDs. */
export const VERSION_SHARDS: readonly string[] = SNAPSHOT_SHARDS.flatMap((first) => SNAPSHOT_SHARDS.map((second) => first + second));

export function versionShard(groupId: string): string {
  return snapshotShard(groupId) + snapshotPartitionKey(groupId);
}

export const VERSION_TABLE_PREFIX = 'gv';

export function versionTableName(shard: string): string {
  return `${VERSION_TABLE_PREFIX}${shard}`;
}

export function versionRowKey(groupId: string, scanId: string): string {
  return `${snapshotRowKey(groupId)}${SEPARATOR}${scanRowKey(scanId)}`;
}

/** RowKey bounds (from inclusive, to exclusive) of every version of one group. */
export function groupVersionRange(groupId: string): { from: string; to: string } {
  const key = snapshotRowKey(groupId);
  return { from: key + SEPARATOR, to: key + AFTER_SEPARATOR };
}

/** The group key and the scan of a version's RowKey. */
export function parseVersionRowKey(rowKey: string): { groupKey: string; scanId: string } {
  const at = rowKey.lastIndexOf(SEPARATOR);
  return { groupKey: rowKey.slice(0, at), scanId: scanIdFromRowKey(rowKey.slice(at + 1)) };
}
