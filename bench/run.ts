/**
 * `npm run bench`: measures side by side in one run and prints ratios, not verdicts from wall-clock alone.
 * Two parts, each with its own emulator, Azurite and TABLE_PREFIX; BENCH_PARTS=standard,large (default both)
 * picks which run.
 *   standard (BENCH_GROUPS, default 100,000; a Cloud Sync job with BENCH_CLOUD_SYNC_GROUPS, default 10,000,
 *   assigned groups):
 *     scan:   time ÷ (pages × latency), the sequential-paging floor; peak RSS of the scanning process. The
 *             scan reads the Cloud Sync job and all its assignments before classifying, which must not
 *             cost paging time.
 *     rescan: after 1% churn, a second full scan (it stores only what changed): time ÷ its paging floor.
 *     diff:   the diff of the two: time ÷ time to read the changed groups alone (a table holding just their rows
 *             in both scans, what a diff cannot do without).
 *     report: the second scan's report: time ÷ time for exceljs alone to write the same cells; peak RSS.
 *   large (BENCH_LARGE_GROUPS, default 500,000; DELTA_ENABLED=true; delta pages of up to 999):
 *     scan:   the tenant's first full scan (it stores every group once, and takes a delta link), as above.
 *     delta:  the emulated tenant churns 1% (POST /_emulator/tenant/churn), then the next scan must be a
 *             delta scan: Graph requests (emulator stats) against ceil(changed / 999) + 5; time ÷ (its Graph
 *             requests × latency + the time to write the changed groups alone); peak RSS.
 *     rescan: 1% churn, then a full scan (delta off for it): time ÷ paging floor, and ÷ paging alone (the same
 *             pages read with nothing stored, just before); peak RSS.
 *     diff:   delta scan → rescan: time ÷ time to read the changed groups alone.
 *     rows:   BENCH_NIGHTS (default 30) scans in all, one per "night" of 1% churn: entities stored ÷ groups.
 * Latency defaults to 100 ms per Graph request (BENCH_LATENCY_MS).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { startAzurite } from '../dev/localhost/azurite';
import { findFreePort } from '../dev/localhost/freePort';
import { stopChild } from '../dev/localhost/azurite';
import { DEPLOYED_NODE_ARGUMENTS } from './deployedNode';

const run = promisify(execFile);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100_000);
const LARGE_GROUPS = Number(process.env.BENCH_LARGE_GROUPS ?? 500_000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const CLOUD_SYNC_GROUPS = Number(process.env.BENCH_CLOUD_SYNC_GROUPS ?? 10_000);
const NIGHTS = Number(process.env.BENCH_NIGHTS ?? 30);
const PARTS = (process.env.BENCH_PARTS ?? 'standard,large').split(',').map((part) => part.trim()).filter(Boolean);
const TENANT = '0b5e3c1a-7d2f-4e6b-9a8c-1f2e3d4c5b6a';
/** Delta page size of the large part's emulated service: the page size the request target assumes (Graph may page smaller). */
const DELTA_PAGE = 999;
/**
 * Requests of a scan besides group pages: settings, directory synchronization, organization, and the Cloud
 * Sync discovery (one per application template; the large part's tenant has no Cloud Sync configuration).
 */
const CONTEXT_REQUESTS = 5;

