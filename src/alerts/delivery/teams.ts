/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received" / "Send webhook
 * alerts to a channel"). Office 365 connectors are being retired; Workflows accept the Bot Framework
 * message envelope `{ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive",
 * content: <Adaptive Card> }] }` and post the card to the channel the workflow names (Teams platform docs,
 * webhooks-and-connectors/how-to/connectors-using). Teams caps a message at 28 KB, so the card stays short.
 */
import type { Severity } from '../../model';
import type { StoredAlert } from '../alertStore';
import { ALERT_RULES, alertRuleById, remediationFor } from '../rules';
import type { AlertChannel } from './channel';
import { postJson } from './http';
import { alertLinks } from './links';
import { SEVERITY_LABEL, attributionRows, changeRows, massChangeCounts, massChangeExamples, truncate } from './present';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** 1.4 renders in Teams desktop, web and mobile. */
export const ADAPTIVE_CARD_VERSION = '1.4';

const COLOR: Record<Severity, string> = { high: 'Attention', medium: 'Warning', low: 'Accent', info: 'Default' };
const MAX_ROWS = 12;
const MAX_VALUE = 300;

type CardElement = Record<string, unknown>;

export interface TeamsMessage {
  type: 'message';
  attachments: { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: CardElement }[];
}

/**
 * Group names are chosen by whoever creates a group (any user, for Microsoft 365 groups), and TextBlocks
 * render markdown: a name like `[Approve](https://...)` would become a link in the alert. Backslash-escape
 * the markdown characters in every value that comes from the directory.
 */
export function escapeMarkdown(text: string): string {
  // Links need [ ], emphasis * _ ~ and code `; a leading #, -, + or "1." would start a heading or a list.
  return text.replace(/[\\`*_[\]~<>]/g, '\\$&').replace(/^(\s*)([#+-]|\d+\.)/, '$1\\$2');
}

const fact = (title: string, value: string): CardElement => ({ title, value: escapeMarkdown(truncate(value, MAX_VALUE)) });

export function teamsMessage(alert: StoredAlert, publicBaseUrl: string | null): TeamsMessage {
  const rule = alertRuleById(alert.ruleId);
  const links = alertLinks(alert, publicBaseUrl);
  const facts: CardElement[] = [fact('Severity', SEVERITY_LABEL[alert.severity]), fact('Rule', `${rule.id} ${rule.title}`)];
  if (alert.groupId) facts.push(fact('Group', alert.groupName ? `${alert.groupName} (${alert.groupId})` : alert.groupId));
  if (alert.fromScanId || alert.toScanId) facts.push(fact('Scans', `${alert.fromScanId ?? '—'} → ${alert.toScanId ?? '—'}`));
  facts.push(fact('Tenant', alert.tenantId));
  for (const row of attributionRows(alert)) facts.push(fact(row.label, row.value));

  const body: CardElement[] = [
    { type: 'TextBlock', text: `${SEVERITY_LABEL[alert.severity]} · Writeback Watch`, size: 'Small', weight: 'Bolder', color: COLOR[alert.severity], wrap: true },
    { type: 'TextBlock', text: escapeMarkdown(truncate(alert.title, 400)), size: 'Medium', weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts },
  ];

  const rows = changeRows(alert.before, alert.after).slice(0, MAX_ROWS);
  if (rows.length > 0) {
    body.push({ type: 'TextBlock', text: 'Before → after', weight: 'Bolder', spacing: 'Medium', wrap: true });
    body.push({ type: 'FactSet', facts: rows.map((row) => fact(row.label, `${row.before} → ${row.after}`)) });
  }
  if (alert.ruleId === ALERT_RULES.massChange.id) {
    body.push({ type: 'TextBlock', text: 'Alerts replaced, per rule', weight: 'Bolder', spacing: 'Medium', wrap: true });
    body.push({ type: 'FactSet', facts: massChangeCounts(alert).map((line) => fact(line.split(':')[0]!, line.split(':')[1]!.trim())) });
    const examples = massChangeExamples(alert, 10);
    if (examples.length > 0) {
      body.push({ type: 'TextBlock', text: 'First examples', weight: 'Bolder', spacing: 'Medium', wrap: true });
      body.push({ type: 'FactSet', facts: examples.map((e) => fact(truncate(e.groupName, 60), e.title)) });
    }
  }
  if (alert.ruleId === ALERT_RULES.scanFailed.id && typeof alert.details.error === 'string') {
    body.push({ type: 'TextBlock', text: escapeMarkdown(truncate(alert.details.error, 1_000)), wrap: true, spacing: 'Medium' });
  }
  body.push({ type: 'TextBlock', text: escapeMarkdown(remediationFor(rule.id, alert.groupId)), wrap: true, isSubtle: true, spacing: 'Medium' });

  const card: CardElement = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    msteams: { width: 'Full' },
    body,
  };
  if (links.diffReport) card.actions = [{ type: 'Action.OpenUrl', title: 'Open the diff report', url: links.diffReport }];
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}

export interface TeamsChannelOptions {
  url: string;
  publicBaseUrl: string | null;
  name?: string;
  timeoutMs?: number;
}

export function createTeamsChannel(options: TeamsChannelOptions): AlertChannel {
  return {
    name: options.name ?? 'teams',
    async send(alert) {
      await postJson(options.url, JSON.stringify(teamsMessage(alert, options.publicBaseUrl)), { timeoutMs: options.timeoutMs });
    },
  };
}
