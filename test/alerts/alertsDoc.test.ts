/** docs/alerts.md must match the code: the rule table, the policy example, the webhook body and the verifier. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../src/alerts/delivery/signature';
import { webhookPayload } from '../../src/alerts/delivery/webhook';
import { loadAlertPolicy } from '../../src/alerts/policy';
import { ALERT_RULE_IDS, alertRuleById } from '../../src/alerts/rules';
import { NOW, TENANT } from './fixtures';

const DOC = readFileSync(path.resolve(__dirname, '../../docs/alerts.md'), 'utf8');

function ruleRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| WBW-A'))
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

/** The fenced block right after an HTML comment marker. */
function blockAfter(marker: string): string {
  const start = DOC.indexOf(`<!-- ${marker} -->`);
  expect(start, `marker ${marker}`).toBeGreaterThanOrEqual(0);
  const match = /```\w*\n([\s\S]*?)```/.exec(DOC.slice(start));
  return match![1]!;
}

function keysDeep(value: unknown, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const name = `${prefix}${key}`;
    // Before/after/details (and the attribution, null when not looked up) are open-ended; only their presence is part of the schema.
    return ['before', 'after', 'details', 'attribution'].includes(key) ? [name] : [name, ...keysDeep(inner, `${name}.`)];
  });
}

describe('docs/alerts.md', () => {
  const rows = ruleRows(DOC);

  it('lists every rule of the catalog exactly once, in order', () => {
    expect(rows.map((r) => r[0])).toEqual([...ALERT_RULE_IDS]);
  });

  it.each(ALERT_RULE_IDS.map((id) => [id]))('%s: name, title, default severity, default state, rationale and remediation match the code', (id) => {
    const [, name, title, severity, enabled, rationale, remediation] = rows.find((r) => r[0] === id)!;
    const rule = alertRuleById(id);
    expect({ name, title, severity, enabled, rationale, remediation }).toEqual({
      name: rule.name,
      title: rule.title,
      severity: rule.defaultSeverity,
      enabled: rule.enabledByDefault ? 'yes' : 'no',
      rationale: rule.rationale,
      remediation: rule.remediation,
    });
  });

  it('states every supersession the code applies', () => {
    for (const id of ALERT_RULE_IDS) {
      const supersedes = alertRuleById(id).supersedes;
      if (supersedes) expect(DOC).toContain(`${id} supersedes ${supersedes.join(' and ')}`);
    }
  });

  it('the policy example is a valid policy', () => {
    const policy = loadAlertPolicy(blockAfter('policy-example'));
    expect(policy.expectations.map((e) => e.id)).toEqual(['finance-not-written-back', 'm365-as-distribution-only', 'tier0-file-share-groups']);
    expect(policy.rules['WBW-A14']).toEqual({ enabled: true, severity: 'low' });
  });

  it('the webhook example has exactly the fields the code sends', () => {
    const example = JSON.parse(blockAfter('webhook-example')) as { alert: Record<string, unknown> };
    const actual = webhookPayload(
      {
        id: '0'.repeat(32),
        dedupeKey: '0'.repeat(32),
        tenantId: TENANT,
        ruleId: 'WBW-A01',
        severity: 'medium',
        groupId: null,
        groupName: null,
        title: 't',
        before: null,
        after: null,
        details: {},
        fromScanId: null,
        toScanId: null,
        occurredAt: NOW,
        status: 'open',
        recordedAt: NOW,
        acknowledgedAt: null,
        acknowledgedBy: null,
        acknowledgementNote: null,
        deliveries: {},
      },
      null,
    );
    expect(keysDeep(example).sort()).toEqual(keysDeep(actual).sort());
    const documented = [...DOC.matchAll(/^\| `(alert\.[^`]+)`(?:, `(alert\.[^`]+)`)?(?:, `(alert\.[^`]+)`)? \|/gm)].flatMap((m) => m.slice(1).filter(Boolean));
    const fields = keysDeep(actual).filter((k) => k.startsWith('alert.') && k.split('.').length === 2);
    expect(fields.filter((f) => !documented.some((d) => d === f || d.startsWith(`${f}.`)))).toEqual([]);
  });

  it('the Node.js verifier accepts a signed body and rejects a tampered one', () => {
    const verify = new Function('require', `${blockAfter('verify-example')}\nreturn verifyWritebackWatch;`)(require) as (body: Buffer, headers: Record<string, string>, secret: string) => boolean;
    const body = JSON.stringify({ version: 1, alert: { id: 'x' } });
    const headers = Object.fromEntries(Object.entries(signatureHeaders(body, 's3cret', new Date())).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verify(Buffer.from(body), headers, 's3cret')).toBe(true);
    expect(verify(Buffer.from(body.replace('x', 'y')), headers, 's3cret')).toBe(false);
    expect(verify(Buffer.from(body), headers, 'other')).toBe(false);
  });
});
