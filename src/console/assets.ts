/**
 * The console's browser files, served by the function app itself (no CDN, no font, nothing fetched from
 * elsewhere). They are TypeScript string modules rather than files read from disk because Azure's remote
 * build runs only `tsc`: tsc compiles these into dist/ with everything else, so the console ships in every
 * package the app ships in, with no copy step, no path that differs between dist/, the test runner and the
 * deployed package, and no .funcignore rule that could leave it behind. The JavaScript is written without
 * template literals so each file is one String.raw; a test parses every file as a module.
 */
import { createHash } from 'node:crypto';
import { source as indexHtml } from './assets/indexHtml';
import { source as consoleCss } from './assets/consoleCss';
import { source as appJs } from './assets/appJs';
import { source as domJs } from './assets/domJs';
import { source as apiJs } from './assets/apiJs';
import { source as chartJs } from './assets/chartJs';
import { source as viewScansJs } from './assets/viewScansJs';
import { source as viewScanJs } from './assets/viewScanJs';
import { source as viewDiffJs } from './assets/viewDiffJs';
import { source as viewGroupJs } from './assets/viewGroupJs';
import { source as viewAlertsJs } from './assets/viewAlertsJs';
import { source as viewApprovalsJs } from './assets/viewApprovalsJs';

export interface Asset {
  contentType: string;
  body: string;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';

function asset(contentType: string, body: string): Asset {
  return { contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export const INDEX_HTML: Asset = asset('text/html; charset=utf-8', indexHtml);

/** Served at /api/console/assets/<name>; nothing else is. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['console.css', asset('text/css; charset=utf-8', consoleCss)],
  ['app.js', asset(JS, appJs)],
  ['dom.js', asset(JS, domJs)],
  ['api.js', asset(JS, apiJs)],
  ['chart.js', asset(JS, chartJs)],
  ['view-scans.js', asset(JS, viewScansJs)],
  ['view-scan.js', asset(JS, viewScanJs)],
  ['view-diff.js', asset(JS, viewDiffJs)],
  ['view-group.js', asset(JS, viewGroupJs)],
  ['view-alerts.js', asset(JS, viewAlertsJs)],
  ['view-approvals.js', asset(JS, viewApprovalsJs)],
]);
