/**
 * The pure parts of the version layout (docs/storage.md): which version a scan reads, the keys that keep a
 * group's versions together and ordered, which retired scans retention may reclaim, and packing large change
 * chunks into entities (against Azurite).
 */
import { describe, expect, it } from 'vitest';
import { pickVersion, versionEntity, fingerprintOf, type StoredRow, type VersionEntity } from '../../src/store/versionStore';
import { groupVersionRange, parseVersionRowKey, versionRowKey, versionShard, VERSION_SHARDS } from '../../src/store/versionKeys';
import { compareSnapshotOrder, snapshotSortKey } from '../../src/store/keys';
import { scansToReclaim } from '../../src/scan/retention';
import { newScanRecord, type StoredScan } from '../../src/store/scanStore';
import { ChangeLog, type ChangeEntry } from '../../src/store/changeLog';
import { createTableFactory } from '../../src/store/tableClients';
import { testSettings } from '../helpers/settings';
import { FingerprintIndex, fingerprintNumber } from '../../src/store/fingerprintIndex';

const TENANT = '11111111-2222-3333-4444-555555555555';
const row = (groupId: string, details = '{}'): StoredRow => ({ groupId, bucket: 'notWrittenBack', kind: 'cloudSecurity', details });

describe('group versions', () => {
  const scans = ['20261101T020000Z-aaaaaa', '20261102T020000Z-bbbbbb', '20261103T020000Z-cccccc', '20261104T020000Z-dddddd'];
  const id = '0a1b2c3d-0000-4000-8000-000000000001';
  // Newest first, as a group's versions are stored.
  const versions: VersionEntity[] = [
    versionEntity(TENANT, scans[3]!, id, null, null),
    versionEntity(TENANT, scans[2]!, id, row(id, '{"v":3}'), null),
    versionEntity(TENANT, scans[0]!, id, row(id, '{"v":1}'), null),
  ];

  it('reads the newest version at or before the scan, skipping scans that did not finish', () => {
    const view = (scanId: string, excluded: string[] = []) => ({ tenantId: TENANT, scanId, excluded: new Set(excluded) });
    expect(pickVersion(versions, view(scans[0]!))?.details).toBe('{"v":1}');
    expect(pickVersion(versions, view(scans[1]!))?.details).toBe('{"v":1}');
    expect(pickVersion(versions, view(scans[2]!))?.details).toBe('{"v":3}');
    expect(pickVersion(versions, view(scans[2]!, [scans[2]!]))?.details).toBe('{"v":1}');
    expect(pickVersion(versions, view(scans[3]!))?.removed).toBe('1');
    expect(pickVersion(versions, view('20261031T020000Z-000000'))).toBeNull();
  });

  it("keeps a group's versions together, newest first, in the groups' snapshot order", () => {
    const ids = ['ab', 'ab c', 'ab!', 'abc', 'ab-1', 'AB d', '0f00', 'z/1', 'x y'];
    const keys = ids.flatMap((groupId) => scans.map((scanId) => ({ groupId, scanId, key: versionShard(groupId) + versionRowKey(groupId, scanId) })));
    const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // Grouped by group, the groups in snapshotSortKey order, each group's scans newest first.
    const groupOrder = [...new Set(sorted.map((k) => k.groupId))];
    expect(groupOrder).toEqual([...ids].sort(compareSnapshotOrder));
    for (const groupId of ids) expect(sorted.filter((k) => k.groupId === groupId).map((k) => k.scanId)).toEqual([...scans].reverse());
    for (const { groupId, scanId } of keys) {
      const rowKey = versionRowKey(groupId, scanId);
      const { from, to } = groupVersionRange(groupId);
      expect(rowKey >= from && rowKey < to).toBe(true);
      expect(parseVersionRowKey(rowKey).scanId).toBe(scanId);
      // No other group's version falls in this group's range.
      for (const other of ids.filter((o) => o.toLowerCase() !== groupId.toLowerCase())) {
        const otherKey = versionRowKey(other, scanId);
        expect(versionShard(other) === versionShard(groupId) && otherKey >= from && otherKey < to).toBe(false);
      }
    }
    expect(VERSION_SHARDS).toEqual([...VERSION_SHARDS].sort());
    expect(snapshotSortKey('ab c') < snapshotSortKey('abc')).toBe(true);
  });

  it('fingerprints a state by every stored column', () => {
    const base = row('g', '{"a":1}');
    expect(fingerprintOf(base)).toBe(fingerprintOf({ ...base }));
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, details: '{"a":2}' }));
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, displayName: 'x' }));
    expect(fingerprintOf(base)).not.toBe(fingerprintOf({ ...base, bucket: 'writtenBack' }));
  });
});

