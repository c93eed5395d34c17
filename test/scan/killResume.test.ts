/**
 * A scanning process killed with SIGKILL at random points resumes from its checkpoint, and the finished
 * snapshot is exactly the one an uninterrupted scan produces. The scanner is the real CLI in a child process;
 * Graph is the emulator, Table Storage the shared Azurite.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';
import { loadSettings } from '../../src/config/settings';
import { createServices, type Services } from '../../src/app/services';
import { silentLogger } from '../../src/observability/logger';
import { runScan } from '../../src/scan/runScan';
import { uniqueTablePrefix } from '../helpers/settings';
import type { ClassifiedGroup } from '../../src/model';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const GROUPS = 8_000;
/** 32 pages: room for three kills, each after a checkpoint, although checkpoints trail paging by two pages. */
const PAGE_SIZE = '250';

/** Seeded, so a failure can be replayed: the seed is in the test name. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

async function snapshotOf(services: Services, scanId: string): Promise<ClassifiedGroup[]> {
  const rows: ClassifiedGroup[] = [];
  for await (const group of services.snapshots.readGroups(await services.scans.require(services.settings.tenantId, scanId))) rows.push(group);
  return rows;
}

interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

describe('a scan killed with SIGKILL', () => {
  const seed = Number(process.env.KILL_TEST_SEED ?? Date.now() % 100_000);
  let world: World;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test.`);
    // Latency makes a scan last long enough to be killed mid-way; one checkpoint per page makes every kill land
    // between checkpoints; a short lease lets the next process take over soon after a kill.
    world = await startWorld({
      emulator: { groups: GROUPS, seed: 11, latencyMs: 60 },
      env: { SCAN_CHECKPOINT_PAGES: '1', SCAN_LEASE_SECONDS: '5', GRAPH_PAGE_SIZE: PAGE_SIZE },
    });
  });
  afterAll(() => world?.close());

  /** The `scan` command in a process of its own. */
  function startScanProcess(env: Record<string, string> = world.env): { done: Promise<ChildRun>; kill(signal?: NodeJS.Signals): void } {
    const child = spawn(process.execPath, [CLI, 'scan'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<ChildRun>((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal, output })));
    return { done, kill: (signal = 'SIGKILL') => child.kill(signal) };
  }

  async function checkpointPages(): Promise<number> {
    const scan = await world.services.scans.latest(world.settings.tenantId, 'running');
    return scan?.checkpoint?.pages ?? 0;
  }

  /** Waits until this process has saved `more` checkpoints, or has ended by itself. */
  async function waitForCheckpoints(more: number, running: Promise<ChildRun>): Promise<boolean> {
    const target = (await checkpointPages()) + more;
    let exited = false;
    void running.then(() => (exited = true));
    while (!exited) {
      if ((await checkpointPages()) >= target) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  it(`resumes after each kill and ends with the uninterrupted snapshot (seed ${seed})`, { timeout: 120_000 }, async () => {
    const next = random(seed);
    const kills: number[] = [];
    // Three kills at random points: after 1 or 2 checkpoints of the process, plus a random delay into the next page.
    for (let kill = 0; kill < 3; kill++) {
      const checkpoints = 1 + Math.floor(next() * 2);
      for (;;) {
        const child = startScanProcess();
        const reached = await waitForCheckpoints(checkpoints, child.done);
        if (reached) {
          await new Promise((resolve) => setTimeout(resolve, next() * 80));
          child.kill();
          const run = await child.done;
          expect(run.signal).toBe('SIGKILL');
          kills.push(checkpoints);
          break;
        }
        // The process ended by itself: the previous holder's lease had not expired yet. Try again shortly.
        const run = await child.done;
        expect(run.output).toMatch(/already running/);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    expect(kills).toHaveLength(3);

    let finished: ChildRun | null = null;
    for (let attempt = 0; attempt < 40 && !finished; attempt++) {
      const run = await startScanProcess().done;
      if (run.exitCode === 0) finished = run;
      else {
        expect(run.output).toMatch(/already running/);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    expect(finished, 'the scan never finished after the kills').not.toBeNull();

    const scans = [];
    for await (const scan of world.services.scans.list(world.settings.tenantId)) scans.push(scan);
    // One scan, resumed three times: never restarted from scratch, never a second scan.
    expect(scans).toHaveLength(1);
    const resumed = scans[0]!;
    expect(resumed.status).toBe('complete');
    expect(resumed.resumes).toBe(3);

    // The same tenant scanned once without interruption, into tables of its own.
    const clean = createServices(loadSettings({ ...world.env, TABLE_PREFIX: uniqueTablePrefix() }), { log: silentLogger });
    const outcome = await runScan(clean.scanDependencies(), { trigger: 'cli' });
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;

    const [after, expected] = await Promise.all([snapshotOf(world.services, resumed.id), snapshotOf(clean, outcome.scan.id)]);
    expect(after).toHaveLength(GROUPS);
    expect(new Set(after.map((g) => g.id)).size).toBe(GROUPS);
    expect(after).toEqual(expected);
    expect(resumed.counts).toEqual(outcome.scan.counts);
    expect(resumed.counts.total).toBe(GROUPS);
  });

  it('lets a stalled scanner lose its lease to another one, which finishes the scan; the stalled one then stops', { timeout: 120_000 }, async () => {
    // A fresh tenant history: the same emulator, new tables.
    const env = { ...world.env, TABLE_PREFIX: uniqueTablePrefix() };
    const services = createServices(loadSettings(env), { log: silentLogger });
    const spawnScan = () => startScanProcess(env);
    const pagesDone = async (): Promise<number> => (await services.scans.latest(world.settings.tenantId, 'running'))?.checkpoint?.pages ?? 0;
    const until = async (test: () => Promise<boolean>): Promise<void> => {
      while (!(await test())) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    const first = spawnScan();
    await until(async () => (await pagesDone()) >= 2);
    first.kill('SIGSTOP'); // stalled, not dead: it still believes it holds the lease
    const stalledAt = await pagesDone();

    // A second scanner gets nowhere until the lease expires, then takes the scan over and moves it on.
    let second = spawnScan();
    for (;;) {
      const exited = await Promise.race([second.done.then(() => true), until(async () => (await pagesDone()) > stalledAt).then(() => false)]);
      if (!exited) break;
      expect((await second.done).output).toMatch(/already running/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      second = spawnScan();
    }
    const taker = await second.done;
    expect(taker.exitCode, taker.output).toBe(0);
    // The stalled one wakes up after the scan is complete: it must not touch the scan record.
    first.kill('SIGCONT');
    const stalled = await first.done;
    expect(stalled.output).toMatch(/taken over by another instance/);

    const scans = [];
    for await (const scan of services.scans.list(world.settings.tenantId)) scans.push(scan);
    expect(scans.map((s) => s.status)).toEqual(['complete']);
    const clean = createServices(loadSettings({ ...world.env, TABLE_PREFIX: uniqueTablePrefix() }), { log: silentLogger });
    const outcome = await runScan(clean.scanDependencies(), { trigger: 'cli' });
    if (outcome.status !== 'complete') throw new Error(`clean scan ${outcome.status}`);
    expect(await snapshotOf(services, scans[0]!.id)).toEqual(await snapshotOf(clean, outcome.scan.id));
    expect(scans[0]!.counts).toEqual(outcome.scan.counts);
  });
});
