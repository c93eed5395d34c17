/**
 * One page of a scan's groups for the console, filtered and paged on the server: a 100,000-group scan never
 * travels to the browser. Bucket and kind are filtered by Table Storage; finding and name search are tested
 * here on the rows as they stream past. A page ends after `top` matches or after `maxExamined` rows, whichever
 * comes first, so a rare filter answers in bounded time and the console offers to search on.
 */
import type { Bucket, ClassifiedGroup, FindingName, GroupKind, WritebackEngine } from '../model';
import type { StoredScan } from '../store/scanStore';
import type { SnapshotStore } from '../store/snapshotStore';

export interface GroupFilter {
  bucket?: Bucket;
  kind?: GroupKind;
  finding?: FindingName;
  /** Case-insensitive part of the display name, mail or id. */
  search?: string;
  /** Groups with a verdict of this engine (scans that record per-engine verdicts)... */
  engine?: WritebackEngine;
  /** ...and, when given, that verdict (a bucket, unknown or indeterminate). */
  verdict?: EngineVerdictFilter;
}

export const ENGINE_VERDICTS = ['writtenBack', 'legacyDefault', 'notWrittenBack', 'unknown', 'indeterminate'] as const;
export type EngineVerdictFilter = (typeof ENGINE_VERDICTS)[number];

/** Per-engine verdicts as scans that classify per engine store them; older rows have none. */
function engineVerdict(group: ClassifiedGroup, engine: WritebackEngine): string | null {
  const engines = (group as { engines?: Partial<Record<string, { verdict?: string } | undefined>> }).engines;
  return engines?.[engine]?.verdict ?? null;
}

export interface GroupPageRequest {
  top: number;
  /** The `next` of the previous page. */
  after?: string;
  /** Rows read at most for one page. */
  maxExamined: number;
}

export interface GroupPage {
  groups: ClassifiedGroup[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
  /** True when the page stopped at `maxExamined` rows before `top` matches: there may be more further on. */
  partial: boolean;
  examined: number;
  /** Matches in the whole scan when the scan's counts tell (no search or engine; at most one of finding or bucket/kind). */
  total: number | null;
}

/** Pure: whether a group passes the filters the store does not apply. */
export function matchesGroup(group: ClassifiedGroup, filter: GroupFilter): boolean {
  if (filter.bucket && group.bucket !== filter.bucket) return false;
  if (filter.kind && group.kind !== filter.kind) return false;
  if (filter.finding && !group.findings.includes(filter.finding)) return false;
  if (filter.engine) {
    const verdict = engineVerdict(group, filter.engine);
    if (verdict === null || (filter.verdict && verdict !== filter.verdict)) return false;
  }
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const haystack = [group.displayName, group.mail, group.id];
    if (!haystack.some((value) => value !== null && value.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** Pure: how many groups of the scan match, when its stored counts can say. */
export function totalFromCounts(scan: Pick<StoredScan, 'counts'>, filter: GroupFilter): number | null {
  const { counts } = scan;
  if (filter.search || filter.engine) return null;
  if (filter.finding) return filter.bucket || filter.kind ? null : (counts.byFinding[filter.finding] ?? 0);
  if (filter.bucket && filter.kind) return counts.byBucketAndKind[filter.bucket]?.[filter.kind] ?? 0;
  if (filter.bucket) return counts.byBucket[filter.bucket] ?? 0;
  if (filter.kind) return counts.byKind[filter.kind] ?? 0;
  return counts.total;
}

export async function readGroupPage(snapshots: SnapshotStore, scan: StoredScan, filter: GroupFilter, request: GroupPageRequest): Promise<GroupPage> {
  const groups: ClassifiedGroup[] = [];
  let examined = 0;
  let last: string | null = null;
  let more = false;
  let partial = false;
  for await (const group of snapshots.readGroups(scan, { bucket: filter.bucket, kind: filter.kind, after: request.after })) {
    if (groups.length === request.top) {
      // A row beyond a full page: there is a next page to ask for (it may turn out to hold no match).
      more = true;
      break;
    }
    examined += 1;
    last = group.id;
    if (matchesGroup(group, filter)) groups.push(group);
    if (groups.length < request.top && examined >= request.maxExamined) {
      partial = true;
      more = true;
      break;
    }
  }
  const next = more ? (partial ? last : groups[groups.length - 1]!.id) : null;
  return { groups, next, partial, examined, total: totalFromCounts(scan, filter) };
}
