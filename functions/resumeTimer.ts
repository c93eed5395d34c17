/**
 * Continues a scan that an earlier invocation paused (SCAN_TIME_BUDGET_SECONDS) or that stopped with its host,
 * every five minutes. It never starts a new scan, so an idle tenant costs one table read per run.
 */
import { app, InvocationContext, Timer } from '@azure/functions';
import { getRuntime } from '../src/app/runtime';
import { runScheduledScan } from '../src/scan/scheduledScan';
import { contextLogger } from './_http';

export async function resumeTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = contextLogger(context);
  await runScheduledScan((await getRuntime(log)).services, { trigger: 'timer', log, resumeOnly: true });
}

app.timer('resumeTimer', { schedule: '%SCAN_RESUME_SCHEDULE%', handler: resumeTimer });
