/**
 * What a full scan stores: it reads every group from Graph and compares each with the scan it is compared with
 * (StoredScan.comparedWithScanId) by fingerprint, so only groups that changed, appeared or disappeared are handed
 * to the change writer. The fingerprints come from the base's manifest (changeLog.ts), held compactly
 * (fingerprintIndex.ts): that is the only thing held per group, and `npm run bench` measures what it costs.
 *
 * A resumed scan first learns what it did before the interruption: the groups on its pages up to the checkpoint
 * (its manifest) are not "disappeared", and the changes it stored (its own chunks) are what a replayed page is
 * compared with: they are stored again (the same version rows), and a group that changed back gets a version
 * that says so.
 */
import type { ClassifiedGroup } from '../model';
import type { ChangeEntry, ManifestEntry } from '../store/changeLog';
import type { PendingChange } from '../store/changeWriter';
import { snapshotRowKey } from '../store/keys';
import { toSnapshotEntity } from '../store/snapshotEntity';
import type { SnapshotStore } from '../store/snapshotStore';
import type { StoredScan } from '../store/scanStore';
import { fingerprintOf, storedRowOf } from '../store/versionStore';
import { FingerprintIndex, fingerprintNumber } from '../store/fingerprintIndex';

export class FullScanChanges {
  /** Own changes observed again on a replayed page (or seen before the checkpoint): not gone. */
  private readonly ownSeen = new Set<string>();

  private constructor(
    /** Fingerprints of the base's groups not seen yet by this scan, by group key. */
    private readonly index: FingerprintIndex,
    /** Changes this scan stored before it was interrupted, by group key. */
    private readonly own: Map<string, ChangeEntry>,
    /** Where the change writer's chunk numbers go on. */
    readonly nextChunk: ReadonlyMap<string, number>,
  ) {}

  static async open(snapshots: SnapshotStore, scan: StoredScan, base: StoredScan | null): Promise<FullScanChanges> {
    const index = base ? await snapshots.fingerprintIndex(base) : new FingerprintIndex();
    if (!scan.checkpoint) return new FullScanChanges(index, new Map(), new Map());
    const own = await snapshots.ownChanges(scan);
    const changes = new FullScanChanges(index, own.latest, own.nextChunk);
    for await (const id of snapshots.seenThrough(scan, scan.checkpoint.pages)) {
      const key = snapshotRowKey(id);
      index.delete(key);
      if (own.latest.has(key)) changes.ownSeen.add(key);
    }
    return changes;
  }

  /** A page's groups: the changes to store, and the page's manifest entries. */
  observe(groups: readonly ClassifiedGroup[]): { changes: PendingChange[]; manifest: ManifestEntry[] } {
    const changes: PendingChange[] = [];
    const manifest: ManifestEntry[] = [];
    for (const group of groups) {
      const after = storedRowOf(toSnapshotEntity(group));
      const fp = fingerprintOf(after);
      const key = snapshotRowKey(group.id);
      manifest.push([group.id, fp]);
      const baseFp = this.index.take(key);
      const own = this.own.get(key);
      if (own) {
        // Stored again even when unchanged since: a chunk is stored before its versions, so an interruption in
        // between leaves a change whose version is missing. Only pages after the checkpoint are replayed.
        this.ownSeen.add(key);
        changes.push({ groupId: group.id, after, fp, known: { prev: own.p, before: own.b ?? null }, force: true });
        this.own.set(key, { ...own, f: fp });
        continue;
      }
      if (baseFp !== fingerprintNumber(fp)) changes.push({ groupId: group.id, after, fp });
    }
    return { changes, manifest };
  }

  /** After the last page: the groups of the base this scan did not see, and own changes of groups gone since. */
  disappeared(): PendingChange[] {
    const gone: PendingChange[] = [];
    for (const key of this.index.keys()) {
      const own = this.own.get(key);
      if (own) continue; // handled below
      gone.push({ groupId: idOfKey(key), after: null });
    }
    for (const [key, own] of this.own) {
      if (this.ownSeen.has(key)) continue;
      gone.push({ groupId: own.id, after: null, known: { prev: own.p, before: own.b ?? null }, force: true });
    }
    this.index.clear();
    return gone;
  }
}

/** The group id a group key stands for (keys.ts escapes a few characters as %xx; Graph's GUIDs have none). */
function idOfKey(key: string): string {
  return key.replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
