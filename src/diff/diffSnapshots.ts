/**
 * The diff of two scans as a merge join. Both snapshots arrive ordered by `snapshotSortKey` (the order Table
 * Storage returns a snapshot table in, see store/keys.ts), so walking them side by side finds every added,
 * removed and changed group while holding one group of each side: memory does not grow with the tenant.
 */
import { WritebackWatchError } from '../errors';
import type { ClassifiedGroup, GroupChange } from '../model';
import { snapshotSortKey } from '../store/keys';
import { addedChange, compareGroups, removedChange } from './compareGroups';

type Side = 'before' | 'after';

interface Head {
  group: ClassifiedGroup;
  key: string;
}

/**
 * Reads one snapshot and checks that each key is strictly greater than the last: a merge over unordered
 * input would silently report groups as removed and added, so out-of-order input is an error, not a guess.
 */
class OrderedSnapshotCursor {
  private readonly iterator: AsyncIterator<ClassifiedGroup>;
  private lastKey: string | null = null;
  private lastId: string | null = null;
  private position = 0;

  constructor(
    source: AsyncIterable<ClassifiedGroup>,
    private readonly side: Side,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async next(): Promise<Head | null> {
    const result = await this.iterator.next();
    if (result.done) return null;
    const group = result.value;
    const key = snapshotSortKey(group.id);
    if (this.lastKey !== null && key <= this.lastKey) {
      const problem = key === this.lastKey ? 'appears twice' : `comes after group ${this.lastId}`;
      throw new WritebackWatchError(
        'InvalidInput',
        `The ${this.side} snapshot is not in snapshot key order: group ${group.id} (item ${this.position + 1}) ${problem}. ` +
          'Read snapshots in Table Storage order (PartitionKey, then RowKey) or sort them by snapshotSortKey before diffing.',
        { side: this.side, groupId: group.id, previousGroupId: this.lastId, position: this.position },
      );
    }
    this.lastKey = key;
    this.lastId = group.id;
    this.position += 1;
    return { group, key };
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/**
 * Yields one GroupChange per group that differs between `before` and `after`, in snapshot key order. Pulls
 * lazily: each input is read only as far as the merge needs to decide the next change.
 */
export async function* diffSnapshots(
  before: AsyncIterable<ClassifiedGroup>,
  after: AsyncIterable<ClassifiedGroup>,
): AsyncGenerator<GroupChange> {
  const left = new OrderedSnapshotCursor(before, 'before');
  const right = new OrderedSnapshotCursor(after, 'after');
  try {
    let old = await left.next();
    let now = await right.next();
    while (old !== null || now !== null) {
      if (old !== null && (now === null || old.key < now.key)) {
        yield removedChange(old.group);
        old = await left.next();
      } else if (now !== null && (old === null || now.key < old.key)) {
        yield addedChange(now.group);
        now = await right.next();
      } else if (old !== null && now !== null) {
        // Same key on both sides: the same group in both scans.
        const change = compareGroups(old.group, now.group);
        if (change !== null) yield change;
        old = await left.next();
        now = await right.next();
      }
    }
  } finally {
    // Also runs when the consumer stops early or an input throws: release both readers (open queries).
    await Promise.allSettled([left.close(), right.close()]);
  }
}

/**
 * The same changes from the change log (snapshotStore.ts `changedPairs`): each group a scan in between changed,
 * with its state in both scans, in snapshot key order. A group changed and changed back yields nothing.
 */
export async function* diffChangedPairs(pairs: AsyncIterable<{ before: ClassifiedGroup | null; after: ClassifiedGroup | null }>): AsyncGenerator<GroupChange> {
  for await (const { before, after } of pairs) {
    if (before && after) {
      const change = compareGroups(before, after);
      if (change !== null) yield change;
    } else if (before) yield removedChange(before);
    else if (after) yield addedChange(after);
  }
}
