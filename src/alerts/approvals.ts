/**
 * Approvals: an admin announces a change before making it ("group X will be written back as a security
 * group, ticket 4711"), and the alert that change would raise is suppressed. In the style of ScubaGear's
 * omissions, every approval names who asked, why, and when it expires, so nothing is hidden for ever.
 * Who asked is the signed-in principal (a person, or an application with an app token), never a name
 * typed into the request; approvals stored before sign-in existed read back as `legacy`.
 *
 * An approval matches a change of its group when the group's state AFTER the change satisfies every
 * expectation the approval states. It suppresses exactly that change: other groups, and the same group
 * ending up in a different state, still alert. Deletions cannot be approved (there is no after-state);
 * acknowledge their alert instead.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WritebackWatchError } from '../errors';
import { ON_PREMISES_GROUP_TYPES, type Bucket, type ClassifiedGroup, type GroupChange, type OnPremisesGroupType } from '../model';
import { formatPath } from './policy';
import { recordPrincipal, type Actor } from '../auth/actor';
import { hasRole, type Principal } from '../auth/principal';

/** Longest an approval may live: long enough for a change window, short enough to be reviewed. */
export const MAX_APPROVAL_DAYS = 90;
const DAY_MS = 86_400_000;

export interface ApprovalExpectation {
  bucket?: Bucket;
  /** null = the group ends up with no effective target type. */
  effectiveTargetType?: OnPremisesGroupType | null;
  isEnabled?: boolean | null;
  /** Compared with the normalised value (casing is never a change); null = not configured. */
  onPremisesGroupType?: OnPremisesGroupType | null;
}

