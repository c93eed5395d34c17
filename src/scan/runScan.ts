/**
 * One scan of one tenant: Graph → classify → store, page by page (or, for a delta scan, Graph's changes alone:
 * deltaScan.ts). A full scan compares every group with the scan before it and stores only what changed
 * (fullScanChanges.ts, docs/storage.md). While page N is compared and written, page N+1 is already being fetched;
 * every SCAN_CHECKPOINT_PAGES pages a checkpoint records the link of a page whose changes, and all before, are
 * stored, so an interrupted scan resumes where it stopped (a replayed page changes nothing). Until the scan is
 * marked complete, after everything is stored, no reader sees any of it; a failure is recorded with its reason.
 */
import type { ClassifiedGroup, CloudSyncContext, ScanCounts, ScanTrigger, TenantContext } from '../model';
import type { CloudSyncReader } from '../graph/cloudSyncReader';
import type { Settings } from '../config/settings';
import { addToCounts, cloneCounts, emptyCounts } from '../classify/counts';
import { errorMessage, WritebackWatchError } from '../errors';
import type { GraphGroupReader, GroupPage } from '../graph/groupReader';
import type { GraphTransport } from '../graph/graphTransport';
import { newScanRecord, type ScanCheckpoint, type ScanStore, type StoredScan } from '../store/scanStore';
import type { SnapshotStore } from '../store/snapshotStore';
import { LeaseLostError, type HeldLease, type ScanLease } from '../store/scanLease';
import { newScanId } from '../store/scanIds';
import { logScanSummary, type Logger } from '../observability/logger';
import { classifyGroups } from './classifyGroups';
import { buildEngineContext, enginesOf } from '../classify/engines/engineContext';
import { chooseScanMode } from './scanMode';
import { DeltaUnavailableError, readDeltaChanges, runDeltaScan } from './deltaScan';
import { readAheadUntil } from './readAhead';
import { FullScanChanges } from './fullScanChanges';
import type { ChangeWriter } from '../store/changeWriter';

/**
 * Pages requested ahead while the tenant context (Cloud Sync above all) is read: enough to cover a Cloud Sync
 * read of ten thousand assigned groups (about fifteen requests), few enough to stay small (16 × 999 groups).
 */
const READ_AHEAD_PAGES = 16;

/**
 * A checkpoint trails paging by this many checkpoint intervals: it records a page from two intervals back, whose
 * rows mostly sit in batches already full and sent, so only the few buffers still holding rows that old go out
 * part-filled. Batches stay near 100 rows (a third as many transactions as sealing every buffer at each
 * checkpoint); the price is that a crash redoes up to three intervals of pages instead of one.
 */
const CHECKPOINT_TRAIL = 2;

export interface ScanDependencies {
  settings: Settings;
  reader: GraphGroupReader;
  /** Reads the Cloud Sync configuration a scan classifies with (before its first group is classified). */
  cloudSync: CloudSyncReader;
  transport: GraphTransport;
  scans: ScanStore;
  snapshots: SnapshotStore;
  lease: ScanLease;
  log: Logger;
  now?: () => Date;
}

export interface ScanRequest {
  trigger: ScanTrigger;
  signal?: AbortSignal;
  /** Only resume a scan already running; never start a new one (the continuation timer). */
  resumeOnly?: boolean;
  /**
   * Called as a full scan pages: once before the first page, after each stored page, and once with `finished`
   * when every row is stored (what follows is quick: the scan record, the summary log line). Passing it also
   * asks Graph for a group count, one extra request, so `total` can carry an estimate; no count, no total.
   * A delta scan reports the rows it has stored instead, of the base scan's total (deltaScan.ts).
   */
  onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
  /** Pages and groups so far, including those of an interrupted run this one resumes. */
  pages: number;
  groups: number;
  /** Graph's count of the tenant's groups, when it gave one. */
  total: number | null;
  /** Paging is over (complete or paused). */
  finished: boolean;
}

