/**
 * The snapshot writer against Azurite: which part-filled batches it sends and when, what a checkpoint's
 * `storedThrough` waits for, replayed rows (a resumed scan) stored again instead of failing the batch, and
 * snapshots spread over segments read back as one.
 */
import { describe, expect, it } from 'vitest';
import { LegacySnapshotTablesWithWriter as SnapshotStore, type SnapshotWriterOptions } from '../helpers/legacySnapshotWriter';
import { createTableFactory } from '../../src/store/tableClients';
import { compareSnapshotOrder, snapshotPartitionKey, snapshotRowKey } from '../../src/store/keys';
import { snapshotTableName } from '../../src/store/scanIds';
import type { SnapshotEntity } from '../../src/store/snapshotEntity';
import { testSettings } from '../helpers/settings';

const SCAN_ID = '20261126T020000Z-abc123';
const SCAN = { id: SCAN_ID, snapshotSegments: 1 };

/** `count` rows in the partition of ids starting with `prefix` (two characters: table shard and partition). */
function rows(prefix: string, count: number, details = 'v1'): SnapshotEntity[] {
  return Array.from({ length: count }, (_, i) => {
    const groupId = `${prefix}${String(i).padStart(6, '0')}-0000-4000-8000-000000000000`;
    return { partitionKey: snapshotPartitionKey(groupId), rowKey: snapshotRowKey(groupId), groupId, bucket: 'notWrittenBack', kind: 'cloudSecurity', details };
  });
}

async function storedIds(store: SnapshotStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const entity of store.readEntities(SCAN)) ids.push(entity.groupId);
  return ids.sort();
}

const idsOf = (entities: SnapshotEntity[]): string[] => entities.map((e) => e.groupId).sort();

/** Waits until `check` holds (the writer works in the background), or fails after a few seconds. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not reached within 5 s');
}

async function newWriter(options: SnapshotWriterOptions) {
  const store = new SnapshotStore(createTableFactory(testSettings()));
  return { store, writer: await store.createWriter(SCAN_ID, options) };
}

/** No part-filled batch goes out by itself: only the rules under test send them. */
const quiet: SnapshotWriterOptions = { maxBufferedRows: 100_000, idleBatchRows: Number.POSITIVE_INFINITY };

describe('SnapshotWriter', () => {
  it('sends a partition as soon as it holds 100 rows and keeps smaller ones until asked', async () => {
    const { store, writer } = await newWriter(quiet);
    const full = rows('a1', 100);
    const partial = rows('b2', 40);
    await writer.addEntities([...full, ...partial], 1);
    await writer.storedThrough(0).stored; // sends nothing: waits for what is on its way
    expect(await storedIds(store)).toEqual(idsOf(full));
    await writer.flush();
    expect(await storedIds(store)).toEqual(idsOf([...full, ...partial]));
    expect(writer.batches).toBe(2);
  });

  it('storedThrough(page) stores every row of that page and earlier, and leaves later partitions filling', async () => {
    const { store, writer } = await newWriter(quiet);
    const page1 = rows('c3', 30);
    const page2 = rows('d4', 30);
    const page2SamePartition = rows('c3', 40).slice(30); // joins page 1's partition, so it goes with it
    await writer.addEntities(page1, 1);
    await writer.addEntities([...page2, ...page2SamePartition], 2);
    await writer.storedThrough(1).stored;
    expect(await storedIds(store)).toEqual(idsOf([...page1, ...page2SamePartition]));
    await writer.storedThrough(2).stored;
    expect(await storedIds(store)).toEqual(idsOf([...page1, ...page2, ...page2SamePartition]));
  });

  it('sends the fullest partition part-filled when too many rows wait', async () => {
    const { store, writer } = await newWriter({ ...quiet, maxBufferedRows: 50 });
    const fullest = rows('e5', 30);
    const others = [...rows('f6', 20), ...rows('07', 10)];
    await writer.addEntities([...fullest, ...others], 1);
    await writer.storedThrough(0).stored;
    expect(await storedIds(store)).toEqual(idsOf(fullest));
    await writer.flush();
    expect(await storedIds(store)).toEqual(idsOf([...fullest, ...others]));
  });

  it('uses idle storage for the fullest partition that holds enough rows', async () => {
    const { store, writer } = await newWriter({ maxBufferedRows: 100_000, idleBatchRows: 25 });
    const full = rows('18', 100);
    const enough = rows('29', 30);
    const tooFew = rows('3a', 10);
    await writer.addEntities([...tooFew, ...enough, ...full], 1);
    // Once the full batch is stored, storage has nothing to do: the 30 rows go, the 10 rows wait.
    await eventually(async () => (await storedIds(store)).length === 130);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await storedIds(store)).toEqual(idsOf([...full, ...enough]));
    await writer.flush();
    expect(await storedIds(store)).toEqual(idsOf([...full, ...enough, ...tooFew]));
  });

  it('stores replayed rows again (a resumed scan redoing pages) instead of failing their batch', async () => {
    const settings = testSettings();
    const store = new SnapshotStore(createTableFactory(settings));
    const first = await store.createWriter(SCAN_ID, quiet);
    await first.addEntities([...rows('4b', 100), ...rows('5c', 10)], 1);
    await first.flush();

    // A second process resumes: some rows are new, some exist already (with older content).
    const resumed = await store.createWriter(SCAN_ID, quiet);
    const replayed = [...rows('4b', 100, 'v2'), ...rows('5c', 20, 'v2')];
    await resumed.addEntities(replayed, 1);
    await resumed.flush();
    const stored = new Map<string, string>();
    for await (const entity of store.readEntities(SCAN)) stored.set(entity.groupId, entity.details);
    expect([...stored.keys()].sort()).toEqual(idsOf(replayed));
    expect(new Set(stored.values())).toEqual(new Set(['v2']));
  });
});

