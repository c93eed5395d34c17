/**
 * Stores what a scan changed: for each changed group a chunk entry (changeLog.ts) and a version (versionStore.ts).
 * Changes arrive in any order and are buffered per version shard; a buffer goes out when it holds a transaction's
 * worth (100 rows) or enough text for one chunk, or earlier when `storedThrough` asks for the rows of a page.
 *
 * Sending a buffer: look up, in the base scan's snapshot, the version each change replaces (fourteen groups a
 * query) unless the scan knows it already, drop the changes that turn out not to be any (same fingerprint as
 * before, or gone and never there), store the chunk (chunks ready together share one transaction), then the
 * versions as one transaction. A scan with no base (the tenant's first) looks nothing up.
 */
import { WritebackWatchError } from '../errors';
import { Slots } from './slots';
import { snapshotRowKey } from './keys';
import { statusOf } from './tableClients';
import type { ChangeChunk, ChangeEntry, ChangeLog, ManifestEntry } from './changeLog';
import { MAX_CHUNK_CHARS } from './changeLog';
import { MAX_BATCH_ENTITIES } from './tableTransaction';
import { versionShard } from './versionKeys';
import { fingerprintOf, storedRowOf, versionEntity, type SnapshotView, type StoredRow, type VersionEntity, type VersionStore } from './versionStore';

/** One group's state as the scan found it, and what it replaces when the scan knows that already. */
export interface PendingChange {
  groupId: string;
  /** The state now; null: the group is gone. */
  after: StoredRow | null;
  /** `after`'s fingerprint, when the scan has computed it already (a full scan compares by it). */
  fp?: string;
  /**
   * The version and state this change replaces, when the scan knows them already: a delta scan looked them up in
   * one pass, a resumed scan read them from a change it stored before the interruption.
   */
  known?: { prev: string | null; before: StoredRow | null };
  /**
   * Store it even when the state equals the one replaced: a resumed scan's replayed change, whose version may be
   * missing (a chunk is stored before its versions), or that undoes a change stored before the interruption.
   */
  force?: boolean;
}

export interface ChangeWriterOptions {
  versions: VersionStore;
  changeLog: ChangeLog;
  tenantId: string;
  scanId: string;
  /** The snapshot changes are compared with; null for a scan with nothing before it. */
  base: SnapshotView | null;
  /** A resumed scan's next chunk number per shard (after the chunks it stored already). */
  nextChunk?: ReadonlyMap<string, number>;
  /** Called for every change stored, with the state before and after (counts of a delta scan). */
  onStored?: (before: StoredRow | null, after: StoredRow | null) => void;
  /** Buffers sent at once. */
  concurrency?: number;
  /** Changes handed over but not yet stored above which `add` waits (memory bound). */
  maxQueued?: number;
  /** Changes waiting in part-filled buffers above which the fullest goes out. */
  maxBuffered?: number;
}

interface ShardBuffer {
  items: PendingChange[];
  chars: number;
  firstPage: number;
}

/** Characters a change adds to its chunk, about: both states and the keys. */
const charsOf = (change: PendingChange): number =>
  120 + 2 * (change.after ? change.after.details.length + (change.after.displayName?.length ?? 0) : 0) + (change.known?.before?.details.length ?? 0);

export class ChangeWriter {
  private readonly buffers = new Map<string, ShardBuffer>();
  private readonly chunks = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly roomWaiters: Array<() => void> = [];
  private readonly slots: Slots;
  private readonly maxQueued: number;
  private readonly maxBuffered: number;
  /** Buffers between sending and storing their chunk: looking up what they replace. */
  private lookingUp = 0;
  /** Chunks waiting to go out together (they share a partition: one transaction for many). */
  private chunksWaiting: Array<{ chunk: ChangeChunk; stored: { resolve(): void; reject(error: unknown): void } }> = [];
  private chunkSendScheduled = false;
  private queued = 0;
  private buffered = 0;
  private failure: unknown = null;
  /** Changes stored (a chunk entry and a version each). */
  changesStored = 0;
  /** Changes handed over that were no change after all. */
  unchanged = 0;

  constructor(private readonly options: ChangeWriterOptions) {
    this.slots = new Slots(options.concurrency ?? 32);
    this.maxQueued = options.maxQueued ?? 4_000;
    this.maxBuffered = options.maxBuffered ?? 7_000;
    for (const [shard, next] of options.nextChunk ?? []) this.chunks.set(shard, next);
  }

  /** Buffers changes of Graph page `page`; waits only while too many are on their way to storage. */
  async add(changes: readonly PendingChange[], page: number): Promise<void> {
    if (this.failure) throw this.failure;
    for (const change of changes) {
      const shard = versionShard(change.groupId);
      let buffer = this.buffers.get(shard);
      if (!buffer) this.buffers.set(shard, (buffer = { items: [], chars: 0, firstPage: page }));
      const chars = charsOf(change);
      if (buffer.items.length > 0 && buffer.chars + chars > MAX_CHUNK_CHARS) {
        this.sendBuffer(shard, buffer);
        this.buffers.set(shard, (buffer = { items: [], chars: 0, firstPage: page }));
      }
      buffer.items.push(change);
      buffer.chars += chars;
      this.buffered += 1;
      if (buffer.items.length === MAX_BATCH_ENTITIES) this.sendBuffer(shard, buffer);
    }
    while (this.buffered > this.maxBuffered) this.sendFullest();
    while (this.queued > this.maxQueued && this.failure === null) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  /** Stores a manifest page (full scans): what the next full scan compares with, and what a resume saw. */
  addManifestPage(page: number, entries: readonly ManifestEntry[]): void {
    this.queued += 1;
    this.track(this.slots.take().then(() => this.options.changeLog.writeManifestPage(this.options.tenantId, this.options.scanId, page, entries)), 1);
  }

  /** Sends the buffers holding changes of pages up to `page`; settles once those and everything sent before are stored. */
  storedThrough(page: number): { stored: Promise<void> } {
    if (this.failure) throw this.failure;
    for (const [shard, buffer] of this.buffers) if (buffer.firstPage <= page) this.sendBuffer(shard, buffer);
    const stored = Promise.all([...this.inFlight]).then(() => {
      if (this.failure) throw this.failure;
    });
    return { stored };
  }

  seal(): { stored: Promise<void> } {
    return this.storedThrough(Number.POSITIVE_INFINITY);
  }

  /** Sends and waits for everything; rethrows the first failure. */
  async flush(): Promise<void> {
    if (this.failure === null) this.seal().stored.catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failure) throw this.failure;
  }

