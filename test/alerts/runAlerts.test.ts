import { afterEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alertStore';
import { ApprovalStore } from '../../src/alerts/approvalStore';
import { parseApprovalRequest } from '../../src/alerts/approvals';
import type { AlertChannel } from '../../src/alerts/delivery/channel';
import { createWebhookChannel } from '../../src/alerts/delivery/webhook';
import { parseAlertPolicy, DEFAULT_ALERT_POLICY } from '../../src/alerts/policy';
import { runAlertStage, runHealthAlerts, type AlertStageDeps } from '../../src/alerts/runAlerts';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../../dev/demo/webhookReceiver';
import type { GroupChange } from '../../src/model';
import { createTableFactory } from '../../src/store/tableClients';
import { testSettings } from '../helpers/settings';
import { FROM, NOW, TENANT, TO, change, groupId, m365, scan, security, stream, tenantContext, wb } from './fixtures';
import { startLoopbackServer } from './loopback';
import { APPROVER } from '../helpers/principals';

const SECRET = 'shared-secret-for-tests';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function receiver(): Promise<RunningWebhookReceiver> {
  const running = await startWebhookReceiver({ secret: SECRET });
  cleanup.push(() => running.close());
  return running;
}

function deps(channels: AlertChannel[], overrides: Partial<AlertStageDeps> = {}): AlertStageDeps {
  const settings = testSettings({ PUBLIC_BASE_URL: 'https://wbw.example.net' });
  return {
    settings,
    policy: DEFAULT_ALERT_POLICY,
    tables: createTableFactory(settings),
    channels,
    now: () => NOW,
    delivery: { sleep: async () => undefined },
    ...overrides,
  };
}

const nightly: GroupChange[] = [
  change(m365(1, wb(false)), m365(1, wb(true))), // WBW-A01
  change(m365(2, wb(true)), m365(2, wb(true, 'universalSecurityGroup'))), // WBW-A04
  change(m365(3), m365(3, wb(null), { displayName: 'Renamed' })), // nothing by default
];

describe('runAlertStage (Azurite, loopback webhook)', () => {
  it('records and delivers each alert once; a re-run sends nothing new', async () => {
    const hook = await receiver();
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: 'https://wbw.example.net' })]);
    const input = { fromScan: FROM, toScan: TO, changes: () => stream(nightly) };

    const first = await runAlertStage(d, input);
    expect(first).toMatchObject({ baseline: false, recorded: 2, sent: 2, failed: 0 });
    expect(first.alerts.map((a) => a.ruleId)).toEqual(['WBW-A01', 'WBW-A04']);
    expect(first.alerts.every((a) => a.deliveries.webhook?.status === 'delivered' && a.deliveries.webhook.attempts === 1)).toBe(true);
    expect(hook.received.map((r) => r.payload.alert.ruleId)).toEqual(['WBW-A01', 'WBW-A04']);
    expect(hook.received[0]!.payload.alert.links.diffReport).toBe(`https://wbw.example.net/api/diff/report.xlsx?from=${FROM.id}&to=${TO.id}`);

    const again = await runAlertStage(d, input);
    expect(again).toMatchObject({ recorded: 0, sent: 0, failed: 0 });
    expect(again.alerts.map((a) => a.id)).toEqual(first.alerts.map((a) => a.id));
    expect(hook.received).toHaveLength(2);

    const page = await new AlertStore(d.tables).listAlerts({ tenantId: TENANT });
    expect(page.items.map((a) => a.ruleId).sort()).toEqual(['WBW-A01', 'WBW-A04']);
  });

  it('a failing channel (500, then a closed port) is retried, recorded on the alert, and does not stop the others', async () => {
    const hook = await receiver();
    const broken = await startLoopbackServer([{ status: 500, body: '{"error":"down"}' }]);
    cleanup.push(() => broken.close());
    let closed = false;
    const sleep = async (): Promise<void> => {
      if (!closed) {
        closed = true;
        await broken.close();
      }
    };
    const channels = [
      createWebhookChannel({ url: broken.url, secret: SECRET, publicBaseUrl: null, name: 'broken' }),
      createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null }),
    ];
    const d = deps(channels, { delivery: { sleep, maxAttempts: 3 } });
    const input = { fromScan: FROM, toScan: TO, changes: () => stream([nightly[0]!]) };

    const result = await runAlertStage(d, input);
    expect(result).toMatchObject({ recorded: 1, sent: 1, failed: 1 });
    const stored = await new AlertStore(d.tables).getAlert(result.alerts[0]!.id);
    expect(stored!.deliveries.webhook).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
    expect(stored!.deliveries.broken).toMatchObject({ status: 'failed', attempts: 3, deliveredAt: null });
    expect(stored!.deliveries.broken!.lastError).toContain('ECONNREFUSED');
    expect(broken.requests).toHaveLength(1);
    expect(hook.received).toHaveLength(1);

    // A re-run tries the failed channel again (attempts add up) and leaves the delivered one alone.
    const again = await runAlertStage(d, input);
    expect(again).toMatchObject({ recorded: 0, sent: 0, failed: 1 });
    expect(again.alerts[0]!.deliveries.broken!.attempts).toBe(6);
    expect(hook.received).toHaveLength(1);
  });

  it('collapses a mass change into one delivered alert', async () => {
    const hook = await receiver();
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null })]);
    const bulk = Array.from({ length: 120 }, (_, i) => change(security(i + 1, wb(null)), security(i + 1, wb(true))));
    const result = await runAlertStage(d, { fromScan: FROM, toScan: TO, changes: () => stream(bulk) });
    expect(result.alerts.map((a) => a.ruleId)).toEqual(['WBW-A15']);
    expect(result.stats).toMatchObject({ massChange: true, alertingGroups: 120 });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.payload.alert.details).toMatchObject({ alertingGroups: 120, byRule: { 'WBW-A04': 120 } });
  });

  it('the first scan of a tenant is a baseline: nothing recorded, nothing sent', async () => {
    const hook = await receiver();
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null })]);
    const result = await runAlertStage(d, { fromScan: null, toScan: TO, changes: () => stream(nightly) });
    expect(result).toMatchObject({ baseline: true, alerts: [], sent: 0 });
    expect((await new AlertStore(d.tables).listAlerts({ tenantId: TENANT })).items).toEqual([]);
    expect(hook.received).toEqual([]);
  });

  it('live approvals from the store suppress exactly their change', async () => {
    const hook = await receiver();
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null })]);
    await new ApprovalStore(d.tables).create(
      parseApprovalRequest(
        { groupId: groupId(2), expect: { effectiveTargetType: 'universalSecurityGroup' }, reason: 'CHG-7 planned', expiresAt: '2026-12-01T00:00:00Z' },
        { tenantId: TENANT, now: new Date('2026-11-24T00:00:00Z'), requestedBy: APPROVER },
      ),
    );
    const result = await runAlertStage(d, { fromScan: FROM, toScan: TO, changes: () => stream(nightly) });
    expect(result.alerts.map((a) => [a.ruleId, a.groupId])).toEqual([['WBW-A01', groupId(1)]]);
    expect(result.stats).toMatchObject({ approvedChanges: 1 });
  });

  it('tenant alerts fire without group changes; acknowledged alerts are not re-sent', async () => {
    const hook = await receiver();
    const failing: AlertChannel = { name: 'flaky', send: async () => Promise.reject(new Error('offline')) };
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null }), failing], { delivery: { sleep: async () => undefined, maxAttempts: 1 } });
    const input = { fromScan: FROM, toScan: { ...TO, tenantContext: tenantContext({ newUnifiedGroupWritebackDefault: false }) } };
    const first = await runAlertStage(d, input);
    expect(first.alerts.map((a) => a.ruleId)).toEqual(['WBW-A06']);
    await new AlertStore(d.tables).acknowledgeAlert(first.alerts[0]!.id, { by: APPROVER, now: NOW });
    const again = await runAlertStage(d, input);
    expect(again).toMatchObject({ sent: 0, failed: 0 });
    expect(again.alerts[0]!.status).toBe('acknowledged');
  });
});

