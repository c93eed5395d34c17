/**
 * The attribution stage: after the diff of two complete scans and before alerts, look up who made each change in
 * the Entra audit log and store the answer beside the diff (docs/attribution.md).
 *
 * One paged query per night for the group activities of the window (plus a small one for directory settings when
 * the tenant's writeback default or feature changed); when that needs more requests than AUDIT_MAX_PAGES allows,
 * per-group queries for the changed groups instead, while the budget lasts. Every problem (no permission, no
 * licence, throttling, a failed request, a spent budget or time limit) becomes a status on the changes: this stage
 * never throws, so it can neither fail nor hold up the scan and its alerts beyond its bounded time.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import { errorMessage } from '../errors';
import { AuditLogReader, groupActivityFilter, groupTargetFilter, settingActivityFilter, type DirectoryAudit } from '../graph/auditLogReader';
import { GraphTransport, scanRetryPolicy } from '../graph/graphTransport';
import { AUDIT_LOG_QUOTA, RequestPacer } from '../graph/requestPacer';
import { systemClock, type Clock } from '../retry/clock';
import type { AttributionStatus, ChangeType, GroupChange, ScanRecord, TenantContextChange } from '../model';
import type { Logger } from '../observability/logger';
import { AttributionStore, type AttributionPair, type AttributionRecord } from '../store/attributionStore';
import type { TableFactory } from '../store/tableClients';
import { COMPARED_TENANT_FIELDS } from '../diff/diffTenantContext';
import {
  MATCHER_VERSION,
  NO_MATCH,
  STATUS_NOTES,
  attribution,
  decideStatus,
  indexEventsByGroup,
  matchGroupChange,
  matchTenantChange,
  type MatchOptions,
  type MatchResult,
} from './match';
import { auditWindow, queryableWindow, windowTiming, type AuditWindow } from './window';

/** Changes attributed per scan pair: a mass change is summarised by one alert anyway, and rows cost writes. */
export const MAX_ATTRIBUTED_CHANGES = 5_000;
/** Attempts per audit request (the first included) and the seconds of Retry-After the stage may wait in all. */
const AUDIT_MAX_ATTEMPTS = 4;
const AUDIT_RETRY_BUDGET_MS = 60_000;
/** Wall-clock limit of one pass: the pacer's spacing for every allowed request, plus the retry budget, plus a minute. */
const passTimeLimitMs = (maxRequests: number): number => maxRequests * (AUDIT_LOG_QUOTA.windowMs / AUDIT_LOG_QUOTA.limit) + AUDIT_RETRY_BUDGET_MS + 60_000;
const WRITE_BATCH = 100;

export interface AttributionDeps {
  settings: Settings;
  tables: TableFactory;
  graph: Client;
  log: Logger;
  now?: () => Date;
  /** Time for the pacer and retry waits (tests inject one that does not wait). */
  clock?: Clock;
}

/** A change to attribute, as the diff streams it or as a stored record to retry. */
interface ChangeKey {
  groupId: string | null;
  field: TenantContextChange['field'] | null;
  types: ChangeType[];
  /** Lookups made before this one. */
  attempts: number;
}

export interface AttributionInput {
  fromScan: ScanRecord;
  toScan: ScanRecord;
  /** Groups that changed (from the diff summary): 0 with no tenant change skips the stage. */
  changedGroups: number;
  tenantChanges: readonly TenantContextChange[];
  /** A fresh stream of the diff's changes. */
  changes: () => AsyncIterable<GroupChange>;
}

export interface AttributionRun {
  status: 'disabled' | 'skipped' | 'done' | 'failed';
  counts: Partial<Record<AttributionStatus, number>>;
  /** Audit requests made (against AUDIT_MAX_PAGES). */
  requests: number;
  /** Changes left without a record because the pair had more than MAX_ATTRIBUTED_CHANGES. */
  unattributed: number;
}

const EMPTY_RUN = (status: AttributionRun['status']): AttributionRun => ({ status, counts: {}, requests: 0, unattributed: 0 });

