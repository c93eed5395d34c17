/** The alert stage keeps an alert's attribution in its details, and a failed lookup never costs the alert. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_POLICY } from '../../src/alerts/policy';
import { runAlertStage, type AlertStageDeps } from '../../src/alerts/runAlerts';
import { teamsMessage } from '../../src/alerts/delivery/teams';
import { webhookPayload } from '../../src/alerts/delivery/webhook';
import { alertAttribution, alertAttributionLookup } from '../../src/attribution/attachAttributions';
import { AttributionStore } from '../../src/store/attributionStore';
import { createTableFactory } from '../../src/store/tableClients';
import type { ChangeAttribution } from '../../src/model';
import { testSettings } from '../helpers/settings';
import { FROM, NOW, TO, change, m365, stream, wb } from '../alerts/fixtures';

function deps(): AlertStageDeps {
  const settings = testSettings();
  return { settings, policy: DEFAULT_ALERT_POLICY, tables: createTableFactory(settings), channels: [], now: () => NOW, delivery: { sleep: async () => undefined } };
}

const confirmed: ChangeAttribution = {
  status: 'confirmed',
  window: { from: '2026-11-24T01:55:00.000Z', to: '2026-11-25T02:15:00.000Z' },
  actor: { kind: 'app', display: 'Provisioner (app 8e1b)', displayName: 'Provisioner', userId: null, userPrincipalName: null, ipAddress: null, appId: '8e1b', servicePrincipalId: null },
  changedAt: '2026-11-24T14:07:55.000Z',
  events: [],
  note: 'An audit event on this group names the changed property.',
  checkedAt: '2026-11-25T02:20:00.000Z',
  attempts: 1,
};

describe('alerts carry the attribution of their change', () => {
  it('reads the stored record of the alerted group by key and shows it in the webhook body and the Teams card', async () => {
    const d = deps();
    const changes = [change(m365(1, wb(false)), m365(1, wb(true)))];
    await new AttributionStore(d.tables).saveRecords(TO.tenantId, FROM.id, TO.id, [
      { groupId: changes[0]!.groupId, field: null, changeTypes: changes[0]!.types, attribution: confirmed, retry: false, matcherVersion: 1 },
    ]);
    const result = await runAlertStage(d, { fromScan: FROM, toScan: TO, changes: () => stream(changes), attributionFor: alertAttributionLookup(d.tables) });
    expect(result.alerts).toHaveLength(1);
    const alert = result.alerts[0]!;
    expect(alert.details.attribution).toEqual(alertAttribution(confirmed));
    expect(webhookPayload(alert, null).alert.attribution).toMatchObject({ status: 'confirmed', changedBy: 'Provisioner (app 8e1b)' });
    expect(JSON.stringify(teamsMessage(alert, null))).toContain('Provisioner (app 8e1b) at 2026-11-24 14:07:55 UTC');
  });

  it('records and sends the alert without an attribution when the lookup fails', async () => {
    const d = deps();
    const changes = [change(m365(2, wb(false)), m365(2, wb(true)))];
    const result = await runAlertStage(d, {
      fromScan: FROM,
      toScan: TO,
      changes: () => stream(changes),
      attributionFor: async () => {
        throw new Error('table unavailable');
      },
    });
    expect(result.recorded).toBe(1);
    expect(result.alerts[0]!.details.attribution).toBeUndefined();
    expect(webhookPayload(result.alerts[0]!, null).alert.attribution).toBeNull();
  });
});
