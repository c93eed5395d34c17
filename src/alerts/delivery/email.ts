/**
 * Email through Microsoft Graph: `POST /users/{from}/sendMail` on v1.0 (Graph user-sendmail reference),
 * answered 202 Accepted. The app needs the `Mail.Send` application permission; restrict it to the sending
 * mailbox with an Exchange Online application access policy or RBAC for Applications, because Mail.Send
 * alone lets the app send as any mailbox. The Graph Client is created by the caller (credential, base URL).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { sendGraphRequest, type GraphFailure } from '../../graph/graphRequest';
import type { StoredAlert } from '../alertStore';
import { ALERT_RULES, alertRuleById, remediationFor } from '../rules';
import { DeliveryError, isRetryableStatus, type AlertChannel } from './channel';
import { alertLinks } from './links';
import { SEVERITY_LABEL, attributionRows, changeRows, massChangeCounts, massChangeExamples, truncate } from './present';

export interface SendMailRequest {
  message: {
    subject: string;
    importance: 'low' | 'normal' | 'high';
    body: { contentType: 'HTML'; content: string };
    toRecipients: { emailAddress: { address: string } }[];
  };
  saveToSentItems: boolean;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function emailMessage(alert: StoredAlert, to: readonly string[], publicBaseUrl: string | null): SendMailRequest {
  const rule = alertRuleById(alert.ruleId);
  const links = alertLinks(alert, publicBaseUrl);
  const row = (label: string, value: string): string =>
    `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(truncate(value, 500))}</td></tr>`;
  const facts = [row('Severity', SEVERITY_LABEL[alert.severity]), row('Rule', `${rule.id} ${rule.title}`)];
  if (alert.groupId) facts.push(row('Group', alert.groupName ? `${alert.groupName} (${alert.groupId})` : alert.groupId));
  if (alert.fromScanId || alert.toScanId) facts.push(row('Scans', `${alert.fromScanId ?? '—'} → ${alert.toScanId ?? '—'}`));
  facts.push(row('Tenant', alert.tenantId), row('Observed', alert.occurredAt.toISOString()));
  for (const line of attributionRows(alert)) facts.push(row(line.label, line.value));

  const parts = [`<h2>${escapeHtml(alert.title)}</h2>`, `<table>${facts.join('')}</table>`];
  const changes = changeRows(alert.before, alert.after);
  if (changes.length > 0) {
    parts.push('<h3>Before → after</h3>', `<table>${changes.map((c) => row(c.label, `${c.before} → ${c.after}`)).join('')}</table>`);
  }
  if (alert.ruleId === ALERT_RULES.massChange.id) {
    parts.push('<h3>Alerts replaced, per rule</h3>', `<ul>${massChangeCounts(alert).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
    const examples = massChangeExamples(alert, 20);
    if (examples.length > 0) parts.push('<h3>First examples</h3>', `<ul>${examples.map((e) => `<li>${escapeHtml(e.title)}</li>`).join('')}</ul>`);
  }
  if (alert.ruleId === ALERT_RULES.scanFailed.id && typeof alert.details.error === 'string') parts.push(`<p>${escapeHtml(alert.details.error)}</p>`);
  parts.push(`<p><b>Why it matters:</b> ${escapeHtml(rule.rationale)}</p>`, `<p><b>What to do:</b> ${escapeHtml(remediationFor(rule.id, alert.groupId))}</p>`);
  if (links.diffReport) parts.push(`<p><a href="${escapeHtml(links.diffReport)}">Open the diff report</a></p>`);
  parts.push(`<p style="color:#666">Writeback Watch alert ${escapeHtml(alert.id)}</p>`);

  return {
    message: {
      // Subjects are one line: drop line breaks a group name might carry.
      subject: truncate(`[Writeback Watch] ${SEVERITY_LABEL[alert.severity]}: ${alert.title}`.replace(/[\r\n]+/g, ' '), 250),
      importance: alert.severity === 'high' ? 'high' : 'normal',
      body: { contentType: 'HTML', content: parts.join('\n') },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: false,
  };
}

export interface EmailChannelOptions {
  client: Client;
  /** UPN or id of the sending mailbox. */
  from: string;
  to: readonly string[];
  publicBaseUrl: string | null;
  name?: string;
  /** Per request. Default 30 s, as for the webhook channels. */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * One sendMail request per delivery attempt, made and judged by the Graph layer (the same request path as the
 * scan's); retrying is the delivery policy's, like every channel's.
 */
export function createEmailChannel(options: EmailChannelOptions): AlertChannel {
  const path = `/users/${encodeURIComponent(options.from)}/sendMail`;
  const now = options.now ?? (() => new Date());
  return {
    name: options.name ?? 'email',
    async send(alert) {
      const request = { method: 'POST' as const, version: 'v1.0', path, body: emailMessage(alert, options.to, options.publicBaseUrl), timeoutMs: options.timeoutMs ?? 30_000 };
      const result = await sendGraphRequest(options.client, request, () => now().getTime());
      if (!result.ok) throw toDeliveryError(result.failure);
    },
  };
}

/** Graph's answer in the terms every channel reports: retried like a webhook (408, 429, 5xx, no answer). */
function toDeliveryError(failure: GraphFailure): DeliveryError {
  const status = failure.statusCode;
  const code = failure.graphCode ? ` ${failure.graphCode}` : '';
  const hint = status === 403 ? ' (the app needs the Mail.Send application permission, and access to the sending mailbox)' : '';
  return new DeliveryError(`Graph sendMail ${status === null ? 'failed without a response' : `answered ${status}`}${code}: ${failure.message.slice(0, 300)}${hint}`, {
    status,
    retryable: status === null || isRetryableStatus(status),
    retryAfterMs: failure.retryAfterMs,
  });
}
