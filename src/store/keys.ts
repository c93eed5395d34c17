/**
 * Snapshot keys. Rows of one scan live in one table per scan (so retention deletes a whole scan with one
 * DeleteTable call instead of 500,000 entity deletes). Inside it, PartitionKey is the first hex digit of the
 * group id (16 partitions, so batches of 100 fill quickly and writes spread) and RowKey is the id itself.
 * Table Storage returns a full-table query ordered by PartitionKey then RowKey; because the PartitionKey is a
 * one-character prefix of the RowKey, that order is simply the order of `snapshotSortKey`, which the diff
 * engine relies on to merge two scans without holding either in memory.
 */

const HEX = /^[0-9a-f]$/;
/** Characters Table Storage forbids in keys (/ \ # ?), control characters, and % (our escape character). */
const FORBIDDEN = /[\/\\#?%\u0000-\u001f\u007f-\u009f]/g;

export function snapshotPartitionKey(groupId: string): string {
  const first = groupId.charAt(0).toLowerCase();
  // Graph ids are GUIDs; anything else (hand-made fixtures) shares one partition that sorts after the hex ones.
  return HEX.test(first) ? first : 'z';
}

export function snapshotRowKey(groupId: string): string {
  return groupId.toLowerCase().replace(FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Ordinal sort key matching the order Table Storage returns snapshot rows in. */
export function snapshotSortKey(groupId: string): string {
  return snapshotPartitionKey(groupId) + snapshotRowKey(groupId);
}

export function compareSnapshotOrder(a: string, b: string): number {
  const ka = snapshotSortKey(a);
  const kb = snapshotSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
