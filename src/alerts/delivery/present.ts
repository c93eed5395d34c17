/** How an alert reads to a person (Teams card, email): labels, before → after rows, examples. */
import type { Severity } from '../../model';
import type { StoredAlert } from '../alertStore';
import type { AlertState, AlertValue } from '../candidate';
import { attributionText, changedByText, type AttributionView } from '../../attribution/present';

export const SEVERITY_LABEL: Record<Severity, string> = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

const FIELD_LABELS: Record<string, string> = {
  displayName: 'Name',
  kind: 'Kind',
  sourceOfAuthority: 'Source of authority',
  bucket: 'Bucket',
  effectiveTargetType: 'Written back as',
  isEnabled: 'isEnabled',
  onPremisesGroupType: 'onPremisesGroupType',
  findings: 'Findings',
  newUnifiedGroupWritebackDefault: 'NewUnifiedGroupWritebackDefault',
  groupWritebackFeatureEnabled: 'Group writeback feature',
};

export interface ChangeRow {
  field: string;
  label: string;
  before: string;
  after: string;
}

export function showValue(value: AlertValue | undefined): string {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  return String(value);
}

/**
 * The fields that differ between before and after; every field when one side is missing (an added or
 * deleted group), so the reader sees the whole state.
 */
export function changeRows(before: AlertState | null, after: AlertState | null): ChangeRow[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys
    .filter((key) => !before || !after || showValue(before[key]) !== showValue(after[key]))
    .map((key) => ({
      field: key,
      label: FIELD_LABELS[key] ?? key,
      before: before ? showValue(before[key]) : '(none)',
      after: after ? showValue(after[key]) : '(deleted)',
    }));
}

export interface ExampleRow {
  groupName: string;
  title: string;
}

/** The first examples of a mass-change alert, as stored in its details. */
export function massChangeExamples(alert: StoredAlert, limit: number): ExampleRow[] {
  const examples = Array.isArray(alert.details.examples) ? (alert.details.examples as unknown[]) : [];
  return examples.slice(0, limit).map((example) => {
    const e = example as { groupId?: unknown; groupName?: unknown; title?: unknown };
    return { groupName: String(e.groupName ?? e.groupId ?? ''), title: String(e.title ?? '') };
  });
}

/** Counts per rule of a mass-change alert, "WBW-A01: 1,204". */
export function massChangeCounts(alert: StoredAlert): string[] {
  const byRule = (alert.details.byRule ?? {}) as Record<string, unknown>;
  return Object.entries(byRule).map(([rule, count]) => `${rule}: ${Number(count).toLocaleString('en-US')}`);
}

/** The alert's attribution (stored in details by the alert stage), when it has one. */
export function alertAttribution(alert: StoredAlert): (AttributionView & Record<string, unknown>) | null {
  const value = alert.details.attribution as (AttributionView & Record<string, unknown>) | undefined;
  return value && typeof value === 'object' && typeof value.status === 'string' ? value : null;
}

/** "Changed by" and "Attribution" lines of an alert, when its change was looked up in the audit log. */
export function attributionRows(alert: StoredAlert): { label: string; value: string }[] {
  const attribution = alertAttribution(alert);
  if (!attribution) return [];
  const rows: { label: string; value: string }[] = [];
  const by = changedByText(attribution);
  if (by) rows.push({ label: 'Changed by', value: by });
  rows.push({ label: 'Attribution', value: attributionText(attribution)! });
  return rows;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
