/** Both catalogs follow one scheme: keyed by name, each entry with its name and a unique published id. */
import { describe, expect, it } from 'vitest';
import { ALERT_RULE_IDS, ALERT_RULES, alertRuleById, isAlertRuleId, remediationFor } from '../src/alerts/rules';
import { namedEntries, namesInIdOrder } from '../src/catalog';
import { FINDING_NAMES, FINDINGS } from '../src/classify/findings';

const CATALOGS = [
  { catalog: FINDINGS as Readonly<Record<string, { id: string; name: string }>>, pattern: /^WBW-F\d{2}$/ },
  { catalog: ALERT_RULES as Readonly<Record<string, { id: string; name: string }>>, pattern: /^WBW-A\d{2}$/ },
];

describe('the catalog scheme', () => {
  it.each(CATALOGS.map((c) => [c.pattern.source, c] as const))('%s: every entry is named by its key and has its own published id', (_pattern, { catalog, pattern }) => {
    const entries = Object.entries(catalog);
    for (const [key, entry] of entries) {
      expect(entry.name).toBe(key);
      expect(entry.id).toMatch(pattern);
      expect(Object.isFrozen(entry)).toBe(true);
    }
    expect(new Set(entries.map(([, entry]) => entry.id)).size).toBe(entries.length);
  });

  it('lists names in id order, whatever order the entries were written in', () => {
    const catalog = namedEntries({ b: { id: 'X-02' }, c: { id: 'X-03' }, a: { id: 'X-01' } });
    expect(catalog.a).toEqual({ id: 'X-01', name: 'a' });
    expect(namesInIdOrder(catalog)).toEqual(['a', 'b', 'c']);
    expect(FINDING_NAMES.map((name) => FINDINGS[name].id)).toEqual(Object.values(FINDINGS).map((f) => f.id).sort());
  });
});

describe('alert rules by id', () => {
  it('finds every rule by the id alert records and the policy hold', () => {
    expect(ALERT_RULE_IDS).toEqual(Object.values(ALERT_RULES).map((rule) => rule.id).sort());
    for (const rule of Object.values(ALERT_RULES)) {
      expect(alertRuleById(rule.id)).toBe(rule);
      expect(isAlertRuleId(rule.id)).toBe(true);
      // A rule's name is not its id.
      expect(isAlertRuleId(rule.name)).toBe(false);
    }
  });

  it('resolves supersessions, written by name, to rule ids', () => {
    const superseding = Object.values(ALERT_RULES).filter((rule) => rule.supersedes);
    expect(superseding.length).toBeGreaterThan(0);
    for (const rule of superseding) for (const id of rule.supersedes!) expect(isAlertRuleId(id)).toBe(true);
    expect(ALERT_RULES.nowWrittenBackAsSecurity.supersedes).toEqual([ALERT_RULES.groupNowWrittenBack.id, ALERT_RULES.targetTypeChanged.id]);
  });

  it('fills the group id into a remediation', () => {
    const id = ALERT_RULES.groupNowWrittenBack.id;
    expect(remediationFor(id, 'g-1')).toContain('-GroupId g-1 ');
    expect(remediationFor(id, null)).toContain('{groupId}');
  });
});