export type ScanOutcome =
  | { status: 'complete'; scan: StoredScan }
  | { status: 'failed'; scan: StoredScan; error: string }
  | { status: 'paused'; scan: StoredScan }
  | { status: 'skipped'; reason: string; runningScanId?: string };


export type ScanStart =
  | { status: 'started'; scan: StoredScan; resumed: boolean; done: Promise<ScanOutcome> }
  | { status: 'skipped'; reason: string; runningScanId?: string };

/**
 * Takes the tenant's lease, picks the scan (resume or new) and starts paging in the background. The HTTP API
 * answers 202 with the scan id at this point; the timer and the CLI await `done`.
 */
export async function beginScan(deps: ScanDependencies, request: ScanRequest): Promise<ScanStart> {
  const { settings, scans, lease: leases, log } = deps;
  const now = deps.now ?? (() => new Date());
  const tenantId = settings.tenantId;
  const lease = await leases.tryAcquire(tenantId);
  if (!lease) {
    const running = await scans.latest(tenantId, 'running');
    return { status: 'skipped', reason: 'A scan of this tenant is already running.', runningScanId: running?.id };
  }
  const release = (): Promise<void> =>
    lease.release().catch((error) => log.warn('Could not release the scan lease; it expires by itself.', { error: errorMessage(error) }));
  let scan: StoredScan | null;
  try {
    scan = await pickScan(deps, request, now());
    if (scan) await lease.renew(scan.id);
  } catch (error) {
    await release();
    throw error;
  }
  if (!scan) {
    await release();
    return { status: 'skipped', reason: 'No interrupted scan to resume.' };
  }
  const picked = scan;
  const done = scanPages(deps, picked, lease, request, now)
    .catch((error: unknown): ScanOutcome | Promise<ScanOutcome> => {
      // Another instance took the lease (this one stalled past SCAN_LEASE_SECONDS) and carries the scan on:
      // stop without touching the scan record.
      if (!(error instanceof LeaseLostError)) return markFailed(deps, picked, error, now());
      log.warn(`Scan ${picked.id}: ${error.message}`);
      return { status: 'skipped', reason: error.message, runningScanId: picked.id };
    })
    .finally(release);
  return { status: 'started', scan: picked, resumed: picked.resumes > 0 && picked.checkpoint !== null, done };
}

/** Runs one scan to its end (complete, failed or paused), or says why none ran. */
export async function runScan(deps: ScanDependencies, request: ScanRequest): Promise<ScanOutcome> {
  const start = await beginScan(deps, request);
  return start.status === 'started' ? start.done : start;
}

/** Resumes the tenant's running scan if there is one young enough, else starts a new one. */
async function pickScan(deps: ScanDependencies, request: ScanRequest, now: Date): Promise<StoredScan | null> {
  const { scans, settings, log } = deps;
  const running = await scans.latest(settings.tenantId, 'running');
  if (running) {
    const age = now.getTime() - running.startedAt.getTime();
    // A delta scan has no page checkpoints (it is short); replaying it into the same tables could leave rows of
    // groups deleted in between, so an interrupted one is failed and a new scan starts.
    const resumable = running.mode === 'full';
    if (age <= settings.scan.resumeMaxAgeMs && resumable) {
      log.info(`Resuming scan ${running.id} from page ${(running.checkpoint?.pages ?? 0) + 1}.`);
      running.resumes += 1;
      return running;
    }
    await markFailed(
      deps,
      running,
      new WritebackWatchError(
        'ScanInterrupted',
        resumable
          ? `Scan ${running.id} stopped before it finished and was not resumed within SCAN_RESUME_MAX_AGE_HOURS (${settings.scan.resumeMaxAgeMs / 3_600_000} h); a new scan starts instead.`
          : `Delta scan ${running.id} stopped before it finished; delta scans are not resumed, a new scan starts instead.`,
      ),
      now,
    );
  }
  if (request.resumeOnly) return null;
  // Under the lease, so no other scan of this tenant can take the same id in between.
  const newest = await scans.latest(settings.tenantId);
  const latestComplete = await scans.latest(settings.tenantId, 'complete');
  const decision = chooseScanMode(settings.scan, latestComplete, now);
  const scan = newScanRecord({
    // Changes are stored relative to the newest complete scan; one stored by an earlier release has no versions
    // to compare with, so the scan stores every group.
    comparedWithScanId: latestComplete?.snapshotLayout === 'versions' ? latestComplete.id : null,
    id: newScanId(now, newest?.id),
    tenantId: settings.tenantId,
    trigger: request.trigger,
    startedAt: now,
    mode: decision.mode,
    baseScanId: decision.mode === 'delta' ? decision.base.id : null,
    fullScanAt: decision.mode === 'delta' ? decision.base.fullScanAt : now,
  });
  await scans.create(scan);
  log.info(`Scan ${scan.id} started (${request.trigger}, ${decision.mode}: ${decision.reason}).`);
  return scan;
}