  private sendFullest(): void {
    let fullest: [string, ShardBuffer] | null = null;
    for (const entry of this.buffers) if (!fullest || entry[1].items.length > fullest[1].items.length) fullest = entry;
    if (fullest) this.sendBuffer(...fullest);
  }

  private sendBuffer(shard: string, buffer: ShardBuffer): void {
    this.buffers.delete(shard);
    this.buffered -= buffer.items.length;
    const chunk = this.chunks.get(shard) ?? 0;
    this.chunks.set(shard, chunk + 1);
    this.queued += buffer.items.length;
    this.track(
      this.slots.take().then(() => this.store(shard, chunk, buffer.items)),
      buffer.items.length,
    );
  }

  private track(work: Promise<void>, size: number): void {
    const done = work
      .catch((error: unknown) => {
        // The SDK has retried already (503, timeouts) with backoff; this is final.
        this.failure ??= new WritebackWatchError(
          'StorageFailed',
          `Table Storage did not store the changes of scan ${this.options.scanId} after retries: ${error instanceof Error ? error.message : String(error)}. Check the storage account's health and throttling; the scan resumes or starts over next time.`,
          { statusCode: statusOf(error) },
          { cause: error },
        );
      })
      .finally(() => {
        this.slots.release();
        this.queued -= size;
        this.inFlight.delete(done);
        this.wake();
      });
    this.inFlight.add(done);
  }

  private async store(shard: string, chunk: number, items: readonly PendingChange[]): Promise<void> {
    if (this.failure) throw this.failure; // after a failure, buffers still waiting are not sent
    const { base, tenantId, scanId } = this.options;
    const lookUp = base ? items.filter((item) => !item.known).map((item) => item.groupId) : [];
    let found = new Map<string, VersionEntity | null>();
    if (lookUp.length > 0) {
      this.lookingUp += 1;
      try {
        found = await this.options.versions.latestVersions(base!, shard, lookUp);
      } finally {
        this.lookingUp -= 1;
        this.scheduleChunks();
      }
    }
    const entries: ChangeEntry[] = [];
    const rows: VersionEntity[] = [];
    const stored: Array<[StoredRow | null, StoredRow | null]> = [];
    for (const item of items) {
      let prev: string | null = null;
      let before: StoredRow | null = null;
      let beforeFp: string | null = null;
      if (item.known) {
        ({ prev, before } = item.known);
        beforeFp = before ? fingerprintOf(before) : null;
      } else {
        const version = found.get(snapshotRowKey(item.groupId)) ?? null;
        prev = version?.scanId ?? null;
        if (version && !version.removed) {
          before = storedRowOf(version);
          beforeFp = version.fp;
        }
      }
      const fp = item.after ? (item.fp ?? fingerprintOf(item.after)) : null;
      if (fp === beforeFp && !item.force) {
        this.unchanged += 1; // same state as before, or gone and never there: not a change
        continue;
      }
      entries.push(base ? { id: item.groupId, p: prev, f: fp, b: before, a: item.after } : { id: item.groupId, p: prev, f: fp });
      rows.push(versionEntity(tenantId, scanId, item.groupId, item.after, fp));
      stored.push([before, item.after]);
    }
    if (entries.length === 0) return;
    await this.storeChunk({ shard, chunk, entries });
    await this.options.versions.writeBatch(shard, rows);
    this.changesStored += entries.length;
    for (const [before, after] of stored) this.options.onStored?.(before, after);
  }

  /**
   * Resolves once the chunk is stored. Chunks wait while other buffers are still looking up what they replace,
   * so those that become ready together go out in one transaction.
   */
  private storeChunk(chunk: ChangeChunk): Promise<void> {
    return new Promise((resolve, reject) => {
      this.chunksWaiting.push({ chunk, stored: { resolve, reject } });
      this.scheduleChunks();
    });
  }

  private scheduleChunks(): void {
    if (this.chunkSendScheduled || this.chunksWaiting.length === 0) return;
    if (this.lookingUp > 0 && this.chunksWaiting.length < MAX_BATCH_ENTITIES) return;
    this.chunkSendScheduled = true;
    setImmediate(() => {
      this.chunkSendScheduled = false;
      const sending = this.chunksWaiting.splice(0, MAX_BATCH_ENTITIES);
      this.options.changeLog.writeChunks(this.options.tenantId, this.options.scanId, sending.map((waiting) => waiting.chunk)).then(
        () => sending.forEach((waiting) => waiting.stored.resolve()),
        (error: unknown) => sending.forEach((waiting) => waiting.stored.reject(error)),
      );
      this.scheduleChunks();
    });
  }

  private wake(): void {
    if (this.queued <= this.maxQueued || this.failure !== null) for (const resolve of this.roomWaiters.splice(0)) resolve();
  }
}