describe('SnapshotStore segments', () => {
  const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  };

  it('reads the rows of every segment as one snapshot in sort order, the later segment winning a group stored twice', async () => {
    const settings = testSettings();
    const factory = createTableFactory(settings);
    const store = new SnapshotStore(factory);
    const writer = await store.createWriter(SCAN_ID, quiet);
    // Same shards and partitions in both segments, interleaved ids, and one group listed in both.
    // Details are JSON, as readGroup decodes them.
    const segment0 = [...rows('a1', 30, '{"v":0}'), ...rows('b2', 5, '{"v":0}')].filter((_, i) => i % 2 === 0);
    const segment1 = [...rows('a1', 30, '{"v":1}'), ...rows('c3', 7, '{"v":1}')].filter((_, i) => i % 2 === 1 || i === 0);
    await writer.addEntities(segment0, 1, 0);
    await writer.addEntities(segment1, 2, 1);
    await writer.flush();
    expect(writer.segments).toBe(2);
    expect((await collect(factory.listTables(snapshotTableName(SCAN_ID)))).length).toBe(34);

    const read = await collect(store.readEntities({ id: SCAN_ID, snapshotSegments: 2 }));
    const expected = new Map([...segment0, ...segment1].map((row) => [row.groupId, row.details]));
    expect(read.map((row) => row.groupId)).toEqual([...expected.keys()].sort(compareSnapshotOrder));
    expect(read.map((row) => row.details)).toEqual(read.map((row) => expected.get(row.groupId)));
    expect(read.find((row) => row.groupId === segment1[0]!.groupId)?.details).toBe('{"v":1}');
    // Asking for one segment where there are two reads only the first: the count comes from the scan's record.
    expect((await collect(store.readEntities(SCAN))).length).toBe(segment0.length);

    const twice = await store.readGroup({ id: SCAN_ID, snapshotSegments: 2 }, segment1[0]!.groupId);
    expect(twice?.id).toBe(segment1[0]!.groupId);
    const onlyInSecond = segment1.find((row) => row.groupId.startsWith('c3'))!;
    expect((await store.readGroup({ id: SCAN_ID, snapshotSegments: 2 }, onlyInSecond.groupId))?.id).toBe(onlyInSecond.groupId);
    expect(await store.readGroup(SCAN, onlyInSecond.groupId)).toBeNull();
  });

  it('continues a read after any group id, across shards and segments, with the filters still applied', async () => {
    const store = new SnapshotStore(createTableFactory(testSettings()));
    const writer = await store.createWriter(SCAN_ID, quiet);
    const all = [...rows('a1', 12), ...rows('a7', 6), ...rows('b2', 9), ...rows('f0', 4)].map((row, i) => ({ ...row, bucket: i % 3 === 0 ? 'writtenBack' : 'notWrittenBack' }));
    await writer.addEntities(all.filter((_, i) => i % 2 === 0), 1, 0);
    await writer.addEntities(all.filter((_, i) => i % 2 === 1), 2, 1);
    await writer.flush();
    const scan = { id: SCAN_ID, snapshotSegments: 2 };
    const ordered = (await collect(store.readEntities(scan))).map((row) => row.groupId);
    expect(ordered).toHaveLength(all.length);
    for (const [index, after] of ordered.entries()) {
      expect((await collect(store.readEntities(scan, { after }))).map((row) => row.groupId)).toEqual(ordered.slice(index + 1));
    }
    const writtenBack = (await collect(store.readEntities(scan, { bucket: 'writtenBack' }))).map((row) => row.groupId);
    const middle = ordered[Math.floor(ordered.length / 2)]!;
    const rest = (await collect(store.readEntities(scan, { bucket: 'writtenBack', after: middle }))).map((row) => row.groupId);
    expect(rest).toEqual(writtenBack.filter((id) => compareSnapshotOrder(id, middle) > 0));
    expect(rest.length).toBeGreaterThan(0);
  });

  it('merges many segments whose tables each take several query pages', async () => {
    const store = new SnapshotStore(createTableFactory(testSettings()));
    const writer = await store.createWriter(SCAN_ID, { concurrency: 8 });
    // 12 segments read side by side take pages of 166 rows; 200 rows of one table each need two.
    const written: SnapshotEntity[] = [];
    for (let segment = 0; segment < 12; segment += 1) {
      const batch = rows('a7', 2400).filter((_, i) => i % 12 === segment);
      written.push(...batch);
      await writer.addEntities(batch, segment + 1, segment);
    }
    await writer.flush();
    const read = await collect(store.readEntities({ id: SCAN_ID, snapshotSegments: 12 }));
    expect(read.map((row) => row.groupId)).toEqual(idsOf(written));
  });

  it('filters every segment server-side and merges what each returns', async () => {
    const store = new SnapshotStore(createTableFactory(testSettings()));
    const writer = await store.createWriter(SCAN_ID, quiet);
    const withBucket = (list: SnapshotEntity[], bucket: string): SnapshotEntity[] => list.map((row) => ({ ...row, bucket }));
    const wanted0 = withBucket(rows('d4', 4), 'writtenBack');
    const wanted1 = withBucket(rows('d5', 3), 'writtenBack');
    await writer.addEntities([...wanted0, ...rows('d6', 5)], 1, 0);
    await writer.addEntities([...wanted1, ...rows('d7', 5)], 2, 1);
    await writer.flush();
    const read = await collect(store.readEntities({ id: SCAN_ID, snapshotSegments: 2 }, { bucket: 'writtenBack' }));
    expect(read.map((row) => row.groupId)).toEqual(idsOf([...wanted0, ...wanted1]));
  });

  it('creates the tables of every segment up to the highest used, and deletes them all, segment 0 first', async () => {
    const factory = createTableFactory(testSettings());
    const deleted: string[] = [];
    const store = new SnapshotStore({ ...factory, deleteTable: async (name) => { deleted.push(name); await factory.deleteTable(name); } });
    const writer = await store.createWriter(SCAN_ID, quiet);
    await writer.addEntities(rows('e8', 3), 1, 0);
    await writer.addEntities(rows('e9', 3), 2, 2); // segment 1 holds no rows but is created all the same
    await writer.flush();
    expect(writer.segments).toBe(3);
    expect((await collect(factory.listTables(snapshotTableName(SCAN_ID)))).length).toBe(51);
    await store.deleteSnapshot(SCAN_ID);
    expect(deleted).toHaveLength(51);
    expect(deleted.slice(0, 17).every((name) => name.length === snapshotTableName(SCAN_ID).length + 1)).toBe(true);
    expect(await collect(factory.listTables(snapshotTableName(SCAN_ID)))).toEqual([]);
  });
});
