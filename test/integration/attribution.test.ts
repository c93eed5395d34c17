/**
 * Who made a change, end to end: two scans through the real local Functions host over HTTP, a change made through
 * the Graph emulator by a signed-in user in between, the attribution in the diff JSON, the workbook, the CLI diff,
 * and the alerts (webhook, Teams card, email body) carrying the actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../../dev/demo/webhookReceiver';
import { AlertStore } from '../../src/alerts/alertStore';
import { emailMessage } from '../../src/alerts/delivery/email';
import { diffCommand } from '../../src/cli/diffCommands';
import { CHANGE_COLUMNS } from '../../src/report/diffReport';
import { startWorld, type World } from '../helpers/world';
import { startLoopbackServer, type LoopbackServer } from '../alerts/loopback';

const KEY = 'test-function-key';
const SECRET = 'attribution-test-secret';
const ADA = { user: { id: '2c940657-1026-4386-bcfd-3176637ba01f', displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.com', ipAddress: '203.0.113.7' } };

let world: World;
let host: RunningFunctionsHost;
let receiver: RunningWebhookReceiver;
let teams: LoopbackServer;

async function json(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${host.url}/api/${path}`, { ...init, headers: { 'x-functions-key': KEY } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, read: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen`);
}

async function scan(): Promise<string> {
  const started = await json('scans', { method: 'POST' });
  expect(started.status).toBe(202);
  await until('scan end', async () => ((await json(`scans/${started.body.id}`)).body.status === 'complete' ? true : null));
  return started.body.id as string;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: SECRET });
  teams = await startLoopbackServer([{ status: 202 }]);
  world = await startWorld({
    emulator: { groups: 80, seed: 33, callers: { 'ada-token': ADA } },
    env: { ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, ALERT_TEAMS_WEBHOOK_URL: teams.url, AUDIT_LATENCY_GRACE_MINUTES: '0' },
  });
  host = await startFunctionsHost({ services: world.services, port: 0, functionKey: KEY, settings: world.env, timers: false, log: () => {} });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await world?.close();
  await receiver?.close();
  await teams?.close();
});

describe('attribution end to end', () => {
  it('names the user who turned writeback on, in the diff, the workbook, the CLI and the alerts', async () => {
    const group = [...world.emulator.tenant.allGroups()].find((g) => (g.groupTypes ?? []).includes('Unified') && g.onPremisesSyncEnabled !== true)!;
    world.emulator.tenant.updateGroup(group.id, { writebackConfiguration: { isEnabled: false, onPremisesGroupType: null } });
    const first = await scan();

    const patched = await fetch(`${world.emulator.url}/beta/groups/${group.id}`, {
      method: 'PATCH',
      headers: { Authorization: 'Bearer ada-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ writebackConfiguration: { isEnabled: true } }),
    });
    expect(patched.status).toBe(204);
    const second = await scan();

    // The webhook alert carries the actor (the alert stage runs after the attribution stage).
    const delivered = await until('webhook alert', async () => receiver.received.find((r) => r.payload.alert.groupId === group.id));
    expect(delivered.payload.alert.attribution).toMatchObject({ status: 'confirmed', changedBy: 'Ada Admin <ada@contoso.com>', activity: 'Update group' });
    expect(delivered.payload.alert.details.attribution).toEqual(delivered.payload.alert.attribution);
    const card = await until('Teams card', async () => teams.requests.find((r) => r.body.includes(group.id)));
    expect(card.body).toContain('Changed by');
    expect(card.body).toContain('ada@contoso.com');

    // The diff JSON.
    const diff = await json(`diff?from=${first}&to=${second}`);
    expect(diff.status).toBe(200);
    const change = diff.body.changes.find((c: any) => c.groupId === group.id);
    expect(change.attribution).toMatchObject({ status: 'confirmed', actor: { kind: 'user', userPrincipalName: 'ada@contoso.com', userId: ADA.user.id } });
    expect(change.attribution.events[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(diff.body.attribution.pair).toMatchObject({ fromScanId: first, toScanId: second, counts: { confirmed: 1 }, retry: false });

    // The workbook.
    const report = await fetch(`${host.url}/api/diff/report.xlsx?from=${first}&to=${second}`, { headers: { 'x-functions-key': KEY } });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await report.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Changes')!;
    const byColumn = (header: string) => String(sheet.getRow(2).getCell(CHANGE_COLUMNS.findIndex((c) => c.header === header) + 1).value ?? '');
    expect(byColumn('Changed by')).toMatch(/^Ada Admin <ada@contoso\.com> at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(byColumn('Attribution')).toMatch(/^confirmed: /);

    // The CLI diff (JSON lines).
    const out = join(mkdtempSync(join(tmpdir(), 'wbw-attr-')), 'diff.jsonl');
    expect(await diffCommand(['--from', first, '--to', second, '--out', out], world.services)).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.find((l) => l.groupId === group.id).attribution.actor.display).toBe('Ada Admin <ada@contoso.com>');

    // The email body of the same stored alert.
    const stored = (await new AlertStore(world.services.tables).getAlert(delivered.payload.alert.id))!;
    const mail = emailMessage(stored, ['soc@contoso.com'], null).message.body.content;
    expect(mail).toContain('Changed by');
    expect(mail).toContain('Ada Admin &lt;ada@contoso.com&gt;');
  }, 120_000);
});
