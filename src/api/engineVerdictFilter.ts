/**
 * The `engineVerdict=<engine>:<verdict>` filter of group lists (e.g. `cloudSync:writtenBack`). Engine verdicts
 * live in each row's details, so this filter runs as rows stream past rather than in Table Storage.
 */
import type { ClassifiedGroup, EngineVerdictValue, WritebackEngine } from '../model';
import { invalid } from './http';

const ENGINES: readonly WritebackEngine[] = ['connectSyncV2', 'connectSyncV1', 'cloudSync'];
const VERDICTS: readonly EngineVerdictValue[] = ['writtenBack', 'legacyDefault', 'notWrittenBack', 'unknown', 'indeterminate'];

export interface EngineVerdictFilter {
  engine: WritebackEngine;
  verdict: EngineVerdictValue;
}

export function engineVerdictParam(query: URLSearchParams): EngineVerdictFilter | undefined {
  const value = query.get('engineVerdict');
  if (value === null || value === '') return undefined;
  const [engineText, verdictText, extra] = value.split(':');
  const engine = ENGINES.find((e) => e.toLowerCase() === engineText?.trim().toLowerCase());
  const verdict = VERDICTS.find((v) => v.toLowerCase() === verdictText?.trim().toLowerCase());
  if (!engine || !verdict || extra !== undefined) {
    throw invalid(`Query parameter engineVerdict="${value.slice(0, 60)}" is not valid; use <engine>:<verdict> with engine one of ${ENGINES.join(', ')} and verdict one of ${VERDICTS.join(', ')}, e.g. cloudSync:writtenBack.`);
  }
  return { engine, verdict };
}

/** The groups whose verdict under `filter.engine` is `filter.verdict` (a group classified without that engine has none). */
export async function* withEngineVerdict(groups: AsyncIterable<ClassifiedGroup>, filter: EngineVerdictFilter | undefined): AsyncGenerator<ClassifiedGroup> {
  for await (const group of groups) {
    if (filter === undefined || group.engines[filter.engine]?.verdict === filter.verdict) yield group;
  }
}
