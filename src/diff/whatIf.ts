/**
 * The what-if: a stored scan re-classified under another engine list, without Graph, from the values each
 * snapshot row keeps and the Cloud Sync context the scan recorded. Its answer is in the diff's change model
 * (before = the scan as stored, after = the what-if), one change per group whose bucket or target differs,
 * streamed from the snapshot one row at a time.
 */
import { classifyFacts } from '../classify/classifyGroup';
import { buildEngineContext, enginesOf } from '../classify/engines/engineContext';
import { parseEngineList } from '../config/settings';
import { WritebackWatchError } from '../errors';
import type { ClassifiedGroup, DiffSummary, GroupChange, WritebackEngine } from '../model';
import type { StoredScan } from '../store/scanStore';
import { compareGroups } from './compareGroups';
import { DiffAccumulator } from './diffSummary';

export interface WhatIf {
  scan: StoredScan;
  /** The engines the scan's verdicts assume. */
  assumed: readonly WritebackEngine[];
  /** The engines of the what-if. */
  engines: readonly WritebackEngine[];
  /** A fresh stream on every call (the workbook reads it twice: once to count, once to write). */
  changes(): AsyncGenerator<GroupChange>;
  summarize(): Promise<DiffSummary>;
}

/** The `engines` parameter, as WRITEBACK_ENGINES spells it; a bad list is the caller's error, said plainly. */
export function parseWhatIfEngines(value: string | null | undefined): readonly WritebackEngine[] {
  if (value === null || value === undefined || value.trim() === '') {
    throw new WritebackWatchError('InvalidInput', 'engines is missing: name the engine list to classify under, e.g. engines=connectSyncV1,cloudSync.');
  }
  const parsed = parseEngineList(value);
  if (typeof parsed === 'string') throw new WritebackWatchError('InvalidInput', `engines is "${value}", but ${parsed}.`);
  return parsed;
}

export function openWhatIf(scan: StoredScan, groups: () => AsyncIterable<ClassifiedGroup>, engines: readonly WritebackEngine[]): WhatIf {
  // Compiled once: the assigned-group sets and scoping filters of the scan's recorded Cloud Sync jobs.
  const context = buildEngineContext(engines, scan.tenantContext?.cloudSync ?? null);
  async function* changes(): AsyncGenerator<GroupChange> {
    for await (const stored of groups()) {
      const change = compareGroups(stored, classifyFacts(stored, context));
      if (change !== null && (change.types.includes('bucketChanged') || change.types.includes('targetChanged'))) yield change;
    }
  }
  return {
    scan,
    assumed: enginesOf(scan.counts),
    engines,
    changes,
    summarize: async () => {
      const accumulator = new DiffAccumulator(scan, scan);
      for await (const change of changes()) accumulator.add(change);
      return { ...accumulator.summary(), toScanId: whatIfLabel(scan, engines), tenantChanges: [] };
    },
  };
}

/** How the what-if side is named where a scan id would be. */
export function whatIfLabel(scan: StoredScan, engines: readonly WritebackEngine[]): string {
  return `${scan.id} (what-if: ${engines.length === 0 ? 'none' : engines.join(',')})`;
}
