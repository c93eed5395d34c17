/** `diff` and `report`: the diff between two scans (JSON lines or Excel) and a scan's Excel report. */
import { parseArgs } from 'node:util';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { markApprovals, type Services } from '../app/services';
import { WritebackWatchError } from '../errors';
import { openScanDiff } from '../diff/scanDiff';
import { writeDiffReport } from '../report/diffReport';
import { enginesOf } from '../report/engineCells';
import { writeScanReport } from '../report/scanReport';
import { requireCompleteScan } from '../store/scanStore';
import { formatDiffSummary } from './diffSummaryText';
import { commandProgress, withRowProgress } from './commandProgress';
import { attributedChanges } from '../attribution/attachAttributions';

export async function diffCommand(argv: string[], services: Services): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string', default: 'latest' }, format: { type: 'string', default: 'json' }, out: { type: 'string' } },
  });
  if (values.format !== 'json' && values.format !== 'xlsx') throw new WritebackWatchError('InvalidInput', `--format ${values.format}: use json or xlsx.`);
  if (values.format === 'xlsx' && !values.out) throw new WritebackWatchError('InvalidInput', '--format xlsx needs --out FILE.');
  const diff = await openScanDiff(services, services.settings.tenantId, { from: values.from, to: values.to });
  if (values.format === 'xlsx') {
    const summary = await diff.summarize();
    const out = createWriteStream(values.out!);
    const changes = () => attributedChanges(services.tables, services.settings.tenantId, diff, markApprovals(services, diff.changes()));
    const engines = { from: enginesOf(diff.from.counts), to: enginesOf(diff.to.counts) };
    await withRowProgress(commandProgress(), 'Writing diff report', summary.changedGroups, (onProgress) => writeDiffReport(out, { summary, changes, onProgress, engines }));
    console.error(formatDiffSummary(summary));
    console.error(`Wrote ${values.out}.`);
    return 0;
  }
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  let rows = 0;
  await withRowProgress(commandProgress({ dataOnStdout: !values.out }), 'Diffing', null, async (onProgress) => {
    for await (const change of attributedChanges(services.tables, services.settings.tenantId, diff, markApprovals(services, diff.changes()))) {
      if (!out.write(`${JSON.stringify(change)}\n`)) await once(out, 'drain');
      onProgress?.((rows += 1));
    }
  });
  if (values.out) {
    out.end();
    await once(out, 'finish');
  }
  return 0;
}

export async function reportCommand(argv: string[], services: Services): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { scan: { type: 'string', default: 'latest' }, out: { type: 'string' } } });
  if (!values.out) throw new WritebackWatchError('InvalidInput', 'report needs --out FILE (an .xlsx path).');
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, values.scan));
  const { rows } = await withRowProgress(commandProgress(), 'Writing report', scan.counts.total, (onProgress) =>
    writeScanReport(createWriteStream(values.out!), { scan, groups: () => services.snapshots.readGroups(scan), onProgress }),
  );
  console.error(`Wrote ${rows} groups of scan ${scan.id} to ${values.out}.`);
  return 0;
}
