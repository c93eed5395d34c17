/**
 * Builders for alert tests: real classified groups (through the product's classifier), hand-made changes
 * between two states of a group, and scan records.
 */
import { classifyGroup } from '../../src/classify/classifyGroup';
import { emptyCounts } from '../../src/classify/counts';
import type { ChangeType, ClassifiedGroup, GraphGroup, GroupChange, ScanRecord, TenantContext } from '../../src/model';

export const TENANT = '11111111-2222-3333-4444-555555555555';

export function groupId(n: number): string {
  return `0000${String(n).padStart(4, '0')}-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
}

type Writeback = { isEnabled: boolean | null; onPremisesGroupType: string | null };

/** A Microsoft 365 group, by default Private, never configured (legacyDefault). */
export function m365(n: number, writeback: Writeback = { isEnabled: null, onPremisesGroupType: null }, extra: Partial<GraphGroup> = {}): ClassifiedGroup {
  return classifyGroup({
    id: groupId(n),
    displayName: `Team ${n}`,
    groupTypes: ['Unified'],
    securityEnabled: false,
    mailEnabled: true,
    visibility: 'Private',
    onPremisesSyncEnabled: null,
    writebackConfiguration: writeback,
    ...extra,
  });
}

/** A security group, by default not configured (not written back). */
export function security(n: number, writeback: Writeback = { isEnabled: null, onPremisesGroupType: null }, extra: Partial<GraphGroup> = {}): ClassifiedGroup {
  return classifyGroup({
    id: groupId(n),
    displayName: `Security ${n}`,
    groupTypes: [],
    securityEnabled: true,
    mailEnabled: false,
    onPremisesSyncEnabled: null,
    writebackConfiguration: writeback,
    ...extra,
  });
}

export const wb = (isEnabled: boolean | null, onPremisesGroupType: string | null = null): Writeback => ({ isEnabled, onPremisesGroupType });

/** A change between two states of one group; types follow what differs, as the diff engine would tag it. */
export function change(before: ClassifiedGroup | null, after: ClassifiedGroup | null): GroupChange {
  const either = (after ?? before)!;
  const types: ChangeType[] = [];
  if (!before) types.push('added');
  else if (!after) types.push('removed');
  else {
    if (before.bucket !== after.bucket) types.push('bucketChanged');
    if (before.effectiveTargetType !== after.effectiveTargetType) types.push('targetChanged');
    if (before.raw.isEnabled !== after.raw.isEnabled || before.raw.onPremisesGroupTypeNormalized !== after.raw.onPremisesGroupTypeNormalized) types.push('configChanged');
    if (before.sourceOfAuthority !== after.sourceOfAuthority) types.push('sourceOfAuthorityChanged');
    if (before.displayName !== after.displayName) types.push('renamed');
    if (before.findings.join() !== after.findings.join()) types.push('findingsChanged');
  }
  return {
    groupId: either.id,
    displayName: either.displayName,
    types,
    before,
    after,
    findingsAdded: after ? after.findings.filter((f) => !before?.findings.includes(f)) : [],
    findingsRemoved: before ? before.findings.filter((f) => !after?.findings.includes(f)) : [],
  };
}

export function tenantContext(overrides: Partial<TenantContext> = {}): TenantContext {
  return {
    newUnifiedGroupWritebackDefault: true,
    newUnifiedGroupWritebackDefaultRaw: null,
    newUnifiedGroupWritebackDefaultSource: 'settingMissing',
    groupWritebackFeatureEnabled: true,
    groupWritebackFeatureUnknownReason: null,
    lastDirectorySyncDateTime: null,
    cloudSync: null,
    ...overrides,
  };
}

export function scan(id: string, overrides: Partial<ScanRecord> & { total?: number } = {}): ScanRecord {
  const { total = 1000, ...rest } = overrides;
  const counts = emptyCounts();
  counts.total = total;
  const startedAt = new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`);
  return {
    id,
    tenantId: TENANT,
    trigger: 'timer',
    status: 'complete',
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 600_000),
    counts,
    tenantContext: tenantContext(),
    pages: 1,
    retries: 0,
    error: null,
    ...rest,
  };
}

export const FROM = scan('20261124T020000Z-aaaaaa');
export const TO = scan('20261125T020000Z-bbbbbb');
export const NOW = new Date('2026-11-25T03:00:00Z');

export async function* stream<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}