/** Attributes the changes between two complete scans. Never throws. */
export async function attributeChanges(deps: AttributionDeps, input: AttributionInput): Promise<AttributionRun> {
  if (!deps.settings.audit.enabled) return EMPTY_RUN('disabled');
  const tenantChanges = input.tenantChanges.filter((c) => (COMPARED_TENANT_FIELDS as readonly string[]).includes(c.field));
  if (input.changedGroups === 0 && tenantChanges.length === 0) return EMPTY_RUN('skipped');
  const pass = new LookupPass(deps, deps.settings.audit.maxPages);
  try {
    async function* keys(): AsyncGenerator<ChangeKey> {
      for await (const change of input.changes()) yield { groupId: change.groupId, field: null, types: change.types, attempts: 0 };
    }
    const tenantKeys = tenantChanges.map((c): ChangeKey => ({ groupId: null, field: c.field, types: [], attempts: 0 }));
    const run = await pass.attributePair(pairOf(input.fromScan, input.toScan), keys(), tenantKeys, input.changedGroups);
    deps.log.info(`Attribution ${input.fromScan.id} → ${input.toScan.id}: ${formatCounts(run.counts)} (${run.requests} audit requests).`);
    return run;
  } catch (error) {
    deps.log.warn(`Attribution ${input.fromScan.id} → ${input.toScan.id} did not finish: ${errorMessage(error)}`);
    return { ...EMPTY_RUN('failed'), requests: pass.requests };
  } finally {
    pass.close();
  }
}

/**
 * Looks up again the changes of earlier scan pairs whose attribution was pending or throttled, with what is left
 * of the night's request budget. Runs after the alerts, so it never holds them up. Never throws.
 */
export async function retryPendingAttributions(deps: AttributionDeps, options: { tenantId: string; requestsUsed: number; skip?: { fromScanId: string; toScanId: string } }): Promise<AttributionRun> {
  if (!deps.settings.audit.enabled) return EMPTY_RUN('disabled');
  const budget = deps.settings.audit.maxPages - options.requestsUsed;
  if (budget <= 0) return EMPTY_RUN('skipped');
  const store = new AttributionStore(deps.tables);
  const pass = new LookupPass(deps, budget);
  const total: AttributionRun = EMPTY_RUN('done');
  try {
    for (const pair of await store.listRetryPairs(options.tenantId)) {
      if (pair.fromScanId === options.skip?.fromScanId && pair.toScanId === options.skip?.toScanId) continue;
      if (pass.remaining <= 0) break;
      const retry: AttributionRecord[] = [];
      for await (const record of store.listRecords(options.tenantId, pair.fromScanId, pair.toScanId, { retryOnly: true })) retry.push(record);
      const toKey = (r: AttributionRecord): ChangeKey => ({ groupId: r.groupId, field: r.field, types: r.changeTypes, attempts: r.attribution.attempts });
      async function* groups(): AsyncGenerator<ChangeKey> {
        for (const r of retry) if (r.groupId) yield toKey(r);
      }
      const run = await pass.attributePair(
        { tenantId: options.tenantId, ...pair },
        groups(),
        retry.filter((r) => !r.groupId).map(toKey),
        retry.filter((r) => r.groupId).length,
        { merge: true },
      );
      for (const [status, count] of Object.entries(run.counts)) total.counts[status as AttributionStatus] = (total.counts[status as AttributionStatus] ?? 0) + count;
    }
    total.requests = pass.requests;
    if (total.requests > 0) deps.log.info(`Attribution retries: ${formatCounts(total.counts)} (${total.requests} audit requests).`);
    return total;
  } catch (error) {
    deps.log.warn(`Attribution retries did not finish: ${errorMessage(error)}`);
    return { ...total, status: 'failed', requests: pass.requests };
  } finally {
    pass.close();
  }
}

interface PairTimes {
  tenantId: string;
  fromScanId: string;
  toScanId: string;
  fromStartedAt: string;
  toStartedAt: string;
  toFinishedAt: string | null;
}

function pairOf(fromScan: ScanRecord, toScan: ScanRecord): PairTimes {
  return {
    tenantId: toScan.tenantId,
    fromScanId: fromScan.id,
    toScanId: toScan.id,
    fromStartedAt: fromScan.startedAt.toISOString(),
    toStartedAt: toScan.startedAt.toISOString(),
    toFinishedAt: toScan.finishedAt?.toISOString() ?? null,
  };
}

/** Why a lookup could not be made: the status every affected change gets. */
interface Failure {
  status: Extract<AttributionStatus, 'noPermission' | 'noLicence' | 'throttled'>;
  note: string;
  /** Graph refused the query itself (400): a simpler filter may be accepted. */
  badRequest?: boolean;
}

