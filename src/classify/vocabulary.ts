/**
 * The closed sets of the classification vocabulary as runtime lists, for code that has to enumerate them
 * (zeroed counters, report columns). Each list is derived from a Record keyed by the model's union type, so
 * adding a member to the union without adding it here is a compile error.
 */
import type { Bucket, GroupKind, Severity } from '../model';

const KINDS: Record<GroupKind, true> = {
  microsoft365: true,
  security: true,
  mailEnabledSecurity: true,
  distribution: true,
  unknown: true,
};

const BUCKET_SET: Record<Bucket, true> = { writtenBack: true, legacyDefault: true, notWrittenBack: true };

/** Highest first: `highestSeverity` and report sorting rely on this order. */
const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

export const GROUP_KINDS: readonly GroupKind[] = Object.freeze(Object.keys(KINDS) as GroupKind[]);
export const BUCKETS: readonly Bucket[] = Object.freeze(Object.keys(BUCKET_SET) as Bucket[]);
export const SEVERITIES: readonly Severity[] = Object.freeze(
  (Object.keys(SEVERITY_RANK) as Severity[]).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b]),
);

/** Negative when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** Buckets in which Entra Connect writes the group to AD, per its configuration. */
export function isWrittenBackBucket(bucket: Bucket): boolean {
  return bucket === 'writtenBack' || bucket === 'legacyDefault';
}