async function scanPages(
  deps: ScanDependencies,
  scan: StoredScan,
  lease: HeldLease,
  request: ScanRequest,
  now: () => Date,
): Promise<ScanOutcome> {
  const { settings, reader, transport, scans, snapshots, log } = deps;
  const invocationStart = now().getTime();
  const retriesBefore = scan.retries;
  // The tenant's context (Cloud Sync included) is read while the first pages are on their way, and awaited
  // before the first group is classified. A resumed scan classifies with the context it recorded when it
  // started, so all its pages are classified alike; a delta scan records the context it reads here.
  const contextRead = scan.tenantContext ? Promise.resolve(scan.tenantContext) : readTenantContext(deps, request.signal);
  contextRead.catch(() => undefined); // awaited below; avoids an unhandled rejection meanwhile
  if (scan.mode === 'delta') {
    const outcome = await tryDeltaScan(deps, scan, lease, request, contextRead, invocationStart, now);
    if (outcome) return outcome;
  }
  if (settings.scan.deltaEnabled && !scan.deltaLink && !scan.checkpoint) await takeDeltaLink(deps, scan, request, now);
  const counts = scan.checkpoint ? cloneCounts(scan.checkpoint.counts) : emptyCounts(settings.engines);
  let pages = scan.checkpoint?.pages ?? 0;
  let rows = scan.checkpoint?.rowsWritten ?? 0;
  const startLink = scan.checkpoint ? scan.checkpoint.nextLink : undefined;
  if (scan.checkpoint && startLink === null) {
    // Paging had finished before the interruption; every row is stored.
    return markComplete(deps, scan, counts, invocationStart, now);
  }
  const retries = (): number => retriesBefore + transport.retries;
  const progress = request.onProgress ? trackProgress(deps, request.onProgress, request.signal) : null;
  progress?.report(pages, rows);
  const base = await compareBase(deps, scan);
  // The base's fingerprints load while the tenant context is read and the first pages arrive.
  const opened = (async () => {
    const compare = await FullScanChanges.open(snapshots, scan, base);
    return { compare, writer: snapshots.changeWriter(scan, base ? await snapshots.view(base) : null, { nextChunk: compare.nextChunk }) };
  })();
  opened.catch(() => undefined); // awaited below
  const ready = Promise.all([contextRead, opened]);
  ready.catch(() => undefined);
  let writer: ChangeWriter | null = null;
  let checkpoints: Promise<void> = Promise.resolve();
  /** Checkpoints taken but not yet due, oldest first (CHECKPOINT_TRAIL). */
  const trailing: ScanCheckpoint[] = [];
  let paused = false;
  const pagesIterator = readAheadUntil(reader.listGroupPages({ fromLink: startLink, signal: request.signal }), ready, READ_AHEAD_PAGES);
  const fetchNext = (): Promise<IteratorResult<GroupPage>> => {
    const next = pagesIterator.next();
    next.catch(() => undefined); // awaited in the loop, unless the scan ends first
    return next;
  };
  let pending = fetchNext();
  try {
    if (!scan.tenantContext) {
      scan.tenantContext = await contextRead;
      logCloudSyncContext(deps, scan.id, scan.tenantContext.cloudSync ?? null);
    }
    const started = await opened; // rethrows why the base could not be read
    const compare = started.compare;
    writer = started.writer;
    // Compiled once per scan, with the Cloud Sync context the scan recorded (a resumed scan: when it started).
    const engines = buildEngineContext(settings.engines, scan.tenantContext.cloudSync ?? null);
    for (;;) {
      const result = await pending;
      if (result.done) break;
      const page: GroupPage = result.value;
      // Fetch the next page while this one is classified and written.
      if (page.nextLink) pending = fetchNext();
      const classified = await classifyGroups(deps, page.groups, engines);
      for (const group of classified) addToCounts(counts, group);
      pages += 1;
      rows += classified.length;
      // Renewed in time whatever SCAN_CHECKPOINT_PAGES is, and checked before writing: an instance that stalled
      // past its lease learns here that another one took the scan over, before it writes a row.
      await renewLeaseIfDue(deps, lease, scan, now);
      const observed = compare.observe(classified);
      writer.addManifestPage(pages, observed.manifest);
      await writer.add(observed.changes, pages);
      progress?.report(pages, rows);
      if (!page.nextLink) {
        // The end: what the base had and Graph no longer lists is gone. Flushed and marked complete below.
        await writer.add(compare.disappeared(), pages);
        break;
      }
      paused = settings.scan.timeBudgetMs > 0 && now().getTime() - invocationStart >= settings.scan.timeBudgetMs;
      if (pages % settings.scan.checkpointPages !== 0 && !paused) continue;
      // Checkpoint every few pages rather than every page, so batches fill across pages. A pausing scan stores
      // everything and records where it is; otherwise the checkpoint due is the one taken CHECKPOINT_TRAIL
      // intervals ago, recorded once every row up to its page is stored.
      const current: ScanCheckpoint = { nextLink: page.nextLink, pages, rowsWritten: rows, counts: cloneCounts(counts), at: now() };
      trailing.push(current);
      if (!paused && trailing.length <= CHECKPOINT_TRAIL) continue;
      const checkpoint = paused ? current : trailing.shift()!;
      const { stored } = paused ? writer.seal() : writer.storedThrough(checkpoint.pages);
      checkpoints = Promise.all([checkpoints, stored]).then(async () => {
        scan.checkpoint = checkpoint;
        scan.pages = checkpoint.pages;
        scan.retries = retries();
        await lease.renew(scan.id);
        await scans.save(scan);
      });
      checkpoints.catch(() => undefined); // observed below; avoids an unhandled rejection meanwhile
      if (paused) break;
    }
  } finally {
    // On every way out, let in-flight writes and checkpoints settle before the scan record is touched again.
    await writer?.flush().catch(() => undefined);
    await checkpoints.catch(() => undefined);
    if (paused) await pending.catch(() => undefined);
  }
  await writer!.flush();
  await checkpoints;
  progress?.report(pages, rows, true);
  scan.retries = retries();
  scan.pages = pages;
  if (paused) {
    log.info(`Scan ${scan.id} paused after page ${pages}: SCAN_TIME_BUDGET_SECONDS reached; the next invocation resumes it.`);
    logSummary(deps, scan, 'paused', counts, invocationStart, now, null);
    return { status: 'paused', scan };
  }
  return markComplete(deps, scan, counts, invocationStart, now);
}

