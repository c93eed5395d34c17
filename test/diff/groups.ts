/** Hand-built ClassifiedGroup values for diff and report tests (the diff compares, it does not classify). */
import type { ClassifiedGroup, RawWritebackValues } from '../../src/model';

export type GroupOverrides = Partial<Omit<ClassifiedGroup, 'raw' | 'flags'>> & {
  raw?: Partial<RawWritebackValues>;
  flags?: Partial<ClassifiedGroup['flags']>;
};

/** Group id `n` as a GUID, so ids sort by number in snapshot key order. */
export function guid(n: number): string {
  return `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

/** A never-configured Microsoft 365 group (legacy default) unless overridden. */
export function group(id: string, overrides: GroupOverrides = {}): ClassifiedGroup {
  const { raw, flags, engines, ...rest } = overrides;
  const built: Omit<ClassifiedGroup, 'engines'> = {
    id,
    displayName: `Group ${id.slice(0, 8)}`,
    mail: null,
    createdDateTime: '2024-01-02T03:04:05Z',
    kind: 'microsoft365',
    sourceOfAuthority: 'cloud',
    bucket: 'legacyDefault',
    effectiveTargetType: 'universalDistributionGroup',
    reason: 'legacyDefault',
    findings: ['portalShowsNoWriteback'],
    portalShowsNoWriteback: true,
    memberCount: null,
    ...rest,
    flags: { dynamic: false, roleAssignable: false, team: false, visibility: 'Private', ...flags },
    raw: {
      isEnabled: null,
      onPremisesGroupType: null,
      onPremisesGroupTypeNormalized: null,
      onPremisesSyncEnabled: null,
      securityEnabled: false,
      mailEnabled: true,
      groupTypes: ['Unified'],
      ...raw,
    },
  };
  // As classified under Connect Sync v2 alone unless the test says otherwise.
  return { ...built, engines: engines ?? { connectSyncV2: { verdict: built.bucket, targetType: built.effectiveTargetType, reason: built.reason } } };
}

/** A security group with writeback enabled. */
export function enabledSecurityGroup(id: string, overrides: GroupOverrides = {}): ClassifiedGroup {
  return group(id, {
    kind: 'security',
    bucket: 'writtenBack',
    effectiveTargetType: 'universalSecurityGroup',
    reason: 'enabled',
    findings: [],
    portalShowsNoWriteback: false,
    ...overrides,
    raw: { isEnabled: true, securityEnabled: true, mailEnabled: false, groupTypes: [], ...overrides.raw },
  });
}

export async function* streamOf<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
