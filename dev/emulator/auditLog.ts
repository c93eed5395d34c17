/**
 * The emulated Entra directory audit log: events in the shape of Microsoft's published directoryAudit samples
 * (Graph docs, directoryaudit-list v1.0 and beta examples), the `$filter` grammar the directoryAudit page
 * documents, a latency before events become visible, and the reporting API's own small throttle.
 * Shapes are defined here, from the Graph docs; nothing is taken from the product's types.
 */
import { randomUUID } from 'node:crypto';

export interface AuditUser {
  id: string | null;
  displayName: string | null;
  userPrincipalName: string | null;
  ipAddress: string | null;
}

export interface AuditApp {
  appId: string | null;
  displayName: string | null;
  servicePrincipalId: string | null;
  servicePrincipalName: string | null;
}

/** Who calls the emulator (one per accepted token): a signed-in user or an app. */
export type AuditCaller = { user: AuditUser; app?: null } | { app: AuditApp; user?: null };

export interface AuditModifiedProperty {
  displayName: string;
  /** JSON text (an array for directory attributes, a string literal for derived entries) or null. */
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditTargetResource {
  id: string;
  displayName: string | null;
  type: string;
  userPrincipalName: string | null;
  groupType: string | null;
  modifiedProperties: AuditModifiedProperty[];
}

export interface AuditEvent {
  id: string;
  category: string;
  correlationId: string;
  result: string;
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  loggedByService: string;
  operationType: string;
  initiatedBy: { user: AuditUser | null; app: AuditApp | null };
  targetResources: AuditTargetResource[];
  additionalDetails: { key: string; value: string }[];
}

/** The app the default emulator token stands for. */
export const EMULATOR_CLIENT: AuditCaller = {
  app: {
    appId: '3c5d2b61-6f0b-4a4e-9d59-0d5d1e0c7a11',
    displayName: 'Graph emulator client',
    servicePrincipalId: '8a7f5e2c-2f43-4c57-8f1e-6a9b0c4d3e21',
    servicePrincipalName: null,
  },
};

/** How the emulated audit API answers, changeable while it runs. */
export interface AuditLogControls {
  /** Milliseconds after an event's time before queries see it (Entra: minutes). */
  latencyMs: number;
  /** `granted`; `denied` answers 403 for a missing AuditLog.Read.All; `noLicence` answers 403 for a tenant without premium. */
  access: 'granted' | 'denied' | 'noLicence';
  /** Requests allowed per window and token (Graph: 5 per 10 s per app and tenant). */
  throttleLimit: number;
  throttleWindowMs: number;
  /** The property name a writebackConfiguration change logs (not documented by Microsoft). */
  writebackPropertyName: string;
  /** Most events per page whatever `$top` asks (Graph may answer with fewer). */
  maxPageSize: number;
  /** Answer 400 to a filter that combines loggedByService with an `or` list (undocumented whether Graph takes it). */
  rejectServiceWithOr: boolean;
}

export const DEFAULT_AUDIT_CONTROLS: AuditLogControls = {
  latencyMs: 0,
  access: 'granted',
  throttleLimit: 5,
  throttleWindowMs: 10_000,
  writebackPropertyName: 'WritebackConfiguration',
  maxPageSize: 1000,
  rejectServiceWithOr: false,
};

export class EmulatedAuditLog {
  readonly controls: AuditLogControls;
  private readonly events: AuditEvent[] = [];
  private readonly requestTimes = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    controls: Partial<AuditLogControls> = {},
  ) {
    this.controls = { ...DEFAULT_AUDIT_CONTROLS, ...controls };
  }