/** The complete scan a full scan's changes are relative to; it stays while this scan runs (retention keeps the newest complete scan). */
async function compareBase(deps: ScanDependencies, scan: StoredScan): Promise<StoredScan | null> {
  if (!scan.comparedWithScanId) return null;
  const base = await deps.scans.get(scan.tenantId, scan.comparedWithScanId);
  if (!base || base.status !== 'complete') {
    throw new WritebackWatchError('ScanInterrupted', `Scan ${scan.id} compares with scan ${scan.comparedWithScanId}, which is gone or not complete; a new scan starts next time.`);
  }
  return base;
}

/** Reports progress to the caller, with Graph's group count once it arrives (a failed count only means no total). */
function trackProgress(deps: ScanDependencies, onProgress: (progress: ScanProgress) => void, signal?: AbortSignal): { report(pages: number, groups: number, finished?: boolean): void } {
  let total: number | null = null;
  deps.reader.estimateGroupCount(signal).then(
    (count) => {
      total = count;
    },
    (error: unknown) => deps.log.info(`No group count for the progress estimate: ${errorMessage(error)}`),
  );
  return { report: (pages, groups, finished = false) => onProgress({ pages, groups, total, finished }) };
}

/** Renews the lease once a third of it has run out; throws LeaseLostError if another instance took it. */
async function renewLeaseIfDue(deps: ScanDependencies, lease: HeldLease, scan: StoredScan, now: () => Date): Promise<void> {
  if (lease.expiresAt.getTime() - now().getTime() < (deps.settings.scan.leaseMs * 2) / 3) await lease.renew(scan.id);
}

