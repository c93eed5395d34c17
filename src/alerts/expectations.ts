/**
 * Policy expectations checked against one classified group. Pure: evaluation alerts on violations that
 * are new since the previous scan, and reports list every current violation with `listViolations`.
 */
import type { Bucket, ClassifiedGroup, OnPremisesGroupType, Severity } from '../model';
import type { AlertPolicy, Expectation, GroupMatch } from './policy';
import { ALERT_RULES } from './rules';

export type ExpectationField = 'bucket' | 'effectiveTargetType';

export interface ExpectationViolation {
  expectationId: string;
  description: string | null;
  severity: Severity;
  groupId: string;
  displayName: string | null;
  expected: { buckets?: readonly Bucket[]; effectiveTargetTypes?: readonly (OnPremisesGroupType | null)[] };
  actual: { bucket: Bucket; effectiveTargetType: OnPremisesGroupType | null };
  /** The stated expectations the group does not meet. */
  failed: ExpectationField[];
}

export function matchesGroup(match: GroupMatch, group: ClassifiedGroup): boolean {
  if (match.groupIds && !match.groupIds.has(group.id.toLowerCase())) return false;
  if (match.namePattern && (group.displayName === null || !match.namePattern.test(group.displayName))) return false;
  if (match.kinds && !match.kinds.includes(group.kind)) return false;
  if (match.dynamic !== null && group.flags.dynamic !== match.dynamic) return false;
  if (match.roleAssignable !== null && group.flags.roleAssignable !== match.roleAssignable) return false;
  if (match.team !== null && group.flags.team !== match.team) return false;
  if (match.visibility !== null && group.flags.visibility?.toLowerCase() !== match.visibility.toLowerCase()) return false;
  if (match.sourceOfAuthority !== null && group.sourceOfAuthority !== match.sourceOfAuthority) return false;
  return true;
}

/** The stated fields the group fails, or an empty list when it meets the expectation. */
export function failedFields(expectation: Expectation, group: ClassifiedGroup): ExpectationField[] {
  const failed: ExpectationField[] = [];
  const { buckets, effectiveTargetTypes } = expectation.expect;
  if (buckets && !buckets.includes(group.bucket)) failed.push('bucket');
  if (effectiveTargetTypes && !effectiveTargetTypes.includes(group.effectiveTargetType)) failed.push('effectiveTargetType');
  return failed;
}

/** Every expectation of the policy this group matches and breaks. */
export function violationsOf(policy: AlertPolicy, group: ClassifiedGroup): ExpectationViolation[] {
  const violations: ExpectationViolation[] = [];
  for (const expectation of policy.expectations) {
    if (!matchesGroup(expectation.match, group)) continue;
    const failed = failedFields(expectation, group);
    if (failed.length === 0) continue;
    violations.push({
      expectationId: expectation.id,
      description: expectation.description,
      severity: expectation.severity ?? policy.rules[ALERT_RULES.expectationViolated.id].severity,
      groupId: group.id,
      displayName: group.displayName,
      expected: {
        ...(expectation.expect.buckets ? { buckets: expectation.expect.buckets } : {}),
        ...(expectation.expect.effectiveTargetTypes ? { effectiveTargetTypes: expectation.expect.effectiveTargetTypes } : {}),
      },
      actual: { bucket: group.bucket, effectiveTargetType: group.effectiveTargetType },
      failed,
    });
  }
  return violations;
}

/** Current violations over a stream of groups (one scan's snapshot), for reports. Holds one group at a time. */
export async function* listViolations(
  policy: AlertPolicy,
  groups: AsyncIterable<ClassifiedGroup> | Iterable<ClassifiedGroup>,
): AsyncGenerator<ExpectationViolation> {
  if (policy.expectations.length === 0) return;
  for await (const group of groups) yield* violationsOf(policy, group);
}
