import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/diff/diffSnapshots';
import { isSuspiciousTypeReset } from '../../src/diff/compareGroups';
import { WritebackWatchError } from '../../src/errors';
import type { ClassifiedGroup, GroupChange } from '../../src/model';
import { collect, enabledSecurityGroup, group, guid, streamOf } from './groups';

/** Two scans of one tenant, built by hand; every pair differs in a way the expected list below spells out. */
function scans(): { before: ClassifiedGroup[]; after: ClassifiedGroup[] } {
  const unchanged = group(guid(1));
  const deleted = group(guid(2), { displayName: 'Deleted group' });
  const disabledLater = group(guid(3));
  const casing = enabledSecurityGroup(guid(4), {
    raw: { onPremisesGroupType: 'universalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
  });
  const explicitlyEnabled = group(guid(6), {
    bucket: 'writtenBack',
    reason: 'enabledByDefault',
    raw: { onPremisesGroupType: 'universalDistributionGroup', onPremisesGroupTypeNormalized: 'universalDistributionGroup' },
  });
  const retargeted = group(guid(7), {
    bucket: 'writtenBack',
    reason: 'enabled',
    findings: [],
    portalShowsNoWriteback: false,
    flags: { visibility: 'Public' },
    raw: { isEnabled: true, onPremisesGroupType: 'universalDistributionGroup', onPremisesGroupTypeNormalized: 'universalDistributionGroup' },
  });
  const disabledSecurity = enabledSecurityGroup(guid(8), {
    bucket: 'notWrittenBack',
    effectiveTargetType: null,
    reason: 'disabled',
    raw: { isEnabled: false },
  });
  const syncedFromAd = enabledSecurityGroup(guid(9), {
    sourceOfAuthority: 'onPremises',
    bucket: 'notWrittenBack',
    effectiveTargetType: null,
    reason: 'syncedFromOnPremises',
    raw: { isEnabled: null, onPremisesSyncEnabled: true },
  });
  const renamed = group(guid(10), { displayName: 'Sales' });
  const customCasing = group(guid(11), {
    bucket: 'writtenBack',
    effectiveTargetType: null,
    reason: 'enabled',
    findings: ['unknownOnPremisesGroupType'],
    portalShowsNoWriteback: false,
    raw: { isEnabled: true, onPremisesGroupType: 'CustomType' },
  });
  const customChanged = { ...customCasing, id: guid(12) };
  const typeReset = group(guid(13), {
    bucket: 'writtenBack',
    effectiveTargetType: 'universalSecurityGroup',
    reason: 'enabled',
    findings: [],
    portalShowsNoWriteback: false,
    raw: { isEnabled: true, onPremisesGroupType: 'universalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
  });
  const deletedLast = group(guid(14));
  const createdLast = enabledSecurityGroup(guid(15), { findings: ['roleAssignableWrittenBack'], flags: { roleAssignable: true } });
  const createdMiddle = group(guid(5), { displayName: 'New team' });

  const before = [unchanged, deleted, disabledLater, casing, explicitlyEnabled, retargeted, disabledSecurity, syncedFromAd, renamed, customCasing, customChanged, typeReset, deletedLast];
  const after = [
    { ...unchanged },
    { ...disabledLater, bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'disabled', findings: [], portalShowsNoWriteback: false, raw: { ...disabledLater.raw, isEnabled: false } },
    { ...casing, raw: { ...casing.raw, onPremisesGroupType: 'UniversalSecurityGroup' } },
    createdMiddle,
    { ...explicitlyEnabled, reason: 'enabled', findings: [], portalShowsNoWriteback: false, raw: { ...explicitlyEnabled.raw, isEnabled: true } },
    {
      ...retargeted,
      effectiveTargetType: 'universalSecurityGroup',
      findings: ['publicGroupWrittenBackAsSecurity'],
      raw: { ...retargeted.raw, onPremisesGroupType: 'universalSecurityGroup', onPremisesGroupTypeNormalized: 'universalSecurityGroup' },
    },
    { ...disabledSecurity, kind: 'distribution', reason: 'unsupportedGroupKind', raw: { ...disabledSecurity.raw, securityEnabled: false, mailEnabled: true } },
    {
      ...syncedFromAd,
      sourceOfAuthority: 'cloudFormerlySynced',
      reason: 'securityDefaultOff',
      findings: ['securityDefaultDisputed'],
      raw: { ...syncedFromAd.raw, onPremisesSyncEnabled: false },
    },
    { ...renamed, displayName: 'Sales and Marketing' },
    { ...customCasing, raw: { ...customCasing.raw, onPremisesGroupType: 'CUSTOMTYPE' } },
    { ...customChanged, raw: { ...customChanged.raw, onPremisesGroupType: 'OtherType' } },
    {
      ...typeReset,
      effectiveTargetType: 'universalDistributionGroup',
      reason: 'enabledDefaultTarget',
      raw: { ...typeReset.raw, onPremisesGroupType: null, onPremisesGroupTypeNormalized: null },
    },
    createdLast,
  ] as ClassifiedGroup[];
  return { before, after };
}

type Expected = Pick<GroupChange, 'groupId' | 'displayName' | 'types' | 'findingsAdded' | 'findingsRemoved'>;

const EXPECTED: Expected[] = [
  { groupId: guid(2), displayName: 'Deleted group', types: ['removed'], findingsAdded: [], findingsRemoved: ['portalShowsNoWriteback'] },
  { groupId: guid(3), displayName: 'Group 00000003', types: ['bucketChanged', 'targetChanged', 'findingsChanged'], findingsAdded: [], findingsRemoved: ['portalShowsNoWriteback'] },
  // guid(4): onPremisesGroupType differs in casing only: no change.
  { groupId: guid(5), displayName: 'New team', types: ['added'], findingsAdded: ['portalShowsNoWriteback'], findingsRemoved: [] },
  { groupId: guid(6), displayName: 'Group 00000006', types: ['configChanged', 'findingsChanged'], findingsAdded: [], findingsRemoved: ['portalShowsNoWriteback'] },
  { groupId: guid(7), displayName: 'Group 00000007', types: ['targetChanged', 'configChanged', 'findingsChanged'], findingsAdded: ['publicGroupWrittenBackAsSecurity'], findingsRemoved: [] },
  { groupId: guid(8), displayName: 'Group 00000008', types: ['kindChanged'], findingsAdded: [], findingsRemoved: [] },
  { groupId: guid(9), displayName: 'Group 00000009', types: ['sourceOfAuthorityChanged', 'findingsChanged'], findingsAdded: ['securityDefaultDisputed'], findingsRemoved: [] },
  { groupId: guid(10), displayName: 'Sales and Marketing', types: ['renamed'], findingsAdded: [], findingsRemoved: [] },
  // guid(11): an unrecognised value differing in casing only: no change.
  { groupId: guid(12), displayName: 'Group 0000000b', types: ['configChanged'], findingsAdded: [], findingsRemoved: [] },
  { groupId: guid(13), displayName: 'Group 0000000d', types: ['targetChanged', 'configChanged'], findingsAdded: [], findingsRemoved: [] },
  { groupId: guid(14), displayName: 'Group 0000000e', types: ['removed'], findingsAdded: [], findingsRemoved: ['portalShowsNoWriteback'] },
  { groupId: guid(15), displayName: 'Group 0000000f', types: ['added'], findingsAdded: ['roleAssignableWrittenBack'], findingsRemoved: [] },
];

function essentials(change: GroupChange): Expected {
  const { groupId, displayName, types, findingsAdded, findingsRemoved } = change;
  return { groupId, displayName, types, findingsAdded, findingsRemoved };
}

async function thrown(promise: Promise<unknown>): Promise<WritebackWatchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WritebackWatchError);
  return error as WritebackWatchError;
}