/** Runs the scan as a delta scan; null when delta is unavailable and the scan must go on as a full scan. */
async function tryDeltaScan(
  deps: ScanDependencies,
  scan: StoredScan,
  lease: HeldLease,
  request: ScanRequest,
  contextRead: Promise<TenantContext>,
  invocationStart: number,
  now: () => Date,
): Promise<ScanOutcome | null> {
  const base = await deps.scans.get(scan.tenantId, scan.baseScanId!);
  // Graph's changes are read while the tenant context is (neither needs the other); if the delta is given up
  // (Cloud Sync changed, say), reading them stops.
  const reading = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, reading.signal]) : reading.signal;
  try {
    if (!base || base.status !== 'complete' || !base.deltaLink) throw new DeltaUnavailableError(`Base scan ${scan.baseScanId} is gone or has no delta token.`);
    if (base.snapshotLayout !== 'versions') throw new DeltaUnavailableError(`base scan ${base.id} was stored by an earlier release, so this scan stores every group once.`);
    // Unchanged groups keep the verdicts the base gave them, which is right only under the same WRITEBACK_ENGINES
    // and Cloud Sync configuration; after either changed every group is classified again.
    const engines = enginesOf(base.counts).join(',');
    if (engines !== deps.settings.engines.join(',')) {
      throw new DeltaUnavailableError(`WRITEBACK_ENGINES changed since scan ${base.id} (${engines} → ${deps.settings.engines.join(',')}), so every group is classified again.`);
    }
    const changesRead = readDeltaChanges(deps, base, signal);
    changesRead.catch(() => undefined); // awaited below, unless the delta is given up first
    scan.tenantContext = await contextRead;
    logCloudSyncContext(deps, scan.id, scan.tenantContext.cloudSync ?? null);
    // Unchanged groups are kept as the base classified them, which is right only under the same Cloud Sync
    // configuration; after it changed (a group assigned, a job paused, ...) every group is classified again.
    if (!sameCloudSyncForClassification(base.tenantContext?.cloudSync ?? null, scan.tenantContext?.cloudSync ?? null)) {
      throw new DeltaUnavailableError(`the Cloud Sync configuration changed since scan ${base.id}, so every group is classified again.`);
    }
    const keepAlive = (): Promise<void> => renewLeaseIfDue(deps, lease, scan, now);
    const result = await runDeltaScan(deps, scan, base, await changesRead, { signal: request.signal, keepAlive, onProgress: request.onProgress });
    scan.pages = result.pages;
    scan.retries = deps.transport.retries;
    scan.deltaLink = result.deltaLink;
    scan.deltaLinkAt = now();
    deps.log.info(`Scan ${scan.id}: ${result.changed} groups changed and ${result.removed} removed since scan ${base.id} (${result.wholeReads} read whole).`);
    return await markComplete(deps, scan, result.counts, invocationStart, now);
  } catch (error) {
    reading.abort();
    if (!(error instanceof DeltaUnavailableError)) throw error;
    deps.log.warn(`Scan ${scan.id} runs as a full scan: ${error.message}`);
    scan.mode = 'full';
    scan.baseScanId = null;
    scan.fullScanAt = scan.startedAt;
    await deps.scans.save(scan);
    return null;
  }
}