describe('which retired scans retention reclaims', () => {
  const scan = (day: number, status: StoredScan['status']): StoredScan => ({
    ...newScanRecord({ id: `202611${String(day).padStart(2, '0')}T020000Z-aaaaaa`, tenantId: TENANT, trigger: 'timer', startedAt: new Date(Date.UTC(2026, 10, day)), mode: 'full', baseScanId: null, fullScanAt: null }),
    status,
  });

  it('takes the run of retired scans at the old end, failed scans aside, each with the scan after it', () => {
    // Newest first, as the scans table lists them.
    const history = [scan(9, 'complete'), scan(8, 'retired'), scan(7, 'complete'), scan(6, 'retired'), scan(5, 'failed'), scan(4, 'retired'), scan(3, 'failed')];
    expect(scansToReclaim(history).map(({ scan: s, next }) => [s.id.slice(6, 8), next?.id.slice(6, 8)])).toEqual([
      ['04', '06'],
      ['06', '07'],
    ]);
    expect(scansToReclaim([scan(2, 'complete'), scan(1, 'complete')])).toEqual([]);
  });
});

describe('change chunks', () => {
  it('pack entries far larger than one property into one entity, and read back as written', async () => {
    const log = new ChangeLog(createTableFactory(testSettings()));
    const scanId = '20261201T020000Z-abcdef';
    const big = 'x'.repeat(12_000);
    const entries: ChangeEntry[] = Array.from({ length: 30 }, (_, i) => ({ id: `g${i}`, p: null, f: `fp${i}`, b: row(`g${i}`, JSON.stringify({ big })), a: row(`g${i}`) }));
    await log.writeChunks(TENANT, scanId, [
      { shard: 'zz', chunk: 1, entries },
      { shard: '0a', chunk: 0, entries: entries.slice(0, 2) },
    ]);
    const read = [];
    for await (const chunk of log.readChunks(TENANT, scanId)) read.push(chunk);
    expect(read.map((c) => `${c.shard}-${c.chunk}`)).toEqual(['0a-0', 'zz-1']);
    expect(read[1]!.entries).toEqual(entries);
    expect(await log.deleteChunks(TENANT, scanId)).toBe(2);
    expect(await log.deleteChunks(TENANT, scanId)).toBe(0);
  });
});

describe('the fingerprint index of a full scan', () => {
  it('holds GUIDs and other ids alike, gives each fingerprint once, and lists what is left', () => {
    const index = new FingerprintIndex();
    const guid = '0a1b2c3d-4e5f-4a6b-8c7d-9e0fa1b2c3d4';
    const fp = fingerprintOf(row(guid));
    index.set(guid, fp);
    index.set('fixture-group', fingerprintOf(row('fixture-group')));
    index.set('ffffffff-ffff-ffff-ffff-ffffffffffff', fp);
    expect(index.size).toBe(3);
    expect(index.take(guid)).toBe(fingerprintNumber(fp));
    expect(index.take(guid)).toBeUndefined();
    expect(fingerprintNumber(fp)).not.toBe(fingerprintNumber(fingerprintOf(row(guid, '{"x":1}'))));
    expect([...index.keys()].sort()).toEqual(['ffffffff-ffff-ffff-ffff-ffffffffffff', 'fixture-group']);
  });

  it('keeps an id that only looks like a GUID as it is, and reads a fingerprint as its first 48 bits', () => {
    const index = new FingerprintIndex();
    const almost = ['0a1b2c3d-4e5f-4a6b-8c7d-9e0fa1b2c3dg', '0a1b2c3d-4e5f-4a6b-8c7d-9e0fa1b2c3d', '0a1b2c3d_4e5f-4a6b-8c7d-9e0fa1b2c3d4', '0a1b2c3d-4e5f-4a6b-8c7d-9e0fa1b2c3dé'];
    for (const id of almost) index.set(id, fingerprintOf(row(id)));
    expect([...index.keys()].sort()).toEqual([...almost].sort());
    for (const id of almost) expect(index.take(id)).toBe(fingerprintNumber(fingerprintOf(row(id))));
    for (const fp of ['AAAAAAAAAAAAAAAA', '////////////////', 'q83vEjRWeJq83vEj', '-_-_-_-_xxxxxxxx', fingerprintOf(row('x'))]) {
      expect(fingerprintNumber(fp)).toBe(Buffer.from(fp, 'base64').readUIntBE(0, 6));
    }
  });

  it('answers like a map through growth, overwrites, removals and re-adds (a seeded mix of 60,000 operations)', () => {
    let seed = 42;
    const random = (): number => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const hex = (digits: number): string => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
    const ids = Array.from({ length: 6_000 }, (_, i) => (i % 50 === 0 ? `fixture-${i}` : `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`));
    const index = new FingerprintIndex();
    const model = new Map<string, number>();
    for (let op = 0; op < 60_000; op += 1) {
      const id = ids[Math.floor(random() * ids.length)]!;
      if (random() < 0.55) {
        const fp = fingerprintOf(row(id, `{"n":${op}}`));
        index.set(id, fp);
        model.set(id, fingerprintNumber(fp));
      } else {
        expect(index.take(id)).toBe(model.get(id));
        model.delete(id);
      }
      expect(index.size).toBe(model.size);
    }
    expect(model.size).toBeGreaterThan(1_000); // grown well past the table's first size
    expect([...index.keys()].sort()).toEqual([...model.keys()].sort());
    index.clear();
    expect([index.size, [...index.keys()]]).toEqual([0, []]);
    expect(index.take(ids[1]!)).toBeUndefined();
  });
});
