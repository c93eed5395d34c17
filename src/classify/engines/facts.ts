/**
 * What every engine's rule reads about a group: the values classification derives from Graph, and that a
 * snapshot row stores. Deciding from these (never from the Graph object itself) is what lets a stored scan
 * be re-classified under other engines without calling Graph (the what-if).
 */
import type { ClassifiedGroup } from '../../model';

export type GroupFacts = Pick<
  ClassifiedGroup,
  'id' | 'displayName' | 'mail' | 'createdDateTime' | 'kind' | 'sourceOfAuthority' | 'flags' | 'memberCount' | 'raw'
>;
