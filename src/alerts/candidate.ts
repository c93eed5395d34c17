/**
 * An alert before it is stored: what evaluation decides. Its `dedupeKey` is a content fingerprint (as CIPP
 * deduplicates alerts) over tenant, rule, group, the two scans and the state after the change, so running
 * the same evaluation again produces the same keys and the store recognises every alert it already holds.
 */
import { createHash } from 'node:crypto';
import type { ClassifiedGroup, Severity } from '../model';
import type { AlertRuleId } from './rules';

export type AlertValue = string | number | boolean | null | readonly string[];
/** A flat before/after picture: field → value, in a fixed field order. */
export type AlertState = Readonly<Record<string, AlertValue>>;

export interface AlertCandidate {
  /** The dedupe key; also the stored alert's id. */
  id: string;
  dedupeKey: string;
  tenantId: string;
  ruleId: AlertRuleId;
  severity: Severity;
  groupId: string | null;
  groupName: string | null;
  /** One line naming the group and what happened, e.g. `"Sales" is now written back as universalSecurityGroup`. */
  title: string;
  before: AlertState | null;
  after: AlertState | null;
  /** Rule-specific facts: expectation, findings, failure reason, mass-change counts and examples. */
  details: Record<string, unknown>;
  fromScanId: string | null;
  toScanId: string | null;
  /**
   * When the alerted condition was observed: the later scan's finish (start if unfinished) or, for a missed
   * scan, the end of the window. Derived from the input alone, so a re-run gets the same value.
   */
  occurredAt: Date;
}

/** The writeback picture of a group that alerts show before → after. */
export function groupState(group: ClassifiedGroup): AlertState {
  return {
    displayName: group.displayName,
    kind: group.kind,
    sourceOfAuthority: group.sourceOfAuthority,
    bucket: group.bucket,
    effectiveTargetType: group.effectiveTargetType,
    isEnabled: group.raw.isEnabled,
    onPremisesGroupType: group.raw.onPremisesGroupType,
    findings: [...group.findings],
  };
}

export interface DedupeSubject {
  tenantId: string;
  ruleId: AlertRuleId;
  groupId: string | null;
  fromScanId: string | null;
  toScanId: string | null;
  after: AlertState | null;
  /** Tells apart two alerts of one rule on one change (e.g. two broken expectations). */
  discriminator?: string;
}

/** 32 hex characters (128 bits of SHA-256): short enough for URLs and row keys, far from colliding. */
export function dedupeKey(subject: DedupeSubject): string {
  const canonical = JSON.stringify([
    'v1',
    subject.tenantId.toLowerCase(),
    subject.ruleId,
    subject.groupId?.toLowerCase() ?? '',
    subject.fromScanId ?? '',
    subject.toScanId ?? '',
    canonicalState(subject.after),
    subject.discriminator ?? '',
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Key order fixed (sorted) so the key does not depend on how the state object was built. */
function canonicalState(state: AlertState | null): [string, AlertValue][] | null {
  if (!state) return null;
  return Object.keys(state)
    .sort()
    .map((key) => [key, state[key] ?? null]);
}

export function quoted(name: string | null, fallbackId: string | null): string {
  return name ? `"${name}"` : `Group ${fallbackId ?? '(unknown)'}`;
}
