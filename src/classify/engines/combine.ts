/**
 * Every assumed engine's verdict for one group, and their combination (docs/classification.md, "Combining
 * the engines"): writtenBack if an engine writes the group back in a way the portal shows, or Cloud Sync
 * provisions it; else legacyDefault if an engine writes it back although the portal says "No writeback";
 * else notWrittenBack. The engine that decided gives the target and the reason.
 */
import type { Bucket, EngineVerdict, EngineVerdicts, OnPremisesGroupType, ReasonCode, WritebackEngine } from '../../model';
import { decideCloudSync, type CloudSyncOutcome } from './cloudSync';
import { decideConnectSyncV1 } from './connectSyncV1';
import { decideConnectSyncV2, type ClassificationRow } from './connectSyncV2';
import type { EngineContext } from './engineContext';
import type { GroupFacts } from './facts';

export interface EngineDecision {
  engines: EngineVerdicts;
  bucket: Bucket;
  effectiveTargetType: OnPremisesGroupType | null;
  reason: ReasonCode;
  /** The engine whose verdict the combination took; null when no engine is assumed. */
  decidedBy: WritebackEngine | null;
  /** The Connect Sync v2 rule-table row, when v2 is assumed. */
  v2Row: ClassificationRow | null;
  /** Cloud Sync's outcome, when Cloud Sync is assumed. */
  cloudSync: CloudSyncOutcome | null;
}

const RANK: Record<Bucket, number> = { writtenBack: 0, legacyDefault: 1, notWrittenBack: 2 };

export function decideEngines(facts: GroupFacts, context: EngineContext): EngineDecision {
  const engines: EngineVerdicts = {};
  let v2Row: ClassificationRow | null = null;
  if (context.connectSync === 'connectSyncV2') {
    const v2 = decideConnectSyncV2(facts);
    engines.connectSyncV2 = v2.verdict;
    v2Row = v2.row;
  } else if (context.connectSync === 'connectSyncV1') {
    engines.connectSyncV1 = decideConnectSyncV1(facts);
  }
  let cloudSync: CloudSyncOutcome | null = null;
  if (context.cloudSync !== null) {
    cloudSync = decideCloudSync(facts, context.cloudSync);
    engines.cloudSync = cloudSync.verdict;
  }
  const combined = combineVerdicts(engines, context.engines);
  return { engines, ...combined, v2Row, cloudSync };
}

/**
 * The combination of engine verdicts, in the engines' canonical order (Connect Sync first, so with nothing
 * written back its reason explains the group as it did before Cloud Sync was read). unknown and indeterminate
 * write nothing back; they stay visible in the engine's own verdict.
 */
export function combineVerdicts(
  engines: EngineVerdicts,
  order: readonly WritebackEngine[],
): { bucket: Bucket; effectiveTargetType: OnPremisesGroupType | null; reason: ReasonCode; decidedBy: WritebackEngine | null } {
  let decidedBy: WritebackEngine | null = null;
  let decider: EngineVerdict | null = null;
  for (const engine of order) {
    const verdict = engines[engine];
    if (verdict === undefined) continue;
    if (decider === null) {
      decidedBy = engine;
      decider = verdict;
      continue;
    }
    if (rankOf(verdict) < rankOf(decider)) {
      decidedBy = engine;
      decider = verdict;
    }
  }
  if (decider === null) return { bucket: 'notWrittenBack', effectiveTargetType: null, reason: 'noEngine', decidedBy: null };
  const bucket = isBucket(decider.verdict) ? decider.verdict : 'notWrittenBack';
  return { bucket, effectiveTargetType: isBucket(decider.verdict) ? decider.targetType : null, reason: decider.reason, decidedBy };
}

function isBucket(value: EngineVerdict['verdict']): value is Bucket {
  return value === 'writtenBack' || value === 'legacyDefault' || value === 'notWrittenBack';
}

/** A definite "not written back" outranks unknown, so its reason is the one shown when nothing is written back. */
function rankOf(verdict: EngineVerdict): number {
  return isBucket(verdict.verdict) ? RANK[verdict.verdict] : RANK.notWrittenBack + 1;
}

/** The engine writes the group to AD (either written-back bucket). */
export function writesBack(verdict: EngineVerdict | undefined): boolean {
  return verdict !== undefined && (verdict.verdict === 'writtenBack' || verdict.verdict === 'legacyDefault');
}
