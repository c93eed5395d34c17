import { describe, expect, it } from 'vitest';
import { attributionText, changedByText } from '../../src/attribution/present';
import { changeRow, CHANGE_COLUMNS } from '../../src/report/diffReport';
import type { ChangeAttribution, GroupChange } from '../../src/model';

const attribution = (status: ChangeAttribution['status'], actor: string | null): ChangeAttribution => ({
  status,
  window: { from: '2026-03-01T01:55:00.000Z', to: '2026-03-02T02:50:00.000Z' },
  actor: actor ? { kind: 'user', display: actor, displayName: null, userId: null, userPrincipalName: null, ipAddress: null, appId: null, servicePrincipalId: null } : null,
  changedAt: actor ? '2026-03-01T14:07:55.123Z' : null,
  events: [],
  note: 'why',
  checkedAt: '2026-03-02T03:00:00.000Z',
  attempts: 1,
});

describe('attribution as people read it', () => {
  it('says who and when, "possibly" for a candidate, nothing without an actor', () => {
    expect(changedByText(attribution('confirmed', 'Ada Admin <ada@contoso.com>'))).toBe('Ada Admin <ada@contoso.com> at 2026-03-01 14:07:55 UTC');
    expect(changedByText(attribution('candidate', 'Ada Admin <ada@contoso.com>'))).toMatch(/^possibly Ada Admin/);
    expect(changedByText(attribution('pending', null))).toBeNull();
    expect(changedByText(null)).toBeNull();
    expect(attributionText(attribution('noPermission', null))).toBe('no permission: why');
  });

  it('fills the "Changed by" and "Attribution" columns of the diff workbook', () => {
    const change: GroupChange = { groupId: 'g', displayName: 'G', types: ['configChanged'], before: null, after: null, findingsAdded: [], findingsRemoved: [], attribution: attribution('confirmed', 'Ada') };
    const row = changeRow(change, () => ({ value: null }) as never);
    const cell = (header: string) => row[CHANGE_COLUMNS.findIndex((c) => c.header === header)] as { value: unknown };
    expect(cell('Changed by').value).toBe('Ada at 2026-03-01 14:07:55 UTC');
    expect(cell('Attribution').value).toBe('confirmed: why');
  });
});
