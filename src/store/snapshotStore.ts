/**
 * Every snapshot read and written goes through here. Scans are stored as group versions with a change log
 * (versionStore.ts, changeLog.ts; the design is in docs/storage.md): a scan stores only the groups that changed,
 * and reading a scan's snapshot picks each group's newest version at or before it. Scans stored by earlier
 * releases (`snapshotLayout: 'tables'`) are read from their own tables (legacySnapshotTables.ts).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ClassifiedGroup } from '../model';
import type { ScanStore, StoredScan } from './scanStore';
import type { TableFactory } from './tableClients';
import { snapshotRowKey, snapshotSortKey } from './keys';
import { fromSnapshotEntity } from './snapshotEntity';
import { LegacySnapshotTables, type SnapshotQuery } from './legacySnapshotTables';
import { ChangeLog, type ChangeChunk, type ChangeEntry } from './changeLog';
import { ChangeWriter, type ChangeWriterOptions } from './changeWriter';
import { pickVersion, VersionStore, type SnapshotView, type StoredRow, type VersionEntity } from './versionStore';
import { versionRowKey, versionShard } from './versionKeys';
import { newScanId, scanIdTime } from './scanIds';
import { FingerprintIndex } from './fingerprintIndex';

export type { SnapshotQuery } from './legacySnapshotTables';

/** One group's state in two scans (null: not in that scan), as the change log tells it. */
export interface ChangedPair {
  before: ClassifiedGroup | null;
  after: ClassifiedGroup | null;
}

/** Shards looked up at once (each a query per fourteen groups). */
const LOOKUP_CONCURRENCY = 32;

const decode = (row: StoredRow | VersionEntity): ClassifiedGroup => fromSnapshotEntity(row as unknown as Record<string, unknown>);

/** What a resumed scan stored before it was interrupted. */
export interface OwnChanges {
  /** The last change stored per group key. */
  latest: Map<string, ChangeEntry>;
  /** Next chunk number per shard. */
  nextChunk: Map<string, number>;
}

export class SnapshotStore {
  readonly versions: VersionStore;
  readonly changeLog: ChangeLog;
  readonly legacy: LegacySnapshotTables;

  constructor(
    tables: TableFactory,
    private readonly scans: ScanStore,
  ) {
    this.versions = new VersionStore(tables);
    this.changeLog = new ChangeLog(tables);
    this.legacy = new LegacySnapshotTables(tables);
  }

  /** Scans whose versions no reader may see: failed ones, and running ones (their versions are not final). */
  async unfinishedScans(tenantId: string): Promise<Set<string>> {
    const excluded = new Set<string>();
    for await (const scan of this.scans.list(tenantId, { includeRetired: true })) {
      if (scan.status === 'failed' || scan.status === 'running') excluded.add(scan.id);
    }
    return excluded;
  }

  async view(scan: StoredScan): Promise<SnapshotView> {
    const excluded = await this.unfinishedScans(scan.tenantId);
    excluded.delete(scan.id);
    return { tenantId: scan.tenantId, scanId: scan.id, excluded };
  }

  /** Every group of a scan, in `snapshotSortKey` order (what the diff and paged listings rely on). */
  async *readGroups(scan: StoredScan, query: SnapshotQuery = {}): AsyncGenerator<ClassifiedGroup> {
    if (scan.snapshotLayout === 'tables') {
      yield* this.legacy.readGroups(scan, query);
      return;
    }
    for await (const version of this.versions.readSnapshot(await this.view(scan), query.after)) {
      // A group's version is picked before filtering: an older version that matched must not show instead.
      if (query.bucket && version.bucket !== query.bucket) continue;
      if (query.kind && version.kind !== query.kind) continue;
      yield decode(version);
    }
  }

  async readGroup(scan: StoredScan, groupId: string): Promise<ClassifiedGroup | null> {
    if (scan.snapshotLayout === 'tables') return this.legacy.readGroup(scan, groupId);
    const version = pickVersion(await this.versions.groupVersions(scan.tenantId, groupId), await this.view(scan));
    return version && !version.removed ? decode(version) : null;
  }

  /** One group in each of these complete scans: one partition read for all of them (legacy scans: a read each). */
  async history(tenantId: string, groupId: string, scans: readonly StoredScan[]): Promise<Array<ClassifiedGroup | null>> {
    const versions = scans.some((scan) => scan.snapshotLayout === 'versions') ? await this.versions.groupVersions(tenantId, groupId) : [];
    const excluded = await this.unfinishedScans(tenantId);
    return Promise.all(
      scans.map(async (scan) => {
        if (scan.snapshotLayout === 'tables') return this.legacy.readGroup(scan, groupId);
        const version = pickVersion(versions, { tenantId, scanId: scan.id, excluded });
        return version && !version.removed ? decode(version) : null;
      }),
    );
  }