  /** Adds an event (tests add decoys this way); missing fields get the values a real Core Directory event has. */
  record(event: Partial<AuditEvent> & Pick<AuditEvent, 'activityDisplayName' | 'targetResources'>): AuditEvent {
    const correlationId = event.correlationId ?? randomUUID();
    const full: AuditEvent = {
      id: event.id ?? `Directory_${correlationId}_${randomUUID().slice(0, 5).toUpperCase()}_${this.events.length + 1}`,
      category: event.category ?? 'GroupManagement',
      correlationId,
      result: event.result ?? 'success',
      resultReason: event.resultReason ?? '',
      activityDisplayName: event.activityDisplayName,
      activityDateTime: event.activityDateTime ?? new Date(this.now()).toISOString(),
      loggedByService: event.loggedByService ?? 'Core Directory',
      operationType: event.operationType ?? operationOf(event.activityDisplayName),
      initiatedBy: event.initiatedBy ?? { user: null, app: EMULATOR_CLIENT.app ?? null },
      targetResources: event.targetResources,
      additionalDetails: event.additionalDetails ?? [],
    };
    this.events.push(full);
    return full;
  }

  all(): AuditEvent[] {
    return [...this.events];
  }

  clear(): void {
    this.events.length = 0;
  }

  /** Events visible at `asOf` (older than the latency) that pass the filter, newest first, as Graph lists them. */
  visible(filter: AuditPredicate, asOf: number): AuditEvent[] {
    return this.events
      .filter((event) => Date.parse(event.activityDateTime) <= asOf - this.controls.latencyMs && filter(event))
      .sort((a, b) => Date.parse(b.activityDateTime) - Date.parse(a.activityDateTime));
  }

  /** Counts a request of `caller` against the throttle; returns the seconds to wait when it is over the limit. */
  throttle(caller: string): number | null {
    const now = this.now();
    const { throttleLimit, throttleWindowMs } = this.controls;
    const times = (this.requestTimes.get(caller) ?? []).filter((t) => t > now - throttleWindowMs);
    if (times.length >= throttleLimit) {
      this.requestTimes.set(caller, times);
      return Math.max(1, Math.ceil((times[0]! + throttleWindowMs - now) / 1000));
    }
    times.push(now);
    this.requestTimes.set(caller, times);
    return null;
  }
}

function operationOf(activity: string): string {
  if (/^(add|create|restore)\b/i.test(activity)) return 'Add';
  if (/^(delete|hard delete)\b/i.test(activity)) return 'Delete';
  return 'Update';
}

// ---- building events from writes ---------------------------------------------------------------

type GraphObject = Record<string, unknown>;

/** Directory attributes are logged as JSON arrays of their values; derived entries as JSON string literals. */
const attributeValue = (value: unknown): string | null => (value === undefined ? null : JSON.stringify([value]));

/** Audit names are directory attribute names, not Graph's: PascalCase here, the writeback one configurable. */
function attributeName(graphName: string, controls: AuditLogControls): string {
  if (graphName === 'writebackConfiguration') return controls.writebackPropertyName;
  return graphName.charAt(0).toUpperCase() + graphName.slice(1);
}

const IGNORED = new Set(['id', '@odata.context', 'createdDateTime', 'deletedDateTime', 'renewedDateTime']);

/** modifiedProperties of a group write, plus the "Included Updated Properties" entry that names them. */
export function groupModifiedProperties(before: GraphObject | null, after: GraphObject | null, controls: AuditLogControls): AuditModifiedProperty[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((name) => !IGNORED.has(name));
  const changed: AuditModifiedProperty[] = [];
  for (const name of names) {
    const old = before?.[name];
    const now = after?.[name];
    if (JSON.stringify(old ?? null) === JSON.stringify(now ?? null)) continue;
    changed.push({ displayName: attributeName(name, controls), oldValue: before ? attributeValue(old) : null, newValue: after ? attributeValue(now) : null });
  }
  if (changed.length > 0) {
    changed.push({ displayName: 'Included Updated Properties', oldValue: null, newValue: JSON.stringify(changed.map((p) => p.displayName).join(', ')) });
  }
  return changed;
}

export function groupTarget(group: GraphObject, modifiedProperties: AuditModifiedProperty[]): AuditTargetResource {
  const types = Array.isArray(group.groupTypes) ? (group.groupTypes as unknown[]) : [];
  return {
    id: String(group.id),
    displayName: typeof group.displayName === 'string' ? group.displayName : null,
    type: 'Group',
    userPrincipalName: null,
    groupType: types.some((t) => String(t).toLowerCase() === 'unified') ? 'unifiedGroups' : 'azureAD',
    modifiedProperties,
  };
}