describe('runHealthAlerts (Azurite, loopback webhook)', () => {
  it('alerts a failed scan and a missed window once each', async () => {
    const hook = await receiver();
    const d = deps([createWebhookChannel({ url: hook.url, secret: SECRET, publicBaseUrl: null })], {
      policy: parseAlertPolicy({ rules: { 'WBW-A12': { severity: 'medium' } } }),
      now: () => new Date('2026-11-26T12:00:00Z'),
    });
    const last = scan('20261124T020000Z-aaaaaa');
    const failed = scan('20261125T020000Z-ffffff', { status: 'failed', error: 'Graph retry budget exhausted' });
    const first = await runHealthAlerts(d, { lastCompleteScan: last, latestScan: failed });
    expect(first.alerts.map((a) => [a.ruleId, a.severity])).toEqual([
      ['WBW-A12', 'medium'],
      ['WBW-A13', 'high'],
    ]);
    expect(first.sent).toBe(2);
    const again = await runHealthAlerts(d, { lastCompleteScan: last, latestScan: failed });
    expect(again).toMatchObject({ recorded: 0, sent: 0 });
    expect(hook.received.map((r) => r.payload.alert.title)).toEqual([
      `Scan ${failed.id} failed: Graph retry budget exhausted`,
      `No scan completed since ${last.finishedAt!.toISOString()} (26 h window)`,
    ]);
  });
});
