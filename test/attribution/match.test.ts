import { describe, expect, it } from 'vitest';
import {
  changedPropertyNames,
  decideStatus,
  indexEventsByGroup,
  matchGroupChange,
  matchTenantChange,
  parseAuditValue,
  renderActor,
} from '../../src/attribution/match';
import type { DirectoryAudit } from '../../src/graph/auditLogReader';
import type { AuditWindow } from '../../src/attribution/window';

const GROUP = 'ef7e527d-6c92-4234-8c6d-cf6fdfb57f95';
const OTHER = '1f0e98f5-3161-4c6b-9b50-d488572f2bb7';
const window: AuditWindow = { from: new Date('2026-03-01T01:55:00Z'), to: new Date('2026-03-02T02:50:00Z'), readBy: new Date('2026-03-02T02:45:00Z') };
const options = { window, writebackPatterns: ['writeback', 'onpremisesgrouptype'] };
const ADA = { id: '2c940657-1026-4386-bcfd-3176637ba01f', displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.com', ipAddress: '203.0.113.7' };
const BOB = { id: '728309ae-1a37-4937-9afe-e35d964db09b', displayName: 'Bob Builder', userPrincipalName: 'bob@contoso.com', ipAddress: '' };

/** An "Update group" event as the beta sample shows one: JSON-text values and "Included Updated Properties". */
function updateGroup(at: string, options: { id?: string; target?: string; name?: string; property?: string; user?: typeof ADA; result?: string } = {}): DirectoryAudit {
  const property = options.property ?? 'WritebackConfiguration';
  return {
    id: options.id ?? `Directory_${at}_${property}`,
    category: 'GroupManagement',
    correlationId: `c-${at}`,
    result: options.result ?? 'success',
    activityDisplayName: 'Update group',
    activityDateTime: at,
    loggedByService: 'Core Directory',
    operationType: 'Update',
    initiatedBy: { app: null, user: options.user ?? ADA },
    targetResources: [
      {
        id: options.target ?? GROUP,
        displayName: options.name ?? 'Sales',
        type: 'Group',
        groupType: 'unifiedGroups',
        modifiedProperties: [
          { displayName: property, oldValue: '[{"isEnabled":null,"onPremisesGroupType":null}]', newValue: '[{"isEnabled":true,"onPremisesGroupType":"universalSecurityGroup"}]' },
          { displayName: 'Included Updated Properties', oldValue: null, newValue: `"${property}"` },
        ],
      },
    ],
  };
}

describe('modifiedProperties values are JSON text', () => {
  it('parses arrays, string literals and null, and keeps text that is not JSON', () => {
    expect(parseAuditValue('[{"MethodType":6,"Default":true}]')).toEqual([{ MethodType: 6, Default: true }]);
    expect(parseAuditValue('"\\"Member\\""')).toBe('"Member"');
    expect(parseAuditValue('"Member"')).toBe('Member');
    expect(parseAuditValue(null)).toBeNull();
    expect(parseAuditValue('')).toBeNull();
    expect(parseAuditValue('DirectorySync')).toBe('DirectorySync');
    expect(parseAuditValue('[not json')).toBe('[not json');
  });

  it('reads the changed names from the entries and from "Included Updated Properties", a comma list', () => {
    const target = {
      modifiedProperties: [
        { displayName: 'DisplayName', oldValue: '["Old"]', newValue: '["New"]' },
        { displayName: 'Included Updated Properties', oldValue: null, newValue: '"DisplayName, WriteBackEnabled"' },
        { displayName: 'TargetId.GroupType', oldValue: null, newValue: '"Unified"' },
        { displayName: 'Action Client Name', oldValue: null, newValue: 'DirectorySync' },
      ],
    };
    expect(changedPropertyNames(target)).toEqual(['DisplayName', 'WriteBackEnabled']);
  });
});

describe('actor rendering', () => {
  it('renders users as name and UPN and apps as name and app id', () => {
    expect(renderActor(updateGroup('2026-03-01T10:00:00Z')).display).toBe('Ada Admin <ada@contoso.com>');
    const app = renderActor({ initiatedBy: { user: null, app: { appId: '8e1b1c4a-0000-4000-8000-00000000a11e', displayName: 'Provisioner', servicePrincipalId: 'sp-1' } } });
    expect(app).toMatchObject({ kind: 'app', display: 'Provisioner (app 8e1b1c4a-0000-4000-8000-00000000a11e)', servicePrincipalId: 'sp-1' });
  });

  it('recognises Entra Connect by "Action Client Name" = DirectorySync (v1.0 sample) and Exchange dual-write by its app', () => {
    const sample: DirectoryAudit = {
      initiatedBy: { user: { id: '728309ae-1a37-4937-9afe-e35d964db09b', displayName: 'Audry Oliver', userPrincipalName: 'bob@wingtiptoysonline.com', ipAddress: '127.0.0.1' }, app: null },
      targetResources: [{ id: GROUP, Type: 'Group', modifiedProperties: [{ displayName: 'Action Client Name', oldValue: null, newValue: 'DirectorySync' }] }],
    };
    expect(renderActor(sample, sample.targetResources![0]).kind).toBe('entraConnect');
    expect(renderActor(sample, sample.targetResources![0]).display).toBe('Entra Connect sync (bob@wingtiptoysonline.com)');
    const exchange = renderActor({ initiatedBy: { user: null, app: { appId: null, displayName: 'Microsoft Substrate Management', servicePrincipalId: 'x' } } });
    expect(exchange.kind).toBe('exchangeDualWrite');
    expect(exchange.display).toMatch(/^Exchange Online \(dual-write\)/);
  });

  it('calls an initiator with an empty id and no name unknown (the self-service read sample)', () => {
    const actor = renderActor({ initiatedBy: { app: null, user: { id: '00000000-0000-0000-0000-000000000000', displayName: null, userPrincipalName: null, ipAddress: '10.0.0.0' } } });
    expect(actor).toMatchObject({ kind: 'unknown', display: 'unknown (service)', userId: null });
  });
});

describe('matching a change to its events', () => {
  it('matches by target id only: decoys on other groups (even with the same name) and outside the window are never used', () => {
    const events = [
      updateGroup('2026-03-01T10:00:00Z', { target: OTHER, name: 'Sales', user: BOB }), // same name, other group
      updateGroup('2026-03-01T01:00:00Z', { user: BOB }), // before the window
      updateGroup('2026-03-02T03:00:00Z', { user: BOB }), // after the window
      updateGroup('2026-03-01T10:00:00Z', { user: BOB, result: 'failure' }), // failed attempt
      { ...updateGroup('2026-03-01T11:00:00Z', { user: BOB }), loggedByService: 'Self-service Group Management' }, // not Core Directory
      updateGroup('2026-03-01T12:00:00Z'), // the one
    ];
    const result = matchGroupChange({ groupId: GROUP.toUpperCase(), types: ['bucketChanged', 'configChanged'] }, indexEventsByGroup(events), options);
    expect(result.status).toBe('confirmed');
    expect(result.events.map((e) => e.activityDateTime)).toEqual(['2026-03-01T12:00:00.000Z']);
    expect(result.actor?.display).toBe('Ada Admin <ada@contoso.com>');
    expect(result.events[0]).toMatchObject({ correlationId: 'c-2026-03-01T12:00:00Z', changedProperties: ['WritebackConfiguration'], match: 'confirmed' });
    expect(JSON.parse(result.events[0]!.modifiedProperties)[0].displayName).toBe('WritebackConfiguration');
  });

  it('finds nothing for a group whose only events are on other groups', () => {
    const result = matchGroupChange({ groupId: GROUP, types: ['configChanged'] }, indexEventsByGroup([updateGroup('2026-03-01T10:00:00Z', { target: OTHER })]), options);
    expect(result).toMatchObject({ status: 'notFound', actor: null, events: [] });
  });

  it('calls an "Update group" without a writeback property a candidate, and a writeback one confirmed', () => {
    const renameOnly = [updateGroup('2026-03-01T10:00:00Z', { property: 'DisplayName' })];
    const candidate = matchGroupChange({ groupId: GROUP, types: ['targetChanged'] }, indexEventsByGroup(renameOnly), options);
    expect(candidate.status).toBe('candidate');
    expect(candidate.actor?.display).toBe('Ada Admin <ada@contoso.com>');
    const renamed = matchGroupChange({ groupId: GROUP, types: ['renamed'] }, indexEventsByGroup(renameOnly), options);
    expect(renamed.status).toBe('confirmed');
    // The pattern list is a setting: a tenant whose directory logs another name can add it.
    const custom = matchGroupChange({ groupId: GROUP, types: ['targetChanged'] }, indexEventsByGroup([updateGroup('2026-03-01T10:00:00Z', { property: 'GroupWriteBackState' })]), { ...options, writebackPatterns: ['writebackstate'] });
    expect(custom.status).toBe('confirmed');
  });

  it('fits the activity family to the change: an added group by "Add group", a removed one by "Delete group"', () => {
    const add = { ...updateGroup('2026-03-01T10:00:00Z'), activityDisplayName: 'Add group' };
    const del = { ...updateGroup('2026-03-01T11:00:00Z', { user: BOB }), activityDisplayName: 'Hard Delete group' };
    const index = indexEventsByGroup([add, del]);
    expect(matchGroupChange({ groupId: GROUP, types: ['added'] }, index, options)).toMatchObject({ status: 'confirmed', changedAt: '2026-03-01T10:00:00.000Z' });
    expect(matchGroupChange({ groupId: GROUP, types: ['removed'] }, index, options).actor?.userPrincipalName).toBe('bob@contoso.com');
    expect(matchGroupChange({ groupId: GROUP, types: ['bucketChanged'] }, indexEventsByGroup([add]), options).status).toBe('notFound');
  });

  it('takes as headline the latest matching event not after the later scan read the group', () => {
    const events = [
      updateGroup('2026-03-01T09:00:00Z', { user: BOB }),
      updateGroup('2026-03-02T02:30:00Z'), // made while the later scan ran, before it finished
      updateGroup('2026-03-02T02:48:00Z', { user: BOB }), // after the read, inside the skew
    ];
    const result = matchGroupChange({ groupId: GROUP, types: ['configChanged'] }, indexEventsByGroup(events), options);
    expect(result.changedAt).toBe('2026-03-02T02:30:00.000Z');
    expect(result.actor?.userPrincipalName).toBe('ada@contoso.com');
    expect(result.events.map((e) => e.activityDateTime)).toEqual(['2026-03-02T02:48:00.000Z', '2026-03-02T02:30:00.000Z', '2026-03-01T09:00:00.000Z']);
  });

  it('attributes a change of the tenant default to a settings event naming NewUnifiedGroupWritebackDefault', () => {
    const event: DirectoryAudit = {
      id: 's1',
      activityDisplayName: 'Update group settings',
      activityDateTime: '2026-03-01T15:00:00Z',
      result: 'success',
      initiatedBy: { user: ADA, app: null },
      targetResources: [{ id: 'setting-1', type: 'Directory', modifiedProperties: [{ displayName: 'NewUnifiedGroupWritebackDefault', oldValue: '["true"]', newValue: '["false"]' }] }],
    };
    const result = matchTenantChange({ field: 'newUnifiedGroupWritebackDefault', before: true, after: false }, [event], options);
    expect(result).toMatchObject({ status: 'confirmed', changedAt: '2026-03-01T15:00:00.000Z' });
  });
});

describe('status of a lookup', () => {
  const settled = { fullyAgedOut: false, partlyAgedOut: false, young: false };
  const none = { status: 'notFound' as const, actor: null, changedAt: null, events: [] };
  it('is pending while the window is young, not found once it is settled, aged out when part of it is gone', () => {
    expect(decideStatus(none, { ...settled, young: true })).toEqual({ status: 'pending', retry: true });
    expect(decideStatus(none, settled)).toEqual({ status: 'notFound', retry: false });
    expect(decideStatus(none, { ...settled, partlyAgedOut: true })).toEqual({ status: 'agedOut', retry: false });
    expect(decideStatus({ ...none, status: 'candidate' }, { ...settled, young: true })).toEqual({ status: 'candidate', retry: true });
    expect(decideStatus({ ...none, status: 'confirmed' }, { ...settled, young: true })).toEqual({ status: 'confirmed', retry: false });
  });
});
