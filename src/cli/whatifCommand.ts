/**
 * `whatif`: a stored scan re-classified under another engine list, without Graph (src/diff/whatIf.ts).
 * JSON lines in the diff's change model, or a workbook laid out like the diff report.
 */
import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Services } from '../app/services';
import { WritebackWatchError } from '../errors';
import { openWhatIf, parseWhatIfEngines } from '../diff/whatIf';
import { writeWhatIfReport } from '../report/whatIfReport';
import { requireCompleteScan } from '../store/scanStore';
import { formatDiffSummary } from './diffSummaryText';

export async function whatifCommand(argv: string[], services: Services): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { scan: { type: 'string', default: 'latest' }, engines: { type: 'string' }, format: { type: 'string', default: 'json' }, out: { type: 'string' } },
  });
  if (values.format !== 'json' && values.format !== 'xlsx') throw new WritebackWatchError('InvalidInput', `--format ${values.format}: use json or xlsx.`);
  if (values.format === 'xlsx' && !values.out) throw new WritebackWatchError('InvalidInput', '--format xlsx needs --out FILE.');
  const engines = parseWhatIfEngines(values.engines);
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, values.scan));
  const whatIf = openWhatIf(scan, () => services.snapshots.readGroups(scan), engines);
  if (values.format === 'xlsx') {
    const { summary } = await writeWhatIfReport(createWriteStream(values.out!), whatIf);
    console.error(formatDiffSummary(summary));
    console.error(`Wrote ${values.out}.`);
    return 0;
  }
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  let lines = 0;
  for await (const change of whatIf.changes()) {
    lines += 1;
    if (!out.write(`${JSON.stringify(change)}\n`)) await once(out, 'drain');
  }
  if (values.out) {
    out.end();
    await once(out, 'finish');
  }
  console.error(`Scan ${scan.id} under ${engines.length === 0 ? 'none' : engines.join(',')} instead of ${whatIf.assumed.join(',') || 'none'}: ${lines} groups change bucket or target.`);
  return 0;
}