describe('diffSnapshots', () => {
  it('finds every change type between two hand-built scans and nothing else', async () => {
    const { before, after } = scans();
    const changes = await collect(diffSnapshots(streamOf(before), streamOf(after)));
    expect(changes.map(essentials)).toEqual(EXPECTED);
  });

  it('carries both versions of a changed group, and only one for added and removed groups', async () => {
    const { before, after } = scans();
    const changes = await collect(diffSnapshots(streamOf(before), streamOf(after)));
    const byId = new Map(changes.map((c) => [c.groupId, c]));
    expect(byId.get(guid(2))).toMatchObject({ before: before[1], after: null });
    expect(byId.get(guid(5))).toMatchObject({ before: null, after: after[3] });
    expect(byId.get(guid(10))?.before?.displayName).toBe('Sales');
    expect(byId.get(guid(10))?.after?.displayName).toBe('Sales and Marketing');
  });

  it('flags only the value-to-null reset of onPremisesGroupType as suspicious', async () => {
    const { before, after } = scans();
    const changes = await collect(diffSnapshots(streamOf(before), streamOf(after)));
    expect(changes.filter(isSuspiciousTypeReset).map((c) => c.groupId)).toEqual([guid(13)]);
  });

  it('yields nothing for two equal scans and for two empty ones', async () => {
    const { before } = scans();
    expect(await collect(diffSnapshots(streamOf(before), streamOf(before.map((g) => structuredClone(g)))))).toEqual([]);
    expect(await collect(diffSnapshots(streamOf([]), streamOf([])))).toEqual([]);
  });

  it('reports everything as added against an empty earlier scan, and as removed against an empty later one', async () => {
    const { after } = scans();
    const added = await collect(diffSnapshots(streamOf([]), streamOf(after)));
    expect(added.map((c) => c.types)).toEqual(after.map(() => ['added']));
    const removed = await collect(diffSnapshots(streamOf(after), streamOf([])));
    expect(removed.map((c) => c.groupId)).toEqual(after.map((g) => g.id));
  });

  it('merges in snapshot key order: mixed-case ids and non-GUID fixture ids', async () => {
    // snapshotSortKey lower-cases ids and puts ids not starting with a hex digit after the hex partitions.
    const before = [group('0A000000-0000-4000-8000-000000000000'), group('fixture-group')];
    const after = [group('0a000000-0000-4000-8000-000000000000', { displayName: before[0]!.displayName }), group('b0000000-0000-4000-8000-000000000000')];
    const changes = await collect(diffSnapshots(streamOf(before), streamOf(after)));
    expect(changes.map((c) => [c.groupId, c.types])).toEqual([
      ['b0000000-0000-4000-8000-000000000000', ['added']],
      ['fixture-group', ['removed']],
    ]);
  });

  it('rejects an earlier scan that is out of order, naming the side and the groups', async () => {
    const error = await thrown(collect(diffSnapshots(streamOf([group(guid(2)), group(guid(1))]), streamOf([]))));
    expect(error.code).toBe('InvalidInput');
    expect(error.message).toContain('before snapshot');
    expect(error.message).toContain(guid(1));
    expect(error.details).toMatchObject({ side: 'before', groupId: guid(1), previousGroupId: guid(2), position: 1 });
  });

  it('rejects a later scan that is out of order or lists a group twice', async () => {
    const unordered = await thrown(collect(diffSnapshots(streamOf([]), streamOf([group(guid(1)), group(guid(3)), group(guid(2))]))));
    expect(unordered.details).toMatchObject({ side: 'after', groupId: guid(2) });
    const duplicated = await thrown(collect(diffSnapshots(streamOf([]), streamOf([group(guid(1)), group(guid(1))]))));
    expect(duplicated.message).toContain('appears twice');
  });

  it('closes both inputs when an input is out of order', async () => {
    const closed: string[] = [];
    async function* tracked(name: string, groups: ClassifiedGroup[]): AsyncGenerator<ClassifiedGroup> {
      try {
        yield* groups;
      } finally {
        closed.push(name);
      }
    }
    await thrown(collect(diffSnapshots(tracked('before', [group(guid(1)), group(guid(5)), group(guid(4))]), tracked('after', [group(guid(9)), group(guid(10))]))));
    expect(closed.sort()).toEqual(['after', 'before']);
  });
});