/** The tenant context of a new scan: the writeback signals and Cloud Sync, read side by side. */
async function readTenantContext(deps: ScanDependencies, signal?: AbortSignal): Promise<TenantContext> {
  const [context, cloudSync] = await Promise.all([deps.reader.readTenantContext(signal), deps.cloudSync.readContext(signal)]);
  return { ...context, cloudSync };
}

/** Whether groups classified under `before` would be classified alike under `after` (run times aside). */
export function sameCloudSyncForClassification(before: CloudSyncContext | null, after: CloudSyncContext | null): boolean {
  const relevant = (context: CloudSyncContext | null): string =>
    JSON.stringify(context && { status: context.status, jobs: context.jobs.map((job) => ({ ...job, lastSuccessfulRun: null })) });
  return relevant(before) === relevant(after);
}

/** A Cloud Sync context that could not be read is said once per scan, with the permission to grant. */
function logCloudSyncContext(deps: ScanDependencies, scanId: string, context: CloudSyncContext | null): void {
  if (context?.status === 'unknown') deps.log.warn(`Scan ${scanId}: Cloud Sync is unknown. ${context.unknownReason ?? ''}`.trim());
}

/** Before a full scan pages: the link the next delta round starts from. Without one, the next scan is full. */
async function takeDeltaLink(deps: ScanDependencies, scan: StoredScan, request: ScanRequest, now: () => Date): Promise<void> {
  try {
    scan.deltaLink = await deps.reader.latestDeltaLink(request.signal);
    scan.deltaLinkAt = now();
  } catch (error) {
    if (!(error instanceof WritebackWatchError) || error.code !== 'GraphRequestFailed') throw error;
    deps.log.warn(`Scan ${scan.id} got no delta token, so the next scan is a full one too: ${error.message}`);
  }
}

async function markComplete(
  deps: ScanDependencies,
  scan: StoredScan,
  counts: ScanCounts,
  invocationStart: number,
  now: () => Date,
): Promise<ScanOutcome> {
  scan.status = 'complete';
  scan.counts = counts;
  scan.finishedAt = now();
  scan.checkpoint = scan.checkpoint ? { ...scan.checkpoint, nextLink: null } : null;
  await deps.scans.save(scan);
  logSummary(deps, scan, 'complete', counts, invocationStart, now, null);
  return { status: 'complete', scan };
}

async function markFailed(deps: ScanDependencies, scan: StoredScan, error: unknown, at: Date): Promise<ScanOutcome> {
  const message = errorMessage(error);
  scan.status = 'failed';
  scan.error = message;
  scan.finishedAt = at;
  try {
    await deps.scans.save(scan);
  } catch (saveError) {
    deps.log.error(`Scan ${scan.id} failed and its status could not be saved: ${errorMessage(saveError)}`);
  }
  logSummary(deps, scan, 'failed', scan.checkpoint?.counts ?? scan.counts, at.getTime(), () => at, message);
  return { status: 'failed', scan, error: message };
}

function logSummary(
  deps: ScanDependencies,
  scan: StoredScan,
  outcome: 'complete' | 'failed' | 'paused',
  counts: ScanCounts,
  invocationStart: number,
  now: () => Date,
  error: string | null,
): void {
  logScanSummary(deps.log, {
    scanId: scan.id,
    tenantId: scan.tenantId,
    outcome,
    trigger: scan.trigger,
    durationMs: now().getTime() - invocationStart,
    pages: scan.pages,
    retries: scan.retries,
    groups: counts.total,
    writtenBack: counts.byBucket.writtenBack,
    legacyDefault: counts.byBucket.legacyDefault,
    notWrittenBack: counts.byBucket.notWrittenBack,
    resumes: scan.resumes,
    cloudSync: scan.tenantContext?.cloudSync?.status ?? null,
    missingPermissions: scan.tenantContext?.cloudSync?.missingPermissions ?? [],
    error,
  });
}