async function startEmulatorProcess(port: number, groups: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const args = ['emulator', '--port', String(port), '--groups', String(groups), '--seed', '9', '--latency', String(LATENCY), ...extraArgs];
  const child = spawn(process.execPath, [join(__dirname, '..', 'dev', 'cli', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('127.0.0.1')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return child;
}

/** CPU time (user + system) a process has used so far, from /proc on Linux; null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
  } catch {
    return null;
  }
}

const seconds = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

async function workload(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [...DEPLOYED_NODE_ARGUMENTS, join(__dirname, 'workload.js'), ...args], { env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, any>;
}

/** Calls an emulator control route (`/_emulator/<action>`); returns its JSON, or null for 204. */
async function control(emulatorUrl: string, method: 'GET' | 'POST', action: string, body?: unknown): Promise<Record<string, any> | null> {
  const response = await fetch(`${emulatorUrl}/_emulator/${action}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /_emulator/${action} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? null : ((await response.json()) as Record<string, any>);
}

interface World {
  env: NodeJS.ProcessEnv;
  emulatorUrl: string;
  /** CPU used so far by Azurite and the emulator, to tell how busy the machine was during a workload. */
  cpuMs(): { azurite: number | null; emulator: number | null };
}

/** Azurite and an emulator process of `groups` groups for one part, stopped when `body` ends. */
async function withWorld(
  setup: { groups: number; prefix: string; emulatorArgs?: string[]; env?: Record<string, string> },
  body: (world: World) => Promise<void>,
): Promise<void> {
  const azurite = await startAzurite();
  let emulator: ChildProcess | undefined;
  try {
    const port = await findFreePort();
    emulator = await startEmulatorProcess(port, setup.groups, setup.emulatorArgs);
    const emulatorUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      TENANT_ID: TENANT,
      GRAPH_BASE_URL: emulatorUrl,
      GRAPH_CREDENTIAL: 'emulator',
      TABLE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      TABLE_PREFIX: setup.prefix,
      ...setup.env,
    };
    const emulatorPid = emulator.pid;
    await body({ env, emulatorUrl, cpuMs: () => ({ azurite: processCpuMs(azurite.pid), emulator: processCpuMs(emulatorPid) }) });
  } finally {
    if (emulator) await stopChild(emulator);
    await azurite.stop();
  }
}

async function standardPart(): Promise<void> {
  // Delta off: the second scan must read the whole tenant again for the diff and report to compare with.
  await withWorld({ groups: GROUPS, prefix: 'benchstd', env: { DELTA_ENABLED: 'false' } }, async ({ env, emulatorUrl, cpuMs }) => {
    const dir = mkdtempSync(join(tmpdir(), 'wbw-bench-'));
    console.log(`Benchmark: ${GROUPS} emulated groups, ${LATENCY} ms per Graph request, Azurite in memory; workloads run with the deployed app's Node arguments (${DEPLOYED_NODE_ARGUMENTS.join(' ')}).`);
    const paging = await workload(env, 'paging');
    // A Cloud Sync configuration whose job scopes the first CLOUD_SYNC_GROUPS groups by assignment.
    await control(emulatorUrl, 'POST', 'tenant/cloud-sync/configurations', { domain: 'contoso.com', assignFirstGroups: CLOUD_SYNC_GROUPS });
    await control(emulatorUrl, 'POST', 'reset-stats');
    const before = cpuMs();
    const scan1 = await workload(env, 'scan');
    const floorMs = scan1.pages * LATENCY;
    const byRoute = ((await control(emulatorUrl, 'GET', 'stats'))!.byRoute ?? {}) as Record<string, number>;
    const cloudSyncRequests = Object.entries(byRoute).filter(([route]) => route.includes('/servicePrincipals')).reduce((sum, [, count]) => sum + count, 0);
    if (scan1.cloudSync !== 'read' || scan1.assignedGroups !== CLOUD_SYNC_GROUPS) {
      throw new Error(`The scan did not read the Cloud Sync job (${scan1.cloudSync}, ${scan1.assignedGroups} assigned groups): Cloud Sync is not being measured.`);
    }
    console.log(`scan:   ${scan1.ms} ms for ${scan1.groups} groups in ${scan1.pages} pages; paging floor ${floorMs} ms; ratio ${(scan1.ms / floorMs).toFixed(2)} (target <= 1.2); peak RSS ${scan1.maxRssMb} MB (target < 300)`);
    console.log(`        with a Cloud Sync job of ${scan1.assignedGroups} assigned groups, read before classifying in ${cloudSyncRequests} Graph requests (pages read ahead meanwhile)`);
    console.log(`        paging alone (same client, nothing stored): ${paging.ms} ms, ratio ${(paging.ms / floorMs).toFixed(2)} to the floor; the scan takes ${(scan1.ms / paging.ms).toFixed(2)} times that`);
    console.log(`        ${cpuLine(scan1, before, cpuMs())}`);
    await control(emulatorUrl, 'POST', 'tenant/churn', { fraction: 0.01, seed: 1 });
    const scan2 = await workload(env, 'scan');
    printRescan('rescan:', scan2, paging);
    await printDiff(env, scan1.scanId, scan2.scanId, 'benchstdchanged');
    const raw = await workload(env, 'rawxlsx', scan2.scanId, join(dir, 'raw.xlsx'));
    const report = await workload(env, 'report', scan2.scanId, join(dir, 'report.xlsx'));
    console.log(`report: ${report.ms} ms for ${report.rows} group rows and ${report.findingRows} finding rows vs ${raw.ms} ms for exceljs alone writing the same cells (${raw.findingRows} finding rows); ratio ${(report.ms / raw.ms).toFixed(2)} (target <= 1.5); peak RSS ${report.maxRssMb} MB (target < 300)`);
  });
}

function printRescan(label: string, scan: Record<string, any>, paging: Record<string, any>): void {
  const floorMs = scan.pages * LATENCY;
  console.log(`${label} ${scan.ms} ms for a ${scan.mode} scan of ${scan.groups} groups in ${scan.pages} pages after 1% churn, storing what changed; paging floor ${floorMs} ms; ratio ${(scan.ms / floorMs).toFixed(2)} (target <= 1.1); peak RSS ${scan.maxRssMb} MB (target < 300)`);
  // Paging alone is what no scan can beat: its own ratio to the floor is what this machine's HTTP stack adds per page.
  console.log(`        paging alone (same client, nothing stored): ${paging.ms} ms for ${paging.pages} pages, ratio ${(paging.ms / (paging.pages * LATENCY)).toFixed(2)} to the floor; the scan takes ${(scan.ms / paging.ms).toFixed(2)} times that`);
}

/** The diff of two scans against reading the groups the later one changed, from a table holding just them. */
async function printDiff(env: NodeJS.ProcessEnv, from: string, to: string, table: string): Promise<void> {
  await workload(env, 'writechanged', to, table, 'both');
  const read = await workload(env, 'readtable', table);
  const diff = await workload(env, 'diff', from, to);
  console.log(`diff:   ${diff.ms} ms for ${diff.changes} changes vs ${read.ms} ms to read the changed groups alone (${read.rows} rows: their state in both scans); ratio ${(diff.ms / read.ms).toFixed(2)} (target <= 1.5); peak RSS ${diff.maxRssMb} MB (target < 300)`);
}

/** CPU each process used during a scan: on a small machine the scanner, Azurite and the emulator share the cores. */
function cpuLine(scan: Record<string, any>, before: ReturnType<World['cpuMs']>, after: ReturnType<World['cpuMs']>): string {
  const spent = (key: 'azurite' | 'emulator'): number | null => (before[key] === null || after[key] === null ? null : after[key]! - before[key]!);
  return `CPU during the scan: scanner ${seconds(scan.cpuMs)}, Azurite ${seconds(spent('azurite'))}, emulator ${seconds(spent('emulator'))} (${scan.ms} ms of wall time)`;
}

const thousands = (n: number): string => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

async function largePart(): Promise<void> {
  const setup = { groups: LARGE_GROUPS, prefix: 'benchlarge', emulatorArgs: ['--delta-page-size', String(DELTA_PAGE)], env: { DELTA_ENABLED: 'true' } };
  await withWorld(setup, async ({ env, emulatorUrl, cpuMs }) => {
    console.log(`Benchmark (large): ${LARGE_GROUPS} emulated groups, ${LATENCY} ms per Graph request, delta on, Azurite in memory; workloads run with ${DEPLOYED_NODE_ARGUMENTS.join(' ')}.`);
    const before = cpuMs();
    const full = await workload(env, 'scan');
    if (full.mode !== 'full') throw new Error(`The first scan of the large part ran as a ${full.mode} scan, not a full scan.`);
    const floorMs = full.pages * LATENCY;
    console.log(`scan ${thousands(LARGE_GROUPS)}: ${full.ms} ms for the first scan (every group stored once) of ${full.groups} groups in ${full.pages} pages; paging floor ${floorMs} ms; ratio ${(full.ms / floorMs).toFixed(2)}; peak RSS ${full.maxRssMb} MB (target < 300)`);

    console.log(`        ${cpuLine(full, before, cpuMs())}`);
    const churn = (await control(emulatorUrl, 'POST', 'tenant/churn', { fraction: 0.01, seed: 1 }))!;
    await control(emulatorUrl, 'POST', 'reset-stats');
    const delta = await workload(env, 'scan');
    if (delta.mode !== 'delta') {
      throw new Error(`The scan after the churn ran as a ${delta.mode} scan, not a delta scan: delta is not being measured.`);
    }
    const stats = (await control(emulatorUrl, 'GET', 'stats'))!;
    const target = Math.ceil(churn.total / DELTA_PAGE) + CONTEXT_REQUESTS;
    const written = await workload(env, 'writechanged', delta.scanId, 'benchlargedeltarows');
    const deltaFloor = stats.requests * LATENCY + written.writeMs;
    console.log(
      `delta: ${stats.requests} Graph requests for ${churn.total} changed groups (target <= ceil(${churn.total}/${DELTA_PAGE}) + ${CONTEXT_REQUESTS} = ${target}); ` +
        `${stats.pages.delta} delta pages of up to ${DELTA_PAGE} (the emulated service's page size; Graph may page smaller)`,
    );
    console.log(
      `       ${delta.ms} ms vs ${stats.requests} requests × ${LATENCY} ms + ${written.writeMs} ms to write the ${written.rows} changed groups alone = ${deltaFloor} ms; ratio ${(delta.ms / deltaFloor).toFixed(2)} (target <= 1.5); peak RSS ${delta.maxRssMb} MB (target < 300)`,
    );
    const routes = Object.entries(stats.byRoute as Record<string, number>).map(([route, count]) => `${route} ${count}`).join(', ');
    console.log(`       churn ${churn.changed} changed, ${churn.created} created, ${churn.deleted} deleted; requests by route: ${routes}; snapshot ${delta.groups} groups`);

    await control(emulatorUrl, 'POST', 'tenant/churn', { fraction: 0.01, seed: 2 });
    const paging = await workload(env, 'paging');
    const rescan = await workload({ ...env, DELTA_ENABLED: 'false' }, 'scan');
    printRescan(`rescan ${thousands(LARGE_GROUPS)}:`, rescan, paging);
    await printDiff(env, delta.scanId, rescan.scanId, 'benchlargechanged');

    // The remaining nights, each after 1% churn (delta scans, as a nightly schedule runs them).
    const started = Date.now();
    for (let night = 4; night <= NIGHTS; night += 1) {
      await control(emulatorUrl, 'POST', 'tenant/churn', { fraction: 0.01, seed: night });
      const scan = await workload(env, 'scan');
      if (scan.groups < LARGE_GROUPS / 2) throw new Error(`night ${night}: the scan holds ${scan.groups} groups`);
    }
    const rows = await workload(env, 'rows');
    const total = rows.versions + rows.chunks + rows.manifestPages;
    console.log(
      `rows:   after ${Math.max(NIGHTS, 3)} scans of ${thousands(LARGE_GROUPS)} groups at 1% churn: ${total} entities (${rows.versions} group versions, ${rows.chunks} change chunks, ${rows.manifestPages} manifest pages); ` +
        `ratio ${(total / LARGE_GROUPS).toFixed(2)} to the groups (target <= 1.5); the last ${Math.max(0, NIGHTS - 3)} nightly scans took ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
}

async function main(): Promise<void> {
  const unknown = PARTS.filter((part) => part !== 'standard' && part !== 'large');
  if (unknown.length > 0 || PARTS.length === 0) throw new Error(`BENCH_PARTS must list standard and/or large (comma-separated), got "${process.env.BENCH_PARTS}".`);
  if (PARTS.includes('standard')) await standardPart();
  if (PARTS.includes('large')) await largePart();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
