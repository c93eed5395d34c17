/**
 * Changes of the tenant-wide writeback signals between two scans. Null means unknown (not read, or the
 * permission to read it was not granted); a signal becoming known or unknown is reported like any other
 * change, so a report never silently compares a value with nothing.
 */
import type { TenantContext, TenantContextChange } from '../model';

/**
 * The fields whose change is an event. The raw setting string and its source are left out (only the
 * effective value decides anything: "False" → "false" is no change), and so is lastDirectorySyncDateTime,
 * which moves with every sync cycle.
 */
export const COMPARED_TENANT_FIELDS = ['newUnifiedGroupWritebackDefault', 'groupWritebackFeatureEnabled'] as const satisfies readonly (keyof TenantContext)[];

export function diffTenantContext(before: TenantContext | null, after: TenantContext | null): TenantContextChange[] {
  const changes: TenantContextChange[] = [];
  for (const field of COMPARED_TENANT_FIELDS) {
    const old = before === null ? null : before[field];
    const now = after === null ? null : after[field];
    if (old !== now) changes.push({ field, before: old, after: now });
  }
  return changes;
}
