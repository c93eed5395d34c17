/** Nightly scan, on the schedule in SCAN_SCHEDULE (six-field NCRONTAB, UTC; default 02:00). */
import { app, InvocationContext, Timer } from '@azure/functions';
import { getRuntime } from '../src/app/runtime';
import { runScheduledScan } from '../src/scan/scheduledScan';
import { contextLogger } from './_http';

export async function scanTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = contextLogger(context);
  await runScheduledScan((await getRuntime(log)).services, { trigger: 'timer', log });
}

app.timer('scanTimer', { schedule: '%SCAN_SCHEDULE%', handler: scanTimer });