/** Graph's 403 for the audit log: a missing permission, or (the same status) a tenant without the licence. */
export function lookupFailure(error: unknown): Failure {
  const e = error as { code?: string; statusCode?: number | null; graphCode?: string | null };
  const status = e.statusCode ?? undefined;
  const message = errorMessage(error);
  if (status === 403 || status === 401) {
    if (/licen[cs]e|premium|NonPremium/i.test(`${message} ${e.graphCode ?? ''}`)) return { status: 'noLicence', note: STATUS_NOTES.noLicence };
    return { status: 'noPermission', note: STATUS_NOTES.noPermission };
  }
  if (e.code === 'GraphRetryBudgetExhausted' || status === 429) {
    return { status: 'throttled', note: `${STATUS_NOTES.throttled} (Graph throttled the audit log: ${message.slice(0, 200)})` };
  }
  return { status: 'throttled', note: `${STATUS_NOTES.throttled} (${message.slice(0, 200)})`, badRequest: status === 400 };
}

const BUDGET_SPENT: Failure = { status: 'throttled', note: `${STATUS_NOTES.throttled} (this run's AUDIT_MAX_PAGES or time limit was spent)` };

/** One bounded pass over the audit log: one transport, pacer, request budget and time limit. */
class LookupPass {
  private readonly reader: AuditLogReader;
  private readonly store: AttributionStore;
  private readonly now: () => Date;
  private readonly timeLimit: AbortController;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deps: AttributionDeps,
    maxRequests: number,
  ) {
    const clock = deps.clock ?? systemClock;
    this.now = deps.now ?? (() => new Date(clock.now()));
    const retry = scanRetryPolicy({ maxAttempts: Math.min(AUDIT_MAX_ATTEMPTS, deps.settings.graph.maxAttempts), budgetMs: AUDIT_RETRY_BUDGET_MS, clock });
    const transport = new GraphTransport(deps.graph, {
      retry,
      requestTimeoutMs: deps.settings.graph.requestTimeoutMs,
      baseUrl: deps.settings.graph.baseUrl,
    });
    this.timeLimit = new AbortController();
    this.timer = setTimeout(() => this.timeLimit.abort(new Error('the attribution time limit was reached')), passTimeLimitMs(maxRequests));
    this.timer.unref();
    this.reader = new AuditLogReader(transport, new RequestPacer({ ...AUDIT_LOG_QUOTA, clock }), { maxRequests, signal: this.timeLimit.signal });
    this.store = new AttributionStore(deps.tables);
  }

  get requests(): number {
    return this.reader.requests;
  }

  get remaining(): number {
    return this.timeLimit.signal.aborted ? 0 : this.reader.remainingRequests;
  }

  close(): void {
    clearTimeout(this.timer);
  }

  /** A query, or the reason it could not be made. */
  private async query(filter: string, what: string, maxPages?: number): Promise<{ events: DirectoryAudit[]; complete: boolean } | Failure> {
    if (this.remaining <= 0) return BUDGET_SPENT;
    try {
      return await this.reader.query(filter, what, maxPages);
    } catch (error) {
      if (this.timeLimit.signal.aborted) return BUDGET_SPENT;
      return lookupFailure(error);
    }
  }

  async attributePair(
    pair: PairTimes,
    groupChanges: AsyncIterable<ChangeKey>,
    tenantChanges: readonly ChangeKey[],
    changedGroups: number,
    options: { merge?: boolean } = {},
  ): Promise<AttributionRun> {
    const now = this.now();
    const { settings } = this.deps;
    const window = auditWindow({ startedAt: new Date(pair.fromStartedAt), finishedAt: null }, { startedAt: new Date(pair.toStartedAt), finishedAt: pair.toFinishedAt ? new Date(pair.toFinishedAt) : null }, now);
    const timing = windowTiming(window, now, { retentionDays: settings.audit.retentionDays, latencyGraceMs: settings.audit.latencyGraceMs });
    const queryable: AuditWindow = { ...queryableWindow(window, now, settings.audit.retentionDays), readBy: window.readBy };
    const matchOptions: MatchOptions = { window, writebackPatterns: settings.audit.writebackPropertyPatterns };
    const checkedAt = now;
    const counts: Partial<Record<AttributionStatus, number>> = {};
    let retryAny = false;
    const pending: AttributionRecord[] = [];
    const flush = async (force: boolean): Promise<void> => {
      if (pending.length === 0 || (!force && pending.length < WRITE_BATCH)) return;
      await this.store.saveRecords(pair.tenantId, pair.fromScanId, pair.toScanId, pending.splice(0));
    };
    const add = async (key: ChangeKey, match: MatchResult, failure: Failure | null): Promise<void> => {
      let status: AttributionStatus;
      let retry: boolean;
      let note: string | undefined;
      if (timing.fullyAgedOut) [status, retry] = ['agedOut', false];
      else if (failure) [status, retry, note] = [failure.status, failure.status === 'throttled', failure.note];
      else ({ status, retry } = decideStatus(match, timing));
      counts[status] = (counts[status] ?? 0) + 1;
      retryAny ||= retry;
      pending.push({
        groupId: key.groupId,
        field: key.field,
        changeTypes: key.types,
        attribution: attribution(failure ? NO_MATCH : match, status, { window, checkedAt, attempts: key.attempts + (timing.fullyAgedOut ? 0 : 1), note }),
        retry,
        matcherVersion: MATCHER_VERSION,
      });
      await flush(false);
    };

    // The nightly query, unless nothing is left to find.
    let index: Map<string, DirectoryAudit[]> = new Map();
    let perGroup = false;
    let failure: Failure | null = null;
    if (!timing.fullyAgedOut && changedGroups > 0) {
      // Up to half the budget stays for per-group queries (one per changed group) should the nightly query not finish.
      const reserve = Math.min(changedGroups, Math.floor(this.remaining / 2));
      const pages = Math.max(1, this.remaining - reserve - (tenantChanges.length > 0 ? 1 : 0));
      let result = await this.query(groupActivityFilter(queryable), 'group activities', pages);
      if ('status' in result && result.badRequest) result = await this.query(groupActivityFilter(queryable, { withService: false }), 'group activities', pages);
      if ('status' in result) failure = result;
      else {
        index = indexEventsByGroup(result.events);
        perGroup = !result.complete;
      }
    }

    let unattributed = 0;
    let seen = 0;
    for await (const key of groupChanges) {
      seen += 1;
      if (seen > MAX_ATTRIBUTED_CHANGES) {
        unattributed += 1;
        continue;
      }
      if (timing.fullyAgedOut || failure) {
        await add(key, NO_MATCH, failure);
        continue;
      }
      if (perGroup) {
        // The nightly query ran out of pages: this group's own events, while requests last.
        const own = await this.query(groupTargetFilter(queryable, key.groupId!), `group ${key.groupId}`);
        if ('status' in own) {
          await add(key, NO_MATCH, own);
          continue;
        }
        const id = key.groupId!.toLowerCase();
        const known = index.get(id) ?? [];
        const events = [...known, ...own.events.filter((e) => !known.some((k) => k.id === e.id))];
        const match = matchGroupChange({ groupId: key.groupId!, types: key.types }, indexEventsByGroup(events), matchOptions);
        await add(key, match, own.complete || match.status === 'confirmed' ? null : BUDGET_SPENT);
        continue;
      }
      await add(key, matchGroupChange({ groupId: key.groupId!, types: key.types }, index, matchOptions), null);
    }

    if (tenantChanges.length > 0) {
      const settingsResult: { events: DirectoryAudit[]; complete: boolean } | Failure = timing.fullyAgedOut
        ? { events: [], complete: true }
        : await this.query(settingActivityFilter(queryable), 'directory settings');
      for (const key of tenantChanges) {
        if ('status' in settingsResult) await add(key, NO_MATCH, settingsResult);
        else {
          const change: TenantContextChange = { field: key.field!, before: null, after: null };
          await add(key, matchTenantChange(change, settingsResult.events, matchOptions), settingsResult.complete ? null : BUDGET_SPENT);
        }
      }
    }
    await flush(true);

    let pairCounts = counts;
    let pairRetry = retryAny;
    if (options.merge) {
      // A retry rewrote some records: recount the whole pair from the store.
      pairCounts = {};
      pairRetry = false;
      for await (const record of this.store.listRecords(pair.tenantId, pair.fromScanId, pair.toScanId)) {
        pairCounts[record.attribution.status] = (pairCounts[record.attribution.status] ?? 0) + 1;
        pairRetry ||= record.retry;
      }
    }
    const stored: AttributionPair = {
      fromScanId: pair.fromScanId,
      toScanId: pair.toScanId,
      fromStartedAt: pair.fromStartedAt,
      toStartedAt: pair.toStartedAt,
      toFinishedAt: pair.toFinishedAt,
      counts: pairCounts,
      retry: pairRetry,
      updatedAt: now.toISOString(),
    };
    await this.store.savePair(pair.tenantId, stored);
    return { status: 'done', counts, requests: this.requests, unattributed };
  }
}

function formatCounts(counts: Partial<Record<AttributionStatus, number>>): string {
  const parts = Object.entries(counts).map(([status, n]) => `${n} ${status}`);
  return parts.length ? parts.join(', ') : 'nothing to attribute';
}