describe('diffSnapshots on large generated scans', () => {
  /** A scan of `count` generated groups whose ids are `start`, `start + step`, …; counts how many were read. */
  function generated(count: number, start: number, step: number): { groups: AsyncIterable<ClassifiedGroup>; read: () => number; closed: () => boolean } {
    let read = 0;
    let closed = false;
    async function* groups(): AsyncGenerator<ClassifiedGroup> {
      try {
        for (let i = 0; i < count; i++) {
          read += 1;
          yield group(guid(start + i * step));
        }
      } finally {
        closed = true;
      }
    }
    return { groups: groups(), read: () => read, closed: () => closed };
  }

  it('reads each input only as far as the next change needs, so memory does not depend on tenant size', async () => {
    // 200,000 groups a side with no group in common: every step of the merge yields a change.
    const before = generated(200_000, 0, 2);
    const after = generated(200_000, 1, 2);
    const iterator = diffSnapshots(before.groups, after.groups)[Symbol.asyncIterator]();

    const first = await iterator.next();
    expect(first.value).toMatchObject({ groupId: guid(0), types: ['removed'] });
    expect(before.read()).toBe(1);
    expect(after.read()).toBe(1);

    for (let i = 1; i < 1000; i++) await iterator.next();
    // 1,000 changes alternate between the sides: about 500 groups read from each, plus the one looked ahead.
    expect(before.read()).toBeLessThanOrEqual(502);
    expect(after.read()).toBeLessThanOrEqual(502);

    await iterator.return?.(undefined);
    expect(before.closed()).toBe(true);
    expect(after.closed()).toBe(true);
    expect(before.read()).toBeLessThan(1000);
  });

  it('walks two large equal-but-one scans to the end and finds the one difference', async () => {
    const count = 100_000;
    async function* scan(renamedIndex: number | null): AsyncGenerator<ClassifiedGroup> {
      for (let i = 0; i < count; i++) yield group(guid(i), i === renamedIndex ? { displayName: 'Renamed' } : {});
    }
    const changes = await collect(diffSnapshots(scan(null), scan(77_777)));
    expect(changes.map((c) => [c.groupId, c.types])).toEqual([[guid(77_777), ['renamed']]]);
  });
});
