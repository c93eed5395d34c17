/** The diff stage: what changed between two scans of a tenant, decided without I/O. */
export { diffSnapshots } from './diffSnapshots';
export {
  CHANGE_TYPES,
  addedChange,
  compareGroups,
  isSuspiciousTypeReset,
  onPremisesGroupTypeKey,
  removedChange,
} from './compareGroups';
export { COMPARED_TENANT_FIELDS, diffTenantContext } from './diffTenantContext';
export { DiffAccumulator, emptyChangeCounts, summarizeChanges } from './diffSummary';
export { CLOUD_SYNC_CHANGE_MAX_IDS, describeContainer, describeScope, diffCloudSync } from './diffCloudSync';
