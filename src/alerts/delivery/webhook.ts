/**
 * The generic webhook channel: the alert as JSON (schema in docs/alerts.md, `version` bumps on breaking
 * changes), signed with the shared secret (see signature.ts). Each attempt is signed afresh with its own
 * timestamp; the body and the delivery id stay the same.
 */
import type { Severity } from '../../model';
import type { AlertStatus, StoredAlert } from '../alertStore';
import type { AlertState } from '../candidate';
import { alertRuleById, remediationFor, type AlertRuleId } from '../rules';
import type { AlertChannel } from './channel';
import { postJson } from './http';
import { alertLinks, type AlertLinks } from './links';
import { DELIVERY_HEADER, signatureHeaders } from './signature';
import { alertAttribution } from './present';

export const WEBHOOK_PAYLOAD_VERSION = 1;

export interface WebhookPayload {
  version: typeof WEBHOOK_PAYLOAD_VERSION;
  tenantId: string;
  alert: {
    id: string;
    ruleId: AlertRuleId;
    /** The rule's name (published in version 1 as `ruleKey`). */
    ruleKey: string;
    ruleTitle: string;
    severity: Severity;
    /** What to do, with the group id filled in. */
    remediation: string;
    title: string;
    status: AlertStatus;
    groupId: string | null;
    groupName: string | null;
    before: AlertState | null;
    after: AlertState | null;
    details: Record<string, unknown>;
    /** Who made the change, from the Entra audit log (docs/attribution.md); null when it was not looked up. */
    attribution: Record<string, unknown> | null;
    occurredAt: string;
    scans: { from: string | null; to: string | null };
    links: AlertLinks;
  };
}

export function webhookPayload(alert: StoredAlert, publicBaseUrl: string | null): WebhookPayload {
  const rule = alertRuleById(alert.ruleId);
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    tenantId: alert.tenantId,
    alert: {
      id: alert.id,
      ruleId: alert.ruleId,
      ruleKey: rule.name,
      ruleTitle: rule.title,
      severity: alert.severity,
      remediation: remediationFor(alert.ruleId, alert.groupId),
      title: alert.title,
      status: alert.status,
      groupId: alert.groupId,
      groupName: alert.groupName,
      before: alert.before,
      after: alert.after,
      details: alert.details,
      attribution: alertAttribution(alert),
      occurredAt: alert.occurredAt.toISOString(),
      scans: { from: alert.fromScanId, to: alert.toScanId },
      links: alertLinks(alert, publicBaseUrl),
    },
  };
}

export interface WebhookChannelOptions {
  url: string;
  secret: string;
  publicBaseUrl: string | null;
  name?: string;
  timeoutMs?: number;
  now?: () => Date;
}

export function createWebhookChannel(options: WebhookChannelOptions): AlertChannel {
  const now = options.now ?? (() => new Date());
  return {
    name: options.name ?? 'webhook',
    async send(alert) {
      const body = JSON.stringify(webhookPayload(alert, options.publicBaseUrl));
      const sentAt = now();
      await postJson(options.url, body, {
        headers: { ...signatureHeaders(body, options.secret, sentAt), [DELIVERY_HEADER]: alert.id },
        timeoutMs: options.timeoutMs,
        now: () => now().getTime(),
      });
    },
  };
}
