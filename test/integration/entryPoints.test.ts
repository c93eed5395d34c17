/**
 * Every way to run a scan runs the same product: the CLI (a real child process of the built CLI), the nightly
 * timer and HTTP POST /api/scans (both on the local host) each alert through a signed webhook for the same change,
 * a CLI scan applies retention, and a CLI diff carries approval marks, as the HTTP diff does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { parseApprovalRequest } from '../../src/alerts/approvals';
import { CHANGE_SYSTEM } from '../helpers/principals';
import { runScan } from '../../src/scan/runScan';
import type { GroupChange } from '../../src/model';
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../../dev/demo/webhookReceiver';
import { startWorld, type World } from '../helpers/world';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const SECRET = 'entry-point-test-secret-0123456789';
const KEY = 'entry-point-key';
const DAY = 86_400_000;

let world: World | undefined;
let receiver: RunningWebhookReceiver | undefined;
let host: RunningFunctionsHost | undefined;
afterEach(async () => {
  await host?.close();
  await receiver?.close();
  await world?.close();
  host = receiver = world = undefined;
});

async function start(env: Record<string, string> = {}): Promise<World> {
  receiver = await startWebhookReceiver({ secret: SECRET });
  world = await startWorld({
    emulator: { groups: 120, seed: 5 },
    env: { GRAPH_PAGE_SIZE: '50', ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, ...env },
  });
  return world;
}

async function cli(w: World, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...w.env }, maxBuffer: 16 << 20 });
  return stdout;
}

async function localHost(w: World): Promise<RunningFunctionsHost> {
  host = await startFunctionsHost({ services: w.services, port: 0, functionKey: KEY, settings: w.env, timers: false, log: () => {} });
  return host;
}

/** A cloud Microsoft 365 group created written back: the change every entry point must alert on. */
function createWrittenBackGroup(w: World): string {
  return w.emulator.tenant.createGroup({
    displayName: 'Finance',
    groupTypes: ['Unified'],
    mailEnabled: true,
    mailNickname: 'finance',
    securityEnabled: false,
    writebackConfiguration: { isEnabled: true, onPremisesGroupType: null },
  }).id;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Rule and group of every alert the webhook received, sorted. */
function alertsReceived(): string[] {
  return receiver!.received.filter((r) => !r.duplicate).map((r) => `${r.payload.alert.ruleId} ${r.payload.alert.groupName ?? '-'}`).sort();
}

type EntryPoint = (w: World) => Promise<void>;

const viaCli: EntryPoint = async (w) => void (await cli(w, ['scan']));
const viaTimer: EntryPoint = async (w) => (host ?? (await localHost(w))).fireTimer('scanTimer');
const viaHttp: EntryPoint = async (w) => {
  const h = host ?? (await localHost(w));
  const before = (await w.services.scans.latest(w.settings.tenantId, 'complete'))?.id ?? null;
  const response = await fetch(`${h.url}/api/scans`, { method: 'POST', headers: { 'x-functions-key': KEY } });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  expect(id).not.toBe(before);
  // The answer comes before the scan ends; the after-scan stages follow it. Retention is their last step, and a
  // health alert is recorded before it, so the scan record plus a settled alert store mark the end.
  await until(async () => (await w.services.scans.get(w.settings.tenantId, id))?.status === 'complete', `scan ${id}`);
};

async function alertsFrom(entry: EntryPoint): Promise<string[]> {
  const w = await start();
  await entry(w);
  expect(alertsReceived()).toEqual([]);
  createWrittenBackGroup(w);
  await entry(w);
  await until(() => alertsReceived().length > 0, 'an alert at the webhook');
  // Deliveries of one scan go out together; give a straggler the chance to show up before comparing.
  await new Promise((r) => setTimeout(r, 300));
  return alertsReceived();
}

describe('every entry point runs the same stages after a scan', () => {
  it('alerts through the webhook for the same change from the CLI, the timer and HTTP', async () => {
    const fromCli = await alertsFrom(viaCli);
    await host?.close();
    await receiver?.close();
    await world?.close();
    host = receiver = world = undefined;
    const fromTimer = await alertsFrom(viaTimer);
    await host?.close();
    await receiver?.close();
    await world?.close();
    host = receiver = world = undefined;
    const fromHttp = await alertsFrom(viaHttp);

    expect(fromCli.some((line) => line.endsWith(' Finance'))).toBe(true);
    expect(fromTimer).toEqual(fromCli);
    expect(fromHttp).toEqual(fromCli);
  }, 180_000);

  it('a CLI scan applies retention', async () => {
    const w = await start({ RETENTION_DAYS: '30' });
    const now = Date.now();
    const scanAt = async (at: number) => {
      const outcome = await runScan({ ...w.services.scanDependencies(), now: () => new Date(at) }, { trigger: 'timer' });
      expect(outcome.status).toBe('complete');
      return outcome.scan.id;
    };
    const old = await scanAt(now - 200 * DAY);
    await scanAt(now - 150 * DAY);
    expect(await w.services.scans.get(w.settings.tenantId, old)).not.toBeNull();

    await cli(w, ['scan']);

    expect(await w.services.scans.get(w.settings.tenantId, old)).toBeNull();
  }, 120_000);

  it('a CLI diff marks the change an approval covers, as the HTTP diff does', async () => {
    const w = await start();
    await cli(w, ['scan']);
    const groupId = createWrittenBackGroup(w);
    await cli(w, ['scan']);
    const now = new Date();
    const approval = await w.services.alerts.approvals.create(
      parseApprovalRequest(
        { groupId, expect: { bucket: 'writtenBack' }, reason: 'CHG-7', expiresAt: new Date(now.getTime() + DAY).toISOString() },
        { tenantId: w.settings.tenantId, now, requestedBy: CHANGE_SYSTEM },
      ),
    );

    const changes = (await cli(w, ['diff', '--format', 'json'])).trim().split('\n').map((line) => JSON.parse(line) as GroupChange);
    const h = await localHost(w);
    const overHttp = ((await (await fetch(`${h.url}/api/diff`, { headers: { 'x-functions-key': KEY } })).json()) as { changes: GroupChange[] }).changes;

    expect(changes.find((c) => c.groupId === groupId)?.approvalId).toBe(approval.id);
    expect(changes.filter((c) => c.groupId !== groupId).every((c) => c.approvalId === null)).toBe(true);
    expect(overHttp.map((c) => [c.groupId, c.approvalId])).toEqual(changes.map((c) => [c.groupId, c.approvalId]));
  }, 120_000);
});
