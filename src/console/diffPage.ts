/**
 * One page of the changes between two complete scans, for the console. Both snapshots are read from the
 * page's start onwards (rows come in one order, so the merge join can start anywhere), changes are filtered
 * by type, and each carries the approval that covers it. The first page also reads on to the end to count
 * the summary, so the console shows totals without a second pass.
 */
import type { Services } from '../app/services';
import { changesForPeople } from '../app/services';
import type { Approval } from '../alerts/approvals';
import type { ChangeType, DiffSummary, GroupChange } from '../model';
import type { StoredScan } from '../store/scanStore';
import { openScanDiff } from '../diff/scanDiff';
import { DiffAccumulator } from '../diff/diffSummary';

export interface DiffPageRequest {
  from?: string | null;
  to?: string | null;
  /** Only changes carrying at least one of these types; all when empty. */
  types: readonly ChangeType[];
  top: number;
  after?: string;
}

export interface ConsoleChange extends GroupChange {
  /** The approval that covers the change, as recorded (who asked, why, until when). */
  approval: Pick<Approval, 'id' | 'requestedBy' | 'reason' | 'expiresAt'> | null;
}

export interface DiffPage {
  from: StoredScan;
  to: StoredScan;
  changes: ConsoleChange[];
  next: string | null;
  /** Every change of the diff, counted on the first page only (null on later pages). */
  summary: DiffSummary | null;
}

/** Pure: whether a change shows under the type filter. */
export function matchesChangeTypes(change: GroupChange, types: readonly ChangeType[]): boolean {
  return types.length === 0 || change.types.some((type) => types.includes(type));
}

export async function readDiffPage(services: Services, request: DiffPageRequest): Promise<DiffPage> {
  const tenantId = services.settings.tenantId;
  const diff = await openScanDiff(services, tenantId, { from: request.from, to: request.to });
  const changes = diff.changes(request.after);
  const accumulator = request.after ? null : new DiffAccumulator(diff.from, diff.to);
  const approvals = new Map<string, Approval>();
  const page: GroupChange[] = [];
  let more = false;
  for await (const change of changesForPeople(services, diff, changes)) {
    accumulator?.add(change);
    if (!matchesChangeTypes(change, request.types)) continue;
    if (page.length === request.top) {
      more = true;
      if (!accumulator) break;
      continue;
    }
    page.push(change);
  }
  const ids = page.map((c) => c.approvalId).filter((id): id is string => Boolean(id));
  if (ids.length) {
    for (const approval of await services.alerts.approvals.list(tenantId)) approvals.set(approval.id, approval);
  }
  return {
    from: diff.from,
    to: diff.to,
    changes: page.map((change) => {
      const approval = change.approvalId ? approvals.get(change.approvalId) : undefined;
      return { ...change, approval: approval ? { id: approval.id, requestedBy: approval.requestedBy, reason: approval.reason, expiresAt: approval.expiresAt } : null };
    }),
    next: more ? page[page.length - 1]!.groupId : null,
    summary: accumulator?.summary() ?? null,
  };
}
