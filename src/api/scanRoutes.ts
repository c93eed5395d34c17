/** Routes over scans: list, one scan, start one, its groups (JSON lines or JSON), its Excel report. */
import { PassThrough, Readable } from 'node:stream';
import type { Services } from '../app/services';
import { runAfterScan } from '../scan/afterScan';
import { requireCompleteScan, type StoredScan } from '../store/scanStore';
import { WritebackWatchError } from '../errors';
import { BUCKETS, GROUP_KINDS } from '../classify/vocabulary';
import { beginScan } from '../scan/runScan';
import { assertScanId } from '../store/scanIds';
import { writeScanReport } from '../report/scanReport';
import { scanReportFileName } from '../report/fileName';
import { attachment, enumParam, intParam, type ApiRequest, type ApiResponse } from './http';
import { scanView } from './scanViews';
import { engineVerdictParam, withEngineVerdict } from './engineVerdictFilter';
import type { ScanStatus } from '../model';

const STATUSES: readonly ScanStatus[] = ['running', 'complete', 'failed'];

export async function listScans(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const top = intParam(request.query, 'top', 20, 1, 100);
  const status = enumParam(request.query, 'status', STATUSES);
  const before = request.query.get('before');
  const scans: StoredScan[] = [];
  for await (const scan of services.scans.list(services.settings.tenantId, { status, before: before ? assertScanId(before) : undefined, top: top + 1 })) {
    scans.push(scan);
  }
  const page = scans.slice(0, top);
  const next = scans.length > top ? page[page.length - 1]!.id : null;
  return { status: 200, jsonBody: { scans: page.map(scanView), nextBefore: next } };
}

export async function getScan(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const scan = await services.scans.resolve(services.settings.tenantId, request.params.scanId);
  return { status: 200, jsonBody: scanView(scan) };
}

export async function startScan(services: Services, _request: ApiRequest): Promise<ApiResponse> {
  const start = await beginScan(services.scanDependencies(), { trigger: 'http' });
  if (start.status === 'skipped') {
    throw new WritebackWatchError('Conflict', `${start.reason}${start.runningScanId ? ` (scan ${start.runningScanId})` : ''} Wait for it to finish; GET /api/scans shows its progress.`);
  }
  // The scan goes on after the answer; if this instance is recycled, the resume timer picks it up.
  start.done.then(
    (outcome) => runAfterScan(services, outcome),
    (error: unknown) => services.log.error(`Scan ${start.scan.id} ended unexpectedly: ${String(error)}`),
  );
  return {
    status: 202,
    headers: { Location: `/api/scans/${start.scan.id}` },
    jsonBody: { id: start.scan.id, status: 'running', resumed: start.resumed, location: `/api/scans/${start.scan.id}` },
  };
}

export async function listScanGroups(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, request.params.scanId));
  const bucket = enumParam(request.query, 'bucket', BUCKETS);
  const kind = enumParam(request.query, 'kind', GROUP_KINDS);
  const format = enumParam(request.query, 'format', ['jsonl', 'json'] as const) ?? 'jsonl';
  const groups = withEngineVerdict(services.snapshots.readGroups(scan, { bucket, kind }), engineVerdictParam(request.query));
  if (format === 'jsonl') {
    return {
      status: 200,
      headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8' },
      body: Readable.from(jsonLines(groups)),
    };
  }
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: Readable.from(jsonArray(scan, groups)),
  };
}

async function* jsonLines(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const item of items) yield `${JSON.stringify(item)}\n`;
}

async function* jsonArray(scan: StoredScan, items: AsyncIterable<unknown>): AsyncGenerator<string> {
  yield `{"scanId":${JSON.stringify(scan.id)},"groups":[`;
  let first = true;
  for await (const item of items) {
    yield (first ? '' : ',') + JSON.stringify(item);
    first = false;
  }
  yield ']}';
}

export async function getScanReport(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, request.params.scanId));
  const out = new PassThrough();
  writeScanReport(out, { scan, groups: () => services.snapshots.readGroups(scan) }).catch((error: unknown) => {
    services.log.error(`Scan report for ${scan.id} failed while streaming: ${String(error)}`);
    out.destroy(error as Error);
  });
  return { status: 200, headers: attachment(scanReportFileName(scan.id)), body: out };
}
