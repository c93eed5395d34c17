/**
 * Cloud Sync attribute scoping filters, evaluated over the values a scan stores. Semantics from Entra docs
 * define-conditional-rules-for-provisioning-user-accounts ("Scoping users or groups to be provisioned with
 * scoping filters"): clauses of one filter are AND-ed, filters are OR-ed; EQUALS, NOT EQUALS, INCLUDES and the
 * REGEX operators are case-sensitive; "scoping filters will return false if the value is null / empty" (IS NULL
 * aside); Greater_Than compares integers. A clause on an attribute the product does not store, or with an
 * operator it does not know, cannot be evaluated: the group's verdict is then indeterminate, naming the clause,
 * never "out of scope". Filters are compiled once per scan (regular expressions included).
 */
import type { CloudSyncScopeClause } from '../../model';
import type { GroupFacts } from './facts';

/** `undefined`: the product does not have the value (not stored, or never read); `null`: the group has none. */
type AttributeValue = string | boolean | null | undefined;

type Accessor = (facts: GroupFacts) => AttributeValue;

/**
 * Source attributes a group filter can name, by lower-cased name. Cloud Sync's default clause uses
 * `dirSyncEnabled`, which is Graph's `onPremisesSyncEnabled` (true only for groups synced from AD).
 */
const ACCESSORS: ReadonlyMap<string, Accessor> = new Map<string, Accessor>([
  ['displayname', (f) => f.displayName],
  ['description', (f) => f.raw.description],
  ['mail', (f) => f.mail],
  ['mailnickname', (f) => f.raw.mailNickname],
  ['objectid', (f) => f.id],
  ['id', (f) => f.id],
  ['securityenabled', (f) => f.raw.securityEnabled],
  ['mailenabled', (f) => f.raw.mailEnabled],
  ['dirsyncenabled', (f) => f.raw.onPremisesSyncEnabled === true],
  ['onpremisessyncenabled', (f) => f.raw.onPremisesSyncEnabled === true],
  ['isassignabletorole', (f) => f.flags.roleAssignable],
  ['visibility', (f) => f.flags.visibility],
]);

/** true, false, or null when the clause cannot be evaluated for this group. */
type ClauseTest = (value: string | boolean | null) => boolean;

export interface CompiledClause {
  /** As an admin would read it in the portal: `displayName REGEX MATCH ^Sales`. */
  readonly text: string;
  /** Why the clause can never be evaluated (unknown attribute or operator, bad pattern), else null. */
  readonly unusable: string | null;
  readonly accessor: Accessor | null;
  readonly test: ClauseTest | null;
}

export type FilterResult = { outcome: 'in' } | { outcome: 'out' } | { outcome: 'indeterminate'; clause: string };

const IN: FilterResult = Object.freeze({ outcome: 'in' });
const OUT: FilterResult = Object.freeze({ outcome: 'out' });

/** "Greater_Than", "GREATER_THAN", "greater than" all name one operator. */
export function normalizeOperator(name: string): string {
  return name.trim().toUpperCase().replace(/_/g, ' ').replace(/\s+/g, ' ');
}

const text = (value: string | boolean | null): string | null => {
  if (value === null) return null;
  return typeof value === 'boolean' ? (value ? 'True' : 'False') : value;
};
const present = (value: string | boolean | null): boolean => value !== null && value !== '';
const INTEGER = /^\d+$/;

function testOf(operator: string, values: readonly string[]): ClauseTest | string {
  const equalsAny = (value: string | boolean | null): boolean => {
    if (typeof value === 'boolean') return values.some((v) => v.toLowerCase() === String(value));
    return value !== null && values.includes(value);
  };
  switch (operator) {
    case 'EQUALS':
      return (value) => present(value) && equalsAny(value);
    case 'NOT EQUALS':
      return (value) => present(value) && !equalsAny(value);
    case 'IS TRUE':
      return (value) => value === true;
    case 'IS FALSE':
      return (value) => value === false;
    case 'IS NULL':
      return (value) => !present(value);
    case 'IS NOT NULL':
      return (value) => present(value);
    case 'INCLUDES':
      return (value) => present(value) && values.some((v) => text(value)!.includes(v));
    case 'ENDS WITH':
      return (value) => present(value) && values.some((v) => text(value)!.endsWith(v));
    case 'REGEX MATCH':
    case 'NOT REGEX MATCH': {
      let patterns: RegExp[];
      try {
        patterns = values.map((v) => new RegExp(v));
      } catch {
        return `its pattern is not a regular expression the product can read`;
      }
      const negate = operator === 'NOT REGEX MATCH';
      return (value) => present(value) && patterns.some((p) => p.test(text(value)!)) !== negate;
    }
    case 'GREATER THAN':
    case 'GREATER THAN OR EQUALS': {
      const bound = values[0];
      if (values.length !== 1 || bound === undefined || !INTEGER.test(bound)) return 'its value is not an integer';
      const limit = BigInt(bound);
      const orEqual = operator === 'GREATER THAN OR EQUALS';
      return (value) => {
        const t = text(value);
        if (t === null || !INTEGER.test(t)) return false;
        const n = BigInt(t);
        return orEqual ? n >= limit : n > limit;
      };
    }
    default:
      return `the product cannot evaluate the operator ${operator}`;
  }
}

export function compileClause(clause: CloudSyncScopeClause): CompiledClause {
  const values = clause.values ?? [];
  const shown = `${clause.sourceAttributeName} ${clause.operatorName}${values.length > 0 ? ` ${values.join(', ')}` : ''}`;
  const accessor = ACCESSORS.get(clause.sourceAttributeName.trim().toLowerCase()) ?? null;
  if (accessor === null) {
    return { text: shown, unusable: `the product does not read ${clause.sourceAttributeName}`, accessor: null, test: null };
  }
  const test = testOf(normalizeOperator(clause.operatorName), values);
  if (typeof test === 'string') return { text: shown, unusable: test, accessor: null, test: null };
  return { text: shown, unusable: null, accessor, test };
}

export type CompiledFilter = readonly (readonly CompiledClause[])[];

export function compileFilter(filterGroups: readonly (readonly CloudSyncScopeClause[])[]): CompiledFilter {
  return filterGroups.map((clauses) => clauses.map(compileClause));
}

/** Whether the clause holds for the group, or why it cannot be evaluated for it. */
function evaluateClause(clause: CompiledClause, facts: GroupFacts): boolean | string {
  if (clause.unusable !== null || clause.accessor === null || clause.test === null) return `${clause.text} (${clause.unusable ?? 'not evaluable'})`;
  const value = clause.accessor(facts);
  if (value === undefined) return `${clause.text} (the value is not stored for this group)`;
  return clause.test(value);
}

/**
 * Three-valued: a filter group is out as soon as one clause is false, in when all are true, else
 * indeterminate; the filter is in as soon as one group is in. An empty filter scopes in everything.
 */
export function evaluateFilter(filter: CompiledFilter, facts: GroupFacts): FilterResult {
  if (filter.length === 0) return IN;
  let undecided: string | null = null;
  for (const clauses of filter) {
    let groupUndecided: string | null = null;
    let out = false;
    for (const clause of clauses) {
      const result = evaluateClause(clause, facts);
      if (result === false) {
        out = true;
        break;
      }
      if (typeof result === 'string' && groupUndecided === null) groupUndecided = result;
    }
    if (out) continue;
    if (groupUndecided === null) return IN;
    undecided ??= groupUndecided;
  }
  return undecided === null ? OUT : { outcome: 'indeterminate', clause: undecided };
}