  /** The version a view reads for each of these groups, by group key: shard by shard, fourteen groups a query. */
  async baseVersions(view: SnapshotView, groupIds: readonly string[]): Promise<Map<string, VersionEntity | null>> {
    const byShard = new Map<string, string[]>();
    for (const id of groupIds) {
      const shard = versionShard(id);
      let ids = byShard.get(shard);
      if (!ids) byShard.set(shard, (ids = []));
      ids.push(id);
    }
    const found = new Map<string, VersionEntity | null>();
    const shards = [...byShard];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(LOOKUP_CONCURRENCY, shards.length) }, async () => {
        while (next < shards.length) {
          const [shard, ids] = shards[next++]!;
          for (const [key, version] of await this.versions.latestVersions(view, shard, ids)) found.set(key, version);
        }
      }),
    );
    return found;
  }

  changeWriter(scan: StoredScan, base: SnapshotView | null, options: Partial<ChangeWriterOptions> = {}): ChangeWriter {
    return new ChangeWriter({ versions: this.versions, changeLog: this.changeLog, tenantId: scan.tenantId, scanId: scan.id, base, ...options });
  }

  /**
   * Fingerprint of every group of a complete scan, by group key: the manifest of the newest full scan it descends
   * from, with the changes of the delta scans since. Without a manifest (a scan interrupted and failed before it
   * wrote one, say), the snapshot is read whole instead.
   */
  async fingerprintIndex(base: StoredScan): Promise<FingerprintIndex> {
    const index = new FingerprintIndex();
    const deltas: StoredScan[] = [];
    let full: StoredScan | null = null;
    for await (const scan of this.scans.list(base.tenantId, { includeRetired: true, before: nextSecond(base.id) })) {
      if (scan.status !== 'complete' && scan.status !== 'retired') continue;
      if (scan.mode === 'full') {
        full = scan;
        break;
      }
      deltas.push(scan);
    }
    // The delta scans' changes (a few per cent of the groups) are read while the manifest is, and applied after it,
    // oldest first.
    const deltaChanges = Promise.all(
      deltas.reverse().map(async (delta) => {
        const changes: Array<[string, string | null]> = [];
        for await (const chunk of this.changeLog.readChunks(delta.tenantId, delta.id)) for (const entry of chunk.entries) changes.push([entry.id, entry.f]);
        return changes;
      }),
    );
    deltaChanges.catch(() => undefined); // awaited below
    let manifestPages = 0;
    if (full && full.snapshotLayout === 'versions') {
      for await (const { entries } of this.changeLog.readManifest(full.tenantId, full.id)) {
        manifestPages += 1;
        for (const [id, fp] of entries) index.set(snapshotRowKey(id), fp);
        // The scan's first Graph pages arrive meanwhile: let them be handled (and the next ones asked for) between pages.
        await yieldToEventLoop();
      }
    }
    const changesSince = await deltaChanges;
    if (manifestPages > 0) {
      for (const changes of changesSince) {
        for (const [id, fp] of changes) {
          if (fp === null) index.delete(snapshotRowKey(id));
          else index.set(snapshotRowKey(id), fp);
        }
      }
      return index;
    }
    for await (const version of this.versions.readSnapshot(await this.view(base))) index.set(snapshotRowKey(version.groupId), version.fp);
    return index;
  }

  /** The changes a scan stored so far (a resumed scan's own), and where its chunk numbers go on. */
  async ownChanges(scan: StoredScan): Promise<OwnChanges> {
    const latest = new Map<string, ChangeEntry>();
    const nextChunk = new Map<string, number>();
    for await (const chunk of this.changeLog.readChunks(scan.tenantId, scan.id)) {
      nextChunk.set(chunk.shard, Math.max(nextChunk.get(chunk.shard) ?? 0, chunk.chunk + 1));
      for (const entry of chunk.entries) latest.set(snapshotRowKey(entry.id), entry);
    }
    return { latest, nextChunk };
  }

  /** Ids of the groups a full scan listed on its pages up to `page`, from its manifest. */
  async *seenThrough(scan: StoredScan, page: number): AsyncGenerator<string> {
    for await (const { entries } of this.changeLog.readManifest(scan.tenantId, scan.id, page)) for (const [id] of entries) yield id;
  }

  /**
   * The scans whose change chunks make up the diff from `from` to `to`, oldest first; null when the chunks cannot
   * tell the whole diff (a scan stored in the old layout, or one with nothing it compared with), and the two
   * snapshots must be read instead.
   */
  async changeChain(from: StoredScan, to: StoredScan): Promise<StoredScan[] | null> {
    if (from.snapshotLayout !== 'versions' || to.snapshotLayout !== 'versions') return null;
    const chain: StoredScan[] = [];
    for await (const scan of this.scans.list(to.tenantId, { includeRetired: true, before: nextSecond(to.id) })) {
      if (scan.id <= from.id) break;
      if (scan.status !== 'complete' && scan.status !== 'retired') continue;
      if (scan.snapshotLayout !== 'versions' || scan.comparedWithScanId === null) return null;
      chain.push(scan);
    }
    return chain.reverse();
  }

  /**
   * Each group the scans of `chain` changed, with its state before the first of them and after the last, in
   * `snapshotSortKey` order. Reads the chunks alone; holds one shard's changes at a time.
   */
  async *changedPairs(chain: readonly StoredScan[], after?: string): AsyncGenerator<ChangedPair> {
    const start = after === undefined ? null : snapshotSortKey(after);
    const readers = chain.map((scan) => this.changeLog.readChunks(scan.tenantId, scan.id));
    const heads: Array<ChangeChunk | null> = await Promise.all(readers.map(async (reader) => (await reader.next()).value ?? null));
    try {
      for (;;) {
        let shard: string | null = null;
        for (const head of heads) if (head && (shard === null || head.shard < shard)) shard = head.shard;
        if (shard === null) return;
        const pairs = new Map<string, { before: StoredRow | null; after: StoredRow | null }>();
        // Scans oldest first, each scan's chunks in order: the first change gives the state before, the last the state after.
        for (let i = 0; i < heads.length; i += 1) {
          while (heads[i] && heads[i]!.shard === shard) {
            for (const entry of heads[i]!.entries) {
              const key = snapshotRowKey(entry.id);
              const pair = pairs.get(key);
              if (pair) pair.after = entry.a ?? null;
              else pairs.set(key, { before: entry.b ?? null, after: entry.a ?? null });
            }
            heads[i] = (await readers[i]!.next()).value ?? null;
          }
        }
        for (const key of [...pairs.keys()].sort()) {
          const { before, after: now } = pairs.get(key)!;
          if (before === null && now === null) continue; // came and went in between
          if (start !== null && snapshotSortKey((before ?? now)!.groupId) <= start) continue;
          yield { before: before && decode(before), after: now && decode(now) };
        }
      }
    } finally {
      await Promise.all(readers.map((reader) => reader.return(undefined)));
    }
  }

  /**
   * Removes what a failed scan stored: the versions its chunks name, then the chunks and its manifest. Nothing
   * reads them (its versions are skipped), so the order only matters for finishing after an interruption.
   */
  async purgeScan(scan: StoredScan): Promise<number> {
    if (scan.snapshotLayout === 'tables') {
      await this.legacy.deleteSnapshot(scan.id);
      return 0;
    }
    let deleted = 0;
    for await (const chunk of this.changeLog.readChunks(scan.tenantId, scan.id)) {
      deleted += await this.versions.deleteRows(chunk.shard, scan.tenantId, [...new Set(chunk.entries.map((entry) => versionRowKey(entry.id, scan.id)))]);
    }
    await this.changeLog.deleteChunks(scan.tenantId, scan.id);
    await this.changeLog.deleteManifest(scan.tenantId, scan.id);
    return deleted;
  }

  /**
   * Manifests serve the next full scan's comparison and a resume; a full scan's is no longer needed once a newer
   * full scan completed. `scans`: the tenant's scans, newest first, retired ones included.
   */
  async dropOldManifests(scans: readonly StoredScan[]): Promise<void> {
    const finished = scans.filter((scan) => scan.mode === 'full' && scan.snapshotLayout === 'versions' && (scan.status === 'complete' || scan.status === 'retired'));
    for (const scan of finished.slice(1)) await this.changeLog.deleteManifest(scan.tenantId, scan.id);
  }

  /**
   * Reclaims a retired scan that is the oldest the tenant still has: deletes the versions that `next` (the scan
   * after it) replaced, which no scan left can read, and the retired scan's own chunks and manifest. A tombstone
   * whose replaced version goes is no longer needed either. The retired scan's other versions stay: later scans
   * read them.
   */
  async reclaimOldest(oldest: StoredScan, next: StoredScan | null): Promise<number> {
    let deleted = 0;
    if (next && next.snapshotLayout === 'versions' && next.comparedWithScanId !== null) {
      for await (const chunk of this.changeLog.readChunks(next.tenantId, next.id)) {
        const rowKeys: string[] = [];
        for (const entry of chunk.entries) {
          if (entry.p === null || entry.p > oldest.id) continue;
          rowKeys.push(versionRowKey(entry.id, entry.p));
          if (entry.f === null) rowKeys.push(versionRowKey(entry.id, next.id));
        }
        deleted += await this.versions.deleteRows(chunk.shard, next.tenantId, [...new Set(rowKeys)]);
      }
    }
    await this.changeLog.deleteChunks(oldest.tenantId, oldest.id);
    await this.changeLog.deleteManifest(oldest.tenantId, oldest.id);
    return deleted;
  }
}

/** A scan id bound for `list({ before })` that includes the scan itself: the last id of the next second. */
function nextSecond(scanId: string): string {
  return newScanId(new Date(scanIdTime(scanId).getTime() + 1_000)).replace(/[0-9a-f]{6}$/, 'ffffff');
}
