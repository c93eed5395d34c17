/**
 * What each scan changed, kept beside the group versions (versionStore.ts) so that diffs, retention and a resumed
 * scan read the changes alone instead of whole snapshots.
 * - Change chunks (table `changes`): PartitionKey `<tenant>_<scan>`, RowKey `<shard>-<chunk>`. A chunk lists up to
 *   100 changes of one version shard: the group, the version it replaced (`p`), the new fingerprint (`f`, null when
 *   the group went), and both states in full (`b`, `a`), so a diff never looks a group up. A scan with nothing
 *   before it (the first of a tenant) writes keys only: its states are its versions. A chunk is stored before the
 *   versions it lists, so every version a scan wrote is named by one of its chunks.
 * - Manifest pages (table `manifests`): PartitionKey `<tenant>_<scan>`, RowKey the Graph page number. A full scan
 *   writes one per Graph page: the ids and fingerprints of the groups on it. The next full scan compares against
 *   them (no snapshot read), and a resumed scan learns from them which groups it saw before the interruption.
 * Entries are packed as JSON across string properties (32,767 characters each): one entity per chunk or page
 * keeps the row count near the number of versions, which is what a tenant's storage grows with.
 */
import { odata, type TableClient } from '@azure/data-tables';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';
import type { StoredRow } from './versionStore';
import { deleteKeys } from './versionStore';
import { MAX_BATCH_ENTITIES, submitStringBatch } from './tableTransaction';

export const CHANGES_TABLE = 'changes';
export const MANIFESTS_TABLE = 'manifests';

/** One group's change in one scan. */
export interface ChangeEntry {
  id: string;
  /** The scan whose version this change replaced; null when the group had none. */
  p: string | null;
  /** The new state's fingerprint; null when the group was removed. */
  f: string | null;
  /** State before and after (null: absent). Left out by a scan with nothing before it. */
  b?: StoredRow | null;
  a?: StoredRow | null;
}

export interface ChangeChunk {
  shard: string;
  chunk: number;
  entries: ChangeEntry[];
}

/** A manifest page: [group id, fingerprint] of every group on one Graph page. */
export type ManifestEntry = [string, string];

/** Characters per packed property, below the service's 32,767 (snapshotEntity.ts MAX_STRING_CHARS). */
const PART_CHARS = 30_000;
/** Properties of packed JSON one entity may hold: the 1 MiB entity limit, two bytes a character. */
const MAX_PARTS = 16;
/** Characters of packed JSON one chunk is kept under (what the writer fills chunks to). */
export const MAX_CHUNK_CHARS = PART_CHARS * (MAX_PARTS - 1);
/** Characters of chunks one transaction carries at most: below the 4 MiB a request (JSON escapes add a little). */
const MAX_BATCH_CHARS = 3_000_000;

const partitionOf = (tenantId: string, scanId: string): string => `${tenantId}_${scanId}`;
const chunkRowKey = (shard: string, chunk: number): string => `${shard}-${String(chunk).padStart(6, '0')}`;
const pageRowKey = (page: number): string => String(page).padStart(7, '0');
/**
 * Entities a query page asks for: a manifest page holds a Graph page's ids (tens of kilobytes), a chunk up to a
 * few hundred kilobytes. Pages stay tens of megabytes at most, and few: Azurite looks through the whole table for
 * every page it answers.
 */
const MANIFEST_QUERY_PAGE = 50;
const CHUNK_QUERY_PAGE = 200;
const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

function pack(json: string, what: string): Record<string, string> {
  const parts = Math.ceil(json.length / PART_CHARS);
  if (parts > MAX_PARTS) throw new WritebackWatchError('EntityTooLarge', `${what} holds ${json.length} characters; one entity holds at most ${MAX_PARTS * PART_CHARS}.`);
  const packed: Record<string, string> = { parts: String(parts) };
  for (let i = 0; i < parts; i += 1) packed[`c${i}`] = json.slice(i * PART_CHARS, (i + 1) * PART_CHARS);
  return packed;
}

function unpack(entity: Record<string, unknown>): unknown {
  const parts = Number(entity.parts ?? 0);
  let json = '';
  for (let i = 0; i < parts; i += 1) json += String(entity[`c${i}`] ?? '');
  return JSON.parse(json);
}

export class ChangeLog {
  constructor(private readonly tables: TableFactory) {}

