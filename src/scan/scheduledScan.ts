/** What every trigger runs: one scan (or its continuation), then the stages that follow a finished scan. */
import type { Services } from '../app/services';
import type { ScanRequest, ScanOutcome } from './runScan';
import { runScan } from './runScan';
import { runAfterScan } from './afterScan';
import type { Logger } from '../observability/logger';

export async function runScheduledScan(services: Services, request: ScanRequest & { log?: Logger }): Promise<ScanOutcome> {
  const log = request.log ?? services.log;
  const outcome = await runScan(services.scanDependencies({ log }), request);
  if (outcome.status === 'skipped') {
    log.info(`No scan ran: ${outcome.reason}${outcome.runningScanId ? ` (scan ${outcome.runningScanId})` : ''}`);
  }
  await runAfterScan(services, outcome);
  return outcome;
}
