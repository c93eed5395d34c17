/** Routes over changes: the diff between two scans (JSON or Excel) and one group's history. */
import type { StoredScan } from '../store/scanStore';
import { PassThrough, Readable } from 'node:stream';
import { changesForPeople, type Services } from '../app/services';
import { openScanDiff, type ScanDiff } from '../diff/scanDiff';
import { DiffAccumulator } from '../diff/diffSummary';
import { writeDiffReport } from '../report/diffReport';
import { enginesOf } from '../report/engineCells';
import { diffReportFileName } from '../report/fileName';
import { scanView } from './scanViews';
import { tenantAttributions } from '../attribution/attachAttributions';
import { assertGroupId, attachment, intParam, type ApiRequest, type ApiResponse } from './http';

function openDiff(services: Services, request: ApiRequest): Promise<ScanDiff> {
  return openScanDiff(services, services.settings.tenantId, { from: request.query.get('from'), to: request.query.get('to') });
}

/** Streams `{ from, to, changes: [...], summary }`; the summary comes last because it is counted on the way. */
export async function getDiff(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const diff = await openDiff(services, request);
  async function* body(): AsyncGenerator<string> {
    const accumulator = new DiffAccumulator(diff.from, diff.to);
    yield `{"from":${JSON.stringify(scanView(diff.from))},"to":${JSON.stringify(scanView(diff.to))},"changes":[`;
    let first = true;
    const changes = changesForPeople(services, diff, accumulator.track(diff.changes()));
    for await (const change of changes) {
      yield (first ? '' : ',') + JSON.stringify(change);
      first = false;
    }
    // Who changed the tenant-wide signals (summary.tenantChanges), by field; the pair's lookup counts.
    const pair = { tenantId: services.settings.tenantId, fromScanId: diff.from.id, toScanId: diff.to.id };
    const store = services.attributions;
    const attribution = { pair: await store.getPair(pair.tenantId, pair.fromScanId, pair.toScanId), tenant: await tenantAttributions(store, pair) };
    yield `],"attribution":${JSON.stringify(attribution)},"summary":${JSON.stringify(accumulator.summary())}}`;
  }
  return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Readable.from(body()) };
}

export async function getDiffReport(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const diff = await openDiff(services, request);
  const summary = await diff.summarize();
  const out = new PassThrough();
  writeDiffReport(out, { summary, changes: () => changesForPeople(services, diff, diff.changes()), engines: { from: enginesOf(diff.from.counts), to: enginesOf(diff.to.counts) } }).catch((error: unknown) => {
    services.log.error(`Diff report ${diff.from.id} → ${diff.to.id} failed while streaming: ${String(error)}`);
    out.destroy(error as Error);
  });
  return { status: 200, headers: attachment(diffReportFileName(diff.from.id, diff.to.id)), body: out };
}

/** The group's state in each retained complete scan, newest first (one partition read for all of them). */
export async function getGroupHistory(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const groupId = assertGroupId(request.params.groupId);
  const top = intParam(request.query, 'top', 90, 1, 400);
  const history: unknown[] = [];
  let seen = false;
  const scans: StoredScan[] = [];
  for await (const scan of services.scans.list(services.settings.tenantId, { status: 'complete', top })) scans.push(scan);
  const states = await services.snapshots.history(services.settings.tenantId, groupId, scans);
  for (const [index, scan] of scans.entries()) {
    const group = states[index] ?? null;
    seen ||= group !== null;
    history.push({ scanId: scan.id, scanStartedAt: scan.startedAt.toISOString(), present: group !== null, group });
  }
  if (!seen) {
    return { status: 404, jsonBody: { error: { code: 'NotFound', message: `Group ${groupId} is in none of the retained complete scans.` } } };
  }
  return { status: 200, jsonBody: { groupId, history } };
}

export async function getHealth(services: Services): Promise<ApiResponse> {
  const latest = await services.scans.latest(services.settings.tenantId);
  const lastComplete = await services.scans.latest(services.settings.tenantId, 'complete');
  return {
    status: 200,
    jsonBody: {
      status: 'ok',
      tenantId: services.settings.tenantId,
      latestScan: latest ? { id: latest.id, status: latest.status, startedAt: latest.startedAt.toISOString() } : null,
      lastCompleteScan: lastComplete ? { id: lastComplete.id, finishedAt: lastComplete.finishedAt?.toISOString() ?? null } : null,
    },
  };
}
