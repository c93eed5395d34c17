/** Registers the timers of functions/routes.ts; schedules come from app settings ('%SCAN_SCHEDULE%'). */
import { app } from '@azure/functions';
import { TIMERS } from './routes';
import { timerHandler } from './_http';

for (const timer of TIMERS) {
  app.timer(timer.name, { schedule: timer.schedule, handler: timerHandler(timer) });
}
