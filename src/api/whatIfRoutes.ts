/** `GET /api/scans/{scanId}/whatif?engines=...`: a stored scan re-classified under other engines (JSON lines or a workbook). */
import { PassThrough, Readable } from 'node:stream';
import type { Services } from '../app/services';
import { openWhatIf, parseWhatIfEngines } from '../diff/whatIf';
import { writeWhatIfReport } from '../report/whatIfReport';
import { safeFileNamePart } from '../report/fileName';
import { requireCompleteScan } from '../store/scanStore';
import { attachment, enumParam, type ApiRequest, type ApiResponse } from './http';

export async function getWhatIf(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const engines = parseWhatIfEngines(request.query.get('engines'));
  const format = enumParam(request.query, 'format', ['jsonl', 'xlsx'] as const) ?? 'jsonl';
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, request.params.scanId));
  const whatIf = openWhatIf(scan, () => services.snapshots.readGroups(scan), engines);
  if (format === 'xlsx') {
    const out = new PassThrough();
    writeWhatIfReport(out, whatIf).catch((error: unknown) => {
      services.log.error(`What-if report for ${scan.id} failed while streaming: ${String(error)}`);
      out.destroy(error as Error);
    });
    return { status: 200, headers: attachment(`writeback-whatif-${safeFileNamePart(scan.id)}-${engines.join('-') || 'none'}.xlsx`), body: out };
  }
  return {
    status: 200,
    headers: { 'Content-Type': 'application/x-ndjson; charset=utf-8' },
    body: Readable.from(lines(whatIf.changes())),
  };
}

async function* lines(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const item of items) yield `${JSON.stringify(item)}\n`;
}
