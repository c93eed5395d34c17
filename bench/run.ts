/**
 * `npm run bench`: measures side by side in one run and prints ratios, not verdicts from wall-clock alone.
 *   scan:   time ÷ (pages × latency), the sequential-paging floor; peak RSS of the scanning process.
 *   diff:   time ÷ time to just read both snapshots; peak RSS.
 *   report: time ÷ time for exceljs alone to write the same rows; peak RSS.
 * Groups default to 100,000 (BENCH_GROUPS), latency to 100 ms (BENCH_LATENCY_MS).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { startAzurite } from '../src/localhost/azurite';
import { findFreePort } from '../src/localhost/freePort';
import { stopChild } from '../src/localhost/azurite';

const run = promisify(execFile);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100_000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const TENANT = '0b5e3c1a-7d2f-4e6b-9a8c-1f2e3d4c5b6a';

async function startEmulatorProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'cli', 'main.js'), 'emulator', '--port', String(port), '--groups', String(GROUPS), '--seed', '9', '--latency', String(LATENCY)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('127.0.0.1')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return child;
}

async function workload(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'workload.js'), ...args], { env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, any>;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const port = await findFreePort();
  const emulator = await startEmulatorProcess(port);
  const env = {
    ...process.env,
    TENANT_ID: TENANT,
    GRAPH_BASE_URL: `http://127.0.0.1:${port}`,
    GRAPH_CREDENTIAL: 'emulator',
    TABLE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    TABLE_PREFIX: 'bench',
  };
  const dir = mkdtempSync(join(tmpdir(), 'wbw-bench-'));
  try {
    console.log(`Benchmark: ${GROUPS} emulated groups, ${LATENCY} ms per Graph request, Azurite in memory.`);
    const scan1 = await workload(env, 'scan');
    const floorMs = scan1.pages * LATENCY;
    console.log(`scan:   ${scan1.ms} ms for ${scan1.groups} groups in ${scan1.pages} pages; paging floor ${floorMs} ms; ratio ${(scan1.ms / floorMs).toFixed(2)} (target <= 1.2); peak RSS ${scan1.maxRssMb} MB (target < 300)`);
    const scan2 = await workload(env, 'scan');
    const read = await workload(env, 'read', scan1.scanId, scan2.scanId);
    const diff = await workload(env, 'diff', scan1.scanId, scan2.scanId);
    console.log(`diff:   ${diff.ms} ms vs ${read.ms} ms to read both snapshots; ratio ${(diff.ms / read.ms).toFixed(2)} (target <= 1.5); peak RSS ${diff.maxRssMb} MB (target < 300)`);
    const raw = await workload(env, 'rawxlsx', scan2.scanId, join(dir, 'raw.xlsx'));
    const report = await workload(env, 'report', scan2.scanId, join(dir, 'report.xlsx'));
    console.log(`report: ${report.ms} ms for ${report.rows} rows vs ${raw.ms} ms for exceljs alone; ratio ${(report.ms / raw.ms).toFixed(2)} (target <= 1.5); peak RSS ${report.maxRssMb} MB (target < 300)`);
  } finally {
    await stopChild(emulator);
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