export function settingTarget(setting: GraphObject, before: GraphObject | null, after: GraphObject | null): AuditTargetResource {
  const values = (s: GraphObject | null): Map<string, string> =>
    new Map(((s?.values as { name?: string; value?: string }[] | undefined) ?? []).map((v) => [String(v.name), String(v.value)]));
  const old = values(before);
  const now = values(after);
  const modifiedProperties: AuditModifiedProperty[] = [];
  for (const name of new Set([...old.keys(), ...now.keys()])) {
    if (old.get(name) === now.get(name)) continue;
    modifiedProperties.push({
      displayName: name,
      oldValue: old.has(name) ? JSON.stringify([old.get(name)]) : null,
      newValue: now.has(name) ? JSON.stringify([now.get(name)]) : null,
    });
  }
  return {
    id: String(setting.id),
    displayName: typeof setting.displayName === 'string' ? setting.displayName : null,
    type: 'Directory',
    userPrincipalName: null,
    groupType: null,
    modifiedProperties,
  };
}

export function initiatedBy(caller: AuditCaller): AuditEvent['initiatedBy'] {
  return { user: caller.user ?? null, app: caller.app ?? null };
}

// ---- $filter ---------------------------------------------------------------------------------

export type AuditPredicate = (event: AuditEvent) => boolean;

export class AuditFilterError extends Error {}

type Token = { kind: 'word' | 'string' | 'punct'; text: string };

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if ('(),:'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= filter.length) throw new AuditFilterError('Unterminated string literal.');
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += filter[i];
        i += 1;
      }
      tokens.push({ kind: 'string', text: value });
    } else {
      const match = /^[A-Za-z0-9_./:+-]+/.exec(filter.slice(i));
      if (!match) throw new AuditFilterError(`Unexpected character '${c}'.`);
      // A ':' belongs to a word only inside a date literal (10:00:00); `t:` in any() is punctuation.
      let word = match[0];
      if (!/^\d{4}-/.test(word) && word.includes(':')) word = word.slice(0, word.indexOf(':'));
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    }
  }
  return tokens;
}

type Getter = (event: AuditEvent) => (string | null)[];

/** Properties and operators the directoryAudit page documents for $filter. */
const PROPERTIES: Record<string, { get: Getter; ops: string[]; date?: boolean }> = {
  activitydatetime: { get: (e) => [e.activityDateTime], ops: ['eq', 'ge', 'le'], date: true },
  activitydisplayname: { get: (e) => [e.activityDisplayName], ops: ['eq', 'startswith'] },
  loggedbyservice: { get: (e) => [e.loggedByService], ops: ['eq'] },
  correlationid: { get: (e) => [e.correlationId], ops: ['eq'] },
  id: { get: (e) => [e.id], ops: ['eq'] },
  'initiatedby/user/id': { get: (e) => [e.initiatedBy.user?.id ?? null], ops: ['eq'] },
  'initiatedby/user/displayname': { get: (e) => [e.initiatedBy.user?.displayName ?? null], ops: ['eq'] },
  'initiatedby/user/userprincipalname': { get: (e) => [e.initiatedBy.user?.userPrincipalName ?? null], ops: ['eq', 'startswith'] },
  'initiatedby/app/appid': { get: (e) => [e.initiatedBy.app?.appId ?? null], ops: ['eq'] },
  'initiatedby/app/displayname': { get: (e) => [e.initiatedBy.app?.displayName ?? null], ops: ['eq'] },
};

const TARGET_PROPERTIES: Record<string, { get: (t: AuditTargetResource) => string | null; ops: string[] }> = {
  id: { get: (t) => t.id, ops: ['eq'] },
  displayname: { get: (t) => t.displayName, ops: ['eq', 'startswith'] },
};

const unsupported = (what: string): AuditFilterError => new AuditFilterError(`Invalid filter clause: ${what} is not supported.`);