  /**
   * Stores chunks of one scan: they share a partition, so up to 100 go in one transaction (within the service's
   * 4 MiB a request). Replacing, so a replayed chunk is stored again as it is.
   */
  async writeChunks(tenantId: string, scanId: string, chunks: readonly ChangeChunk[]): Promise<void> {
    const table = await this.tables.ensureTable(CHANGES_TABLE);
    const partitionKey = partitionOf(tenantId, scanId);
    let batch: Array<Record<string, string> & { partitionKey: string; rowKey: string }> = [];
    let chars = 0;
    const send = async (): Promise<void> => {
      if (batch.length > 0) await submitStringBatch(table, 'upsertReplace', batch);
      batch = [];
      chars = 0;
    };
    for (const chunk of chunks) {
      const packed = pack(JSON.stringify(chunk.entries), `Change chunk ${chunk.shard}-${chunk.chunk} of scan ${scanId}`);
      const size = Number(packed.parts) * PART_CHARS;
      if (batch.length === MAX_BATCH_ENTITIES || chars + size > MAX_BATCH_CHARS) await send();
      batch.push({ partitionKey, rowKey: chunkRowKey(chunk.shard, chunk.chunk), ...packed });
      chars += size;
    }
    await send();
  }

  /** A scan's chunks in (shard, chunk) order: the order its changes were stored in, shard by shard. */
  async *readChunks(tenantId: string, scanId: string): AsyncGenerator<ChangeChunk> {
    for await (const entity of this.list(CHANGES_TABLE, tenantId, scanId, '', CHUNK_QUERY_PAGE)) {
      const [shard = '', chunk = '0'] = String(entity.rowKey).split('-');
      yield { shard, chunk: Number(chunk), entries: unpack(entity) as ChangeEntry[] };
    }
  }

  async writeManifestPage(tenantId: string, scanId: string, page: number, entries: readonly ManifestEntry[]): Promise<void> {
    const table = await this.tables.ensureTable(MANIFESTS_TABLE);
    const packed = pack(JSON.stringify(entries), `Manifest page ${page} of scan ${scanId}`);
    await table.upsertEntity({ partitionKey: partitionOf(tenantId, scanId), rowKey: pageRowKey(page), ...packed }, 'Replace');
  }

  /** A full scan's manifest pages in page order, up to `throughPage` when given; none for a scan without one. */
  async *readManifest(tenantId: string, scanId: string, throughPage?: number): AsyncGenerator<{ page: number; entries: ManifestEntry[] }> {
    const upTo = throughPage === undefined ? undefined : odata` and RowKey le ${pageRowKey(throughPage)}`;
    for await (const entity of this.list(MANIFESTS_TABLE, tenantId, scanId, upTo, MANIFEST_QUERY_PAGE)) {
      yield { page: Number(entity.rowKey), entries: unpack(entity) as ManifestEntry[] };
    }
  }

  deleteChunks(tenantId: string, scanId: string): Promise<number> {
    return this.deleteAll(CHANGES_TABLE, tenantId, scanId);
  }

  deleteManifest(tenantId: string, scanId: string): Promise<number> {
    return this.deleteAll(MANIFESTS_TABLE, tenantId, scanId);
  }

  private async deleteAll(name: string, tenantId: string, scanId: string): Promise<number> {
    const rowKeys: string[] = [];
    for await (const entity of this.list(name, tenantId, scanId, undefined, 1_000, ['RowKey'])) rowKeys.push(String(entity.rowKey));
    await deleteKeys(this.tables.table(name), partitionOf(tenantId, scanId), rowKeys);
    return rowKeys.length;
  }

  private async *list(name: string, tenantId: string, scanId: string, extra = '', pageSize = 100, select?: string[]): AsyncGenerator<Record<string, unknown>> {
    const table: TableClient = this.tables.table(name);
    const filter = odata`PartitionKey eq ${partitionOf(tenantId, scanId)}` + (extra ?? '');
    try {
      // The next page is asked for while this one is unpacked: reading a manifest is the first thing a full scan
      // waits for, and the service's time and ours then overlap.
      const pages = table.listEntities({ queryOptions: { filter, select } }).byPage({ maxPageSize: pageSize });
      let next = pages.next();
      for (;;) {
        const result = await next;
        if (result.done) return;
        next = pages.next();
        next.catch(() => undefined); // met on the next turn, unless the reader stops first
        for (const entity of result.value) yield entity as unknown as Record<string, unknown>;
      }
    } catch (error) {
      if (isNotFound(error)) return; // the table is created with the first chunk or page
      throw error;
    }
  }
}
