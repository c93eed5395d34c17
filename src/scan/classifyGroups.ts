/** Classifies groups read from Graph, fetching member counts (one request each) only where they matter. */
import type { ClassifiedGroup, CloudSyncContext, GraphGroup } from '../model';
import type { Settings } from '../config/settings';
import type { GraphGroupReader } from '../graph/groupReader';
import { classifyGroup } from '../classify/classifyGroup';
import { isWrittenBackBucket } from '../classify/vocabulary';
import { DEFAULT_ENGINE_CONTEXT, type EngineContext } from '../classify/engines/engineContext';

const MEMBER_COUNT_CONCURRENCY = 8;

export async function classifyGroups(
  deps: { settings: Settings; reader: GraphGroupReader },
  groups: readonly GraphGroup[],
  engines: EngineContext = DEFAULT_ENGINE_CONTEXT,
): Promise<ClassifiedGroup[]> {
  const classified = groups.map((group) => classifyGroup(group, { engines }));
  if (!deps.settings.graph.memberCounts) return classified;
  // Only for groups that are written back (Entra Connect size limits).
  const indexes = classified.flatMap((group, index) => (isWrittenBackBucket(group.bucket) ? [index] : []));
  for (let i = 0; i < indexes.length; i += MEMBER_COUNT_CONCURRENCY) {
    await Promise.all(
      indexes.slice(i, i + MEMBER_COUNT_CONCURRENCY).map(async (index) => {
        const group = groups[index]!;
        const memberCount = await deps.reader.countMembers(group.id);
        classified[index] = classifyGroup(group, { memberCount, engines });
      }),
    );
  }
  return classified;
}
