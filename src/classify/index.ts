/** The classification stage: pure decisions about one group at a time, plus the catalogs reports cite. */
export { classifyGroup, decideWriteback, groupKindOf, sourceOfAuthorityOf } from './classifyGroup';
export type { ClassificationContext, ClassificationRow, WritebackVerdict } from './classifyGroup';
export {
  CLASSIFICATION_ASSUMPTIONS,
  FINDING_NAMES,
  FINDINGS,
  MEMBER_LIMITS,
  REASONS,
  highestSeverity,
  severityOf,
} from './findings';
export type { FindingDefinition, FindingId, ReasonDefinition } from './findings';
export { addToCounts, emptyCounts } from './counts';
export { PORTAL_NO_WRITEBACK, portalLabel } from './portalLabel';
export { normalizeOnPremisesGroupType } from './normalize';
export { BUCKETS, GROUP_KINDS, SEVERITIES, compareSeverity, isWrittenBackBucket } from './vocabulary';
