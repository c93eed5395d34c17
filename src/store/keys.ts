/**
 * Group keys and the order snapshots are read in. A group's key is its id, lower-cased, with the characters
 * Table Storage forbids in keys escaped. Its shard is the id's first character (0-9, a-f, or `z` for anything
 * else) and its partition the second; group versions (versionKeys.ts) live in one table per shard and partition
 * pair, and the per-scan tables of earlier releases (legacySnapshotTables.ts) in one table per shard with a
 * partition per second character. Either way, read in shard order and each table in key order, groups come out
 * in `snapshotSortKey` order, which the diff engine relies on to merge two scans without holding either.
 */

const HEX = /^[0-9a-f]$/;
/**
 * Characters Table Storage forbids in keys (/ \ # ?), control characters, % (our escape character), and space and
 * `!`: a group version's RowKey is the group's key, `!`, then the scan (versionKeys.ts), and every key character must
 * sort above `!` so that one group's versions sit together, ordered like the groups.
 */
const FORBIDDEN = /[ !\/\\#?%\u0000-\u001f\u007f-\u009f]/g;

/** Partitions Graph's GUID ids spread over evenly: 16 shards of 16 partition keys. */
export const GUID_PARTITIONS = 256;

/** Shards in read order. */
export const SNAPSHOT_SHARDS: readonly string[] = [...'0123456789abcdef', 'z'];

/** Graph ids are GUIDs; anything else (hand-made fixtures) goes to `z`, which sorts after the hex digits. */
const hexOrZ = (char: string): string => (HEX.test(char) ? char : 'z');

export function snapshotShard(groupId: string): string {
  return hexOrZ(groupId.charAt(0).toLowerCase());
}

export function snapshotPartitionKey(groupId: string): string {
  return hexOrZ(groupId.charAt(1).toLowerCase());
}

export function snapshotRowKey(groupId: string): string {
  return groupId.toLowerCase().replace(FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Where one group's row lives. */
export interface SnapshotAddress {
  shard: string;
  partitionKey: string;
  rowKey: string;
}

export function snapshotAddress(groupId: string): SnapshotAddress {
  return { shard: snapshotShard(groupId), partitionKey: snapshotPartitionKey(groupId), rowKey: snapshotRowKey(groupId) };
}

/** Ordinal sort key matching the order snapshot rows are read in. */
export function snapshotSortKey(groupId: string): string {
  return snapshotShard(groupId) + snapshotPartitionKey(groupId) + snapshotRowKey(groupId);
}

export function compareSnapshotOrder(a: string, b: string): number {
  const ka = snapshotSortKey(a);
  const kb = snapshotSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