export interface Approval {
  id: string;
  tenantId: string;
  /** Lower-case GUID. */
  groupId: string;
  expect: ApprovalExpectation;
  /** The signed-in principal that created it; `legacy` (a typed name) for approvals from before sign-in. */
  requestedBy: Actor;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when an Approver revoked it before it expired; a revoked approval suppresses nothing. */
  revokedAt: Date | null;
  revokedBy: Actor | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPES_BY_LOWER_CASE = new Map<string, OnPremisesGroupType>(ON_PREMISES_GROUP_TYPES.map((t) => [t.toLowerCase(), t]));
const TYPE_LIST = ON_PREMISES_GROUP_TYPES.join(', ');

const targetTypeSchema = z
  .string()
  .transform((value, ctx) => {
    const type = TYPES_BY_LOWER_CASE.get(value.toLowerCase());
    if (!type) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of ${TYPE_LIST} or null` });
      return z.NEVER;
    }
    return type;
  })
  .nullable();

const requestSchema = z
  .object({
    groupId: z.string({ required_error: 'is required' }).regex(GUID, 'must be a group id (GUID)'),
    expect: z
      .object(
        {
          bucket: z.enum(['writtenBack', 'legacyDefault', 'notWrittenBack']).optional(),
          effectiveTargetType: targetTypeSchema.optional(),
          isEnabled: z.boolean().nullable().optional(),
          onPremisesGroupType: targetTypeSchema.optional(),
        },
        { required_error: 'is required' },
      )
      .strict()
      .refine((e) => Object.values(e).some((value) => value !== undefined), {
        message: 'must state at least one of bucket, effectiveTargetType, isEnabled, onPremisesGroupType',
      }),
    reason: z.string({ required_error: 'is required' }).trim().min(3, 'must say why (at least 3 characters)').max(500, 'must be at most 500 characters'),
    expiresAt: z.string({ required_error: 'is required' }).datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' }),
  })
  .strict();

export interface ApprovalRequestContext {
  tenantId: string;
  now: Date;
  /** The signed-in caller (request.principal on a console route); recorded as who asked. */
  requestedBy: Principal;
  /** Defaults to a random UUID. */
  id?: string;
}

/**
 * Validates a POST body and builds the approval. Throws InvalidInput naming the field, e.g.
 * `expiresAt must be in the future`.
 */
export function parseApprovalRequest(body: unknown, context: ApprovalRequestContext): Approval {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'requestedBy' in body) {
    throw invalid('requestedBy is no longer accepted: the approval records the signed-in caller (see docs/alerts.md, "Who approves"); remove the field', 'requestedBy');
  }
  // The route checks the role too; checked here as well so no caller can record an approval without it.
  if (!hasRole(context.requestedBy, 'Approver')) {
    throw new WritebackWatchError('Forbidden', 'Approving a change needs the Approver role of this app; an admin assigns it in Entra (Enterprise applications > Writeback Watch console > Users and groups).');
  }
  const result = requestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = formatPath(issue.path) || 'body';
    const message =
      issue.code === z.ZodIssueCode.invalid_enum_value
        ? `must be one of ${issue.options.join(', ')}`
        : issue.code === z.ZodIssueCode.unrecognized_keys
          ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
          : issue.code === z.ZodIssueCode.invalid_type && issue.received !== 'undefined'
            ? `must be ${issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`} (got ${issue.received})`
            : issue.message;
    throw invalid(`${field} ${message}`, field);
  }
  const request = result.data;
  const expiresAt = new Date(request.expiresAt);
  const nowMs = context.now.getTime();
  if (expiresAt.getTime() <= nowMs) throw invalid('expiresAt must be in the future', 'expiresAt');
  if (expiresAt.getTime() > nowMs + MAX_APPROVAL_DAYS * DAY_MS) {
    throw invalid(`expiresAt must be at most ${MAX_APPROVAL_DAYS} days ahead; approve again when the window is known`, 'expiresAt');
  }
  const expect: ApprovalExpectation = {};
  if (request.expect.bucket !== undefined) expect.bucket = request.expect.bucket;
  if (request.expect.effectiveTargetType !== undefined) expect.effectiveTargetType = request.expect.effectiveTargetType;
  if (request.expect.isEnabled !== undefined) expect.isEnabled = request.expect.isEnabled;
  if (request.expect.onPremisesGroupType !== undefined) expect.onPremisesGroupType = request.expect.onPremisesGroupType;
  return {
    id: context.id ?? randomUUID(),
    tenantId: context.tenantId,
    groupId: request.groupId.toLowerCase(),
    expect,
    requestedBy: recordPrincipal(context.requestedBy),
    reason: request.reason,
    createdAt: new Date(nowMs),
    expiresAt,
    revokedAt: null,
    revokedBy: null,
  };
}

function invalid(message: string, field: string): WritebackWatchError {
  return new WritebackWatchError('InvalidInput', `Approval rejected: ${message}.`, { field });
}

/** Live = created, not yet expired and not revoked at `now`. */
export function isLive(approval: Approval, now: Date): boolean {
  const t = now.getTime();
  if (approval.revokedAt && approval.revokedAt.getTime() <= t) return false;
  return approval.createdAt.getTime() <= t && t < approval.expiresAt.getTime();
}

/** Whether the group's state satisfies every expectation the approval states. */
export function satisfies(expect: ApprovalExpectation, group: ClassifiedGroup): boolean {
  if (expect.bucket !== undefined && group.bucket !== expect.bucket) return false;
  if (expect.effectiveTargetType !== undefined && group.effectiveTargetType !== expect.effectiveTargetType) return false;
  if (expect.isEnabled !== undefined && group.raw.isEnabled !== expect.isEnabled) return false;
  if (expect.onPremisesGroupType !== undefined) {
    // null means "not configured"; an unrecognised raw value is configured, so it does not satisfy null.
    const actual = group.raw.onPremisesGroupType === null ? null : group.raw.onPremisesGroupTypeNormalized;
    if (expect.onPremisesGroupType === null ? group.raw.onPremisesGroupType !== null : actual !== expect.onPremisesGroupType) return false;
  }
  return true;
}

/** The live approval that covers this change, or null. */
export function matchApproval(change: GroupChange, approvals: readonly Approval[], now: Date): Approval | null {
  if (!change.after) return null;
  const groupId = change.groupId.toLowerCase();
  for (const approval of approvals) {
    if (approval.groupId === groupId && isLive(approval, now) && satisfies(approval.expect, change.after)) return approval;
  }
  return null;
}

/** The changes with `approvalId` filled in, for reports that show which changes were announced. Streams. */
export async function* annotateApprovals(
  changes: AsyncIterable<GroupChange>,
  approvals: readonly Approval[],
  now: Date,
): AsyncGenerator<GroupChange> {
  for await (const change of changes) {
    const approval = approvals.length > 0 ? matchApproval(change, approvals, now) : null;
    yield { ...change, approvalId: approval?.id ?? null };
  }
}