/** Parses a directoryAudits `$filter` into a predicate; throws AuditFilterError on anything undocumented. */
export function parseAuditFilter(filter: string): AuditPredicate {
  const tokens = tokenize(filter);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token => {
    const token = tokens[position];
    if (!token) throw new AuditFilterError('The filter ends too early.');
    position += 1;
    return token;
  };
  const expect = (text: string): void => {
    const token = next();
    if (token.text !== text) throw new AuditFilterError(`Expected '${text}' but found '${token.text}'.`);
  };
  const isWord = (token: Token | undefined, word: string): boolean => token?.kind === 'word' && token.text.toLowerCase() === word;

  const literal = (date: boolean): string => {
    const token = next();
    if (date) {
      if (token.kind !== 'word' || Number.isNaN(Date.parse(token.text))) throw new AuditFilterError(`'${token.text}' is not a date literal.`);
      return token.text;
    }
    if (token.kind !== 'string') throw new AuditFilterError(`Expected a quoted string but found '${token.text}'.`);
    return token.text;
  };

  const compare = (op: string, actual: string | null, expected: string, date: boolean): boolean => {
    if (actual === null) return false;
    if (date) {
      const a = Date.parse(actual);
      const b = Date.parse(expected);
      return op === 'eq' ? a === b : op === 'ge' ? a >= b : a <= b;
    }
    // Graph compares these strings case-insensitively.
    return op === 'startswith' ? actual.toLowerCase().startsWith(expected.toLowerCase()) : actual.toLowerCase() === expected.toLowerCase();
  };

  const anyClause = (): AuditPredicate => {
    // targetResources/any(t: t/id eq '...') or any(t: startswith(t/displayName, '...'))
    expect('(');
    const variable = next().text;
    expect(':');
    let op: string;
    let property: string;
    let value: string;
    if (isWord(peek(), 'startswith')) {
      next();
      expect('(');
      property = next().text;
      expect(',');
      value = literal(false);
      expect(')');
      op = 'startswith';
    } else {
      property = next().text;
      op = next().text.toLowerCase();
      value = literal(false);
    }
    expect(')');
    const prefix = `${variable.toLowerCase()}/`;
    if (!property.toLowerCase().startsWith(prefix)) throw new AuditFilterError(`'${property}' does not use the lambda variable '${variable}'.`);
    const spec = TARGET_PROPERTIES[property.toLowerCase().slice(prefix.length)];
    if (!spec || !spec.ops.includes(op)) throw unsupported(`targetResources/any with ${property} ${op}`);
    return (event) => event.targetResources.some((target) => compare(op, spec.get(target), value, false));
  };

  const primary = (): AuditPredicate => {
    const token = peek();
    if (token?.text === '(') {
      next();
      const inner = orExpression();
      expect(')');
      return inner;
    }
    if (isWord(token, 'startswith')) {
      next();
      expect('(');
      const property = next().text;
      expect(',');
      const value = literal(false);
      expect(')');
      const spec = PROPERTIES[property.toLowerCase()];
      if (!spec || !spec.ops.includes('startswith')) throw unsupported(`startswith on ${property}`);
      return (event) => spec.get(event).some((actual) => compare('startswith', actual, value, false));
    }
    const property = next();
    if (property.kind !== 'word') throw new AuditFilterError(`Expected a property but found '${property.text}'.`);
    if (property.text.toLowerCase() === 'targetresources/any') return anyClause();
    const spec = PROPERTIES[property.text.toLowerCase()];
    if (!spec) throw unsupported(`filtering on '${property.text}'`);
    const op = next().text.toLowerCase();
    if (!spec.ops.includes(op)) throw unsupported(`operator '${op}' on ${property.text}`);
    const value = literal(spec.date === true);
    return (event) => spec.get(event).some((actual) => compare(op, actual, value, spec.date === true));
  };

  const andExpression = (): AuditPredicate => {
    const parts = [primary()];
    while (isWord(peek(), 'and')) {
      next();
      parts.push(primary());
    }
    return (event) => parts.every((part) => part(event));
  };

  function orExpression(): AuditPredicate {
    const parts = [andExpression()];
    while (isWord(peek(), 'or')) {
      next();
      parts.push(andExpression());
    }
    return (event) => parts.some((part) => part(event));
  }

  const predicate = orExpression();
  if (position < tokens.length) throw new AuditFilterError(`Unexpected '${tokens[position]!.text}' after the end of the filter.`);
  return predicate;
}
