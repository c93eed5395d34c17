import { describe, expect, it } from 'vitest';
import { annotateApprovals, matchApproval, parseApprovalRequest, type Approval } from '../../src/alerts/approvals';
import { WritebackWatchError } from '../../src/errors';
import { NOW, TENANT, change, groupId, m365, security, stream, wb } from './fixtures';
import { APPROVER, CHANGE_SYSTEM } from '../helpers/principals';

const valid = {
  groupId: groupId(1).toUpperCase(),
  expect: { effectiveTargetType: 'UniversalSecurityGroup', isEnabled: true },
  reason: 'CHG-4711 file share access for the project',
  expiresAt: '2026-12-10T00:00:00Z',
};

function rejection(body: unknown): WritebackWatchError {
  try {
    parseApprovalRequest(body, { tenantId: TENANT, now: NOW, requestedBy: APPROVER });
  } catch (error) {
    expect(error).toBeInstanceOf(WritebackWatchError);
    expect((error as WritebackWatchError).code).toBe('InvalidInput');
    return error as WritebackWatchError;
  }
  throw new Error('approval was accepted');
}

describe('parseApprovalRequest', () => {
  it('builds a normalised approval that records the signed-in principal without its roles', () => {
    const approval = parseApprovalRequest(valid, { tenantId: TENANT, now: NOW, requestedBy: APPROVER, id: 'fixed-id' });
    expect(approval).toEqual({
      id: 'fixed-id',
      tenantId: TENANT,
      groupId: groupId(1),
      expect: { effectiveTargetType: 'universalSecurityGroup', isEnabled: true },
      requestedBy: { kind: 'user', objectId: APPROVER.objectId, tenantId: TENANT, name: 'Alice Admin', userPrincipalName: 'alice@contoso.example', appId: null },
      reason: valid.reason,
      createdAt: NOW,
      expiresAt: new Date('2026-12-10T00:00:00Z'),
      revokedAt: null,
      revokedBy: null,
    });
    expect(parseApprovalRequest(valid, { tenantId: TENANT, now: NOW, requestedBy: APPROVER }).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records an application with the Approver role as that application', () => {
    const approval = parseApprovalRequest(valid, { tenantId: TENANT, now: NOW, requestedBy: CHANGE_SYSTEM });
    expect(approval.requestedBy).toEqual({ kind: 'app', objectId: CHANGE_SYSTEM.objectId, tenantId: TENANT, name: 'Change system', userPrincipalName: null, appId: CHANGE_SYSTEM.appId });
  });

  it('never takes a name from the body', () => {
    const error = rejection({ ...valid, requestedBy: 'someone.else@contoso.example' });
    expect(error.message).toMatch(/requestedBy is no longer accepted: the approval records the signed-in caller/);
    expect(error.details).toEqual({ field: 'requestedBy' });
  });

  it('refuses a principal without the Approver role', () => {
    for (const roles of [[], ['Reader' as const]]) {
      expect(() => parseApprovalRequest(valid, { tenantId: TENANT, now: NOW, requestedBy: { ...APPROVER, roles } })).toThrow(
        expect.objectContaining({ code: 'Forbidden', message: expect.stringContaining('Approver role') }),
      );
    }
  });

  const cases: [string, unknown, string, string][] = [
    ['a group id that is no GUID', { ...valid, groupId: 'sales' }, 'groupId', 'groupId must be a group id (GUID)'],
    ['a missing group id', { ...valid, groupId: undefined }, 'groupId', 'groupId is required'],
    ['an expiry in the past', { ...valid, expiresAt: '2026-11-25T02:59:59Z' }, 'expiresAt', 'expiresAt must be in the future'],
    ['an expiry over 90 days ahead', { ...valid, expiresAt: '2027-03-01T00:00:00Z' }, 'expiresAt', 'expiresAt must be at most 90 days ahead'],
    ['an expiry that is no date', { ...valid, expiresAt: 'next week' }, 'expiresAt', 'expiresAt must be an ISO 8601 date-time'],
    ['an expectation that states nothing', { ...valid, expect: {} }, 'expect', 'expect must state at least one of'],
    ['an unknown bucket', { ...valid, expect: { bucket: 'maybe' } }, 'expect.bucket', 'expect.bucket must be one of writtenBack, legacyDefault, notWrittenBack'],
    ['an unknown target type', { ...valid, expect: { onPremisesGroupType: 'globalGroup' } }, 'expect.onPremisesGroupType', 'must be one of universalDistributionGroup'],
    ['an unknown field', { ...valid, expires: 'x' }, 'body', 'body has unknown field expires'],
    ['an empty reason', { ...valid, reason: '  ' }, 'reason', 'reason must say why'],
    ['a body that is not an object', 'approve please', 'body', 'body must be a JSON object (got string)'],
  ];
  for (const [name, body, field, message] of cases) {
    it(`rejects ${name}`, () => {
      const error = rejection(body);
      expect(error.message).toContain(message);
      expect(error.details).toEqual({ field });
    });
  }
});

describe('matchApproval', () => {
  const approval = (expect: Approval['expect'], overrides: Partial<Approval> = {}): Approval => ({
    id: 'a1',
    tenantId: TENANT,
    groupId: groupId(1),
    expect,
    requestedBy: { kind: 'legacy', name: 'admin' },
    reason: 'planned',
    createdAt: new Date('2026-11-24T00:00:00Z'),
    expiresAt: new Date('2026-12-01T00:00:00Z'),
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  });
  const enable = change(m365(1, wb(false)), m365(1, wb(true, 'UniversalSecurityGroup')));

  it('matches when the after-state satisfies every stated expectation', () => {
    expect(matchApproval(enable, [approval({ bucket: 'writtenBack', isEnabled: true, onPremisesGroupType: 'universalSecurityGroup', effectiveTargetType: 'universalSecurityGroup' })], NOW)?.id).toBe('a1');
  });

  it('does not match when one expectation fails', () => {
    expect(matchApproval(enable, [approval({ bucket: 'writtenBack', isEnabled: false })], NOW)).toBeNull();
    expect(matchApproval(enable, [approval({ onPremisesGroupType: null })], NOW)).toBeNull();
    expect(matchApproval(enable, [approval({ effectiveTargetType: 'universalDistributionGroup' })], NOW)).toBeNull();
  });

  it('onPremisesGroupType null means not configured', () => {
    const disable = change(m365(1, wb(true)), m365(1, wb(false)));
    expect(matchApproval(disable, [approval({ isEnabled: false, onPremisesGroupType: null })], NOW)?.id).toBe('a1');
    const unknownType = change(m365(1, wb(false)), m365(1, wb(false, 'somethingElse')));
    expect(matchApproval(unknownType, [approval({ onPremisesGroupType: null })], NOW)).toBeNull();
  });

  it('only covers its own group, only while live, and never a deletion', () => {
    const other = change(m365(2, wb(false)), m365(2, wb(true)));
    expect(matchApproval(other, [approval({ bucket: 'writtenBack' })], NOW)).toBeNull();
    expect(matchApproval(enable, [approval({ bucket: 'writtenBack' }, { expiresAt: NOW })], NOW)).toBeNull();
    expect(matchApproval(enable, [approval({ bucket: 'writtenBack' }, { createdAt: new Date(NOW.getTime() + 1) })], NOW)).toBeNull();
    expect(matchApproval(change(security(1, wb(true)), null), [approval({ bucket: 'notWrittenBack' })], NOW)).toBeNull();
  });

  it('stops covering a change once revoked', () => {
    const revoked = approval({ bucket: 'writtenBack' }, { revokedAt: new Date(NOW.getTime() - 1), revokedBy: { kind: 'legacy', name: 'x' } });
    expect(matchApproval(enable, [revoked], NOW)).toBeNull();
    expect(matchApproval(enable, [{ ...revoked, revokedAt: new Date(NOW.getTime() + 1) }], NOW)?.id).toBe('a1');
  });

  it('annotateApprovals marks the approved changes for reports', async () => {
    const marked = [];
    for await (const c of annotateApprovals(stream([enable, change(m365(2, wb(false)), m365(2, wb(true)))]), [approval({ bucket: 'writtenBack' })], NOW)) {
      marked.push([c.groupId, c.approvalId]);
    }
    expect(marked).toEqual([
      [groupId(1), 'a1'],
      [groupId(2), null],
    ]);
  });
});
