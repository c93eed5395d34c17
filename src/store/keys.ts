/**
 * Snapshot keys. One scan's rows are spread over 17 tables of their own, one per first character of the group
 * id (0-9, a-f, and `z` for ids that do not start with a hex digit), and inside each table over 16 partitions
 * by the id's second character. Why:
 * - Retention deletes a scan with a DeleteTable call per table instead of 500,000 entity deletes.
 * - 256 partitions spread writes (Table Storage scales by partition) while a writer that fills batches of 100
 *   across pages still needs only 256 small buffers.
 * - Small tables and partitions keep every lookup and ordered query cheap, in Azure and in Azurite alike
 *   (Azurite scans a whole partition per insert and a whole table per query page); a large tenant's rows are
 *   also split into segments of 17 tables each (snapshotStore.ts), so neither grows with the tenant.
 * Read in shard order, each table ordered by PartitionKey then RowKey, the rows come out in `snapshotSortKey`
 * order, which the diff engine relies on to merge two scans without holding either in memory.
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
