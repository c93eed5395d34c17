/**
 * Matching audit events to the changes of a diff. Pure: events and changes in, attributions out.
 *
 * Rules (docs/attribution.md): an event is used only when one of its Group targets has the changed group's id
 * (never its name: names change and repeat), its activity fits the change type, it succeeded, and it lies in the
 * window. "Update group" events whose changed properties match the change (for writeback changes: the configurable
 * pattern list, since Microsoft documents no property name) are `confirmed`; other fitting events are `candidate`.
 */
import type { AttributedEvent, AttributionStatus, AuditActor, ChangeType, ChangeAttribution, TenantContextChange } from '../model';
import type { AuditTarget, DirectoryAudit } from '../graph/auditLogReader';
import type { AuditWindow, WindowTiming } from './window';

/** Bumped when the rules change, so stored attributions say which rules made them. */
export const MATCHER_VERSION = 1;
/** Events kept per change: enough to show a toggle made twice in a night. */
export const MAX_EVENTS_PER_CHANGE = 5;
/** Raw modifiedProperties kept per event (Table Storage strings hold 32K characters). */
export const MAX_RAW_PROPERTIES_CHARS = 4_000;

const SUBSTRATE_APP = 'microsoft substrate management';
/** Entries the directory adds to modifiedProperties that are not properties of the group. */
const SYNTHETIC_PROPERTY = /^(included updated properties|action client name|targetid\.|group\.)/i;

/** Property-name parts that mark each kind of change (writeback ones come from the setting). */
const FIXED_PATTERNS: Partial<Record<ChangeType, readonly string[]>> = {
  renamed: ['displayname'],
  kindChanged: ['grouptype', 'securityenabled', 'mailenabled'],
  sourceOfAuthorityChanged: ['onpremisessyncenabled', 'dirsyncenabled'],
  findingsChanged: ['visibility', 'membershiprule', 'grouptype', 'isassignabletorole'],
};
const WRITEBACK_CHANGES: readonly ChangeType[] = ['bucketChanged', 'targetChanged', 'configChanged'];

/** Activities that can have made each kind of change. */
export function activitiesFor(types: readonly ChangeType[]): Set<string> {
  const names = new Set<string>();
  for (const type of types) {
    if (type === 'added') ['add group', 'restore group'].forEach((n) => names.add(n));
    else if (type === 'removed') ['delete group', 'hard delete group'].forEach((n) => names.add(n));
    else names.add('update group');
  }
  return names;
}

/**
 * oldValue/newValue are JSON text: an array for directory attributes (`["Sales"]`), a string literal for derived
 * entries (`"\"Member\""`), or null. Graph's own sample also shows bare text (`DirectorySync`), so text that does
 * not parse is kept as it is.
 */
export function parseAuditValue(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A parsed value as plain strings: arrays flattened, single-element arrays unwrapped. */
function valueStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(valueStrings);
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

const targetType = (target: AuditTarget): string => (target.type ?? target.Type ?? '').toLowerCase();

/** Names of the properties an event changed on a target: its own entries plus "Included Updated Properties". */
export function changedPropertyNames(target: AuditTarget): string[] {
  const names = new Set<string>();
  for (const property of target.modifiedProperties ?? []) {
    const name = property.displayName?.trim();
    if (!name) continue;
    if (/^included updated properties$/i.test(name)) {
      for (const listed of valueStrings(parseAuditValue(property.newValue))) {
        listed.split(',').map((n) => n.trim()).filter(Boolean).forEach((n) => names.add(n));
      }
    } else if (!SYNTHETIC_PROPERTY.test(name)) {
      names.add(name);
    }
  }
  return [...names];
}

function actionClient(target: AuditTarget | undefined): string | null {
  const entry = target?.modifiedProperties?.find((p) => /^action client name$/i.test(p.displayName ?? ''));
  return entry ? (valueStrings(parseAuditValue(entry.newValue))[0] ?? null) : null;
}

const blankToNull = (value: string | null | undefined): string | null => (value && value.trim() !== '' ? value : null);
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** Who started the event, with a one-line rendering for people. */
export function renderActor(event: DirectoryAudit, target?: AuditTarget): AuditActor {
  const user = event.initiatedBy?.user ?? null;
  const app = event.initiatedBy?.app ?? null;
  const actor: AuditActor = {
    kind: 'unknown',
    display: 'unknown (service)',
    displayName: blankToNull(user?.displayName) ?? blankToNull(app?.displayName),
    userId: user?.id && user.id !== EMPTY_GUID ? user.id : null,
    userPrincipalName: blankToNull(user?.userPrincipalName),
    ipAddress: blankToNull(user?.ipAddress),
    appId: blankToNull(app?.appId),
    servicePrincipalId: blankToNull(app?.servicePrincipalId),
  };
  const client = actionClient(target);
  if (client?.toLowerCase() === 'directorysync' || /^sync_/i.test(actor.userPrincipalName ?? '')) {
    const who = actor.userPrincipalName ?? actor.displayName;
    return { ...actor, kind: 'entraConnect', display: who ? `Entra Connect sync (${who})` : 'Entra Connect sync' };
  }
  if (app && (app.displayName ?? '').toLowerCase() === SUBSTRATE_APP) {
    return { ...actor, kind: 'exchangeDualWrite', display: 'Exchange Online (dual-write): the person who made it is in the Exchange/Purview audit log' };
  }
  if (actor.userId || actor.userPrincipalName) {
    const display =
      actor.displayName && actor.userPrincipalName
        ? `${actor.displayName} <${actor.userPrincipalName}>`
        : (actor.userPrincipalName ?? actor.displayName ?? actor.userId!);
    return { ...actor, kind: 'user', display };
  }
  if (app && (actor.appId || actor.displayName || actor.servicePrincipalId)) {
    const id = actor.appId ?? actor.servicePrincipalId;
    const display = actor.displayName ? (id ? `${actor.displayName} (app ${id})` : actor.displayName) : `app ${id}`;
    return { ...actor, kind: 'app', display };
  }
  return actor;
}

const lower = (value: string | null | undefined): string => (value ?? '').toLowerCase();
const eventTime = (event: DirectoryAudit): number => Date.parse(event.activityDateTime ?? '');
const succeeded = (event: DirectoryAudit): boolean => !['failure', 'timeout'].includes(lower(event.result));
/** Core Directory records the directory's own writes; self-service and MIM log look-alike activities. */
const coreDirectory = (event: DirectoryAudit): boolean => !event.loggedByService || lower(event.loggedByService) === 'core directory';

/** Events by the id of each Group target (lower case); other target types are not groups. */
export function indexEventsByGroup(events: Iterable<DirectoryAudit>): Map<string, DirectoryAudit[]> {
  const index = new Map<string, DirectoryAudit[]>();
  for (const event of events) {
    const seen = new Set<string>();
    for (const target of event.targetResources ?? []) {
      if (targetType(target) !== 'group' || !target.id) continue;
      const id = target.id.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      const list = index.get(id) ?? [];
      list.push(event);
      index.set(id, list);
    }
  }
  return index;
}

export interface MatchOptions {
  window: AuditWindow;
  writebackPatterns: readonly string[];
}

export interface MatchResult {
  status: 'confirmed' | 'candidate' | 'notFound';
  actor: AuditActor | null;
  changedAt: string | null;
  events: AttributedEvent[];
}

function inWindow(event: DirectoryAudit, window: AuditWindow): boolean {
  const at = eventTime(event);
  return Number.isFinite(at) && at >= window.from.getTime() && at <= window.to.getTime();
}

function capRaw(properties: unknown): string {
  const text = JSON.stringify(properties ?? []);
  return text.length <= MAX_RAW_PROPERTIES_CHARS ? text : `${text.slice(0, MAX_RAW_PROPERTIES_CHARS - 1)}…`;
}

function toAttributed(event: DirectoryAudit, target: AuditTarget | undefined, match: 'confirmed' | 'candidate'): AttributedEvent {
  return {
    id: event.id ?? '',
    activityDateTime: new Date(eventTime(event)).toISOString(),
    activityDisplayName: event.activityDisplayName ?? '',
    correlationId: event.correlationId ?? null,
    loggedByService: event.loggedByService ?? null,
    result: event.result ?? null,
    initiator: renderActor(event, target),
    match,
    changedProperties: target ? changedPropertyNames(target) : [],
    modifiedProperties: capRaw(target?.modifiedProperties),
  };
}

const matchesAny = (names: readonly string[], patterns: readonly string[]): boolean =>
  names.some((name) => patterns.some((pattern) => name.toLowerCase().includes(pattern)));

/**
 * Picks the events that explain one change and the headline among them: the latest matching event not after
 * the later scan read the group (confirmed before candidates); an event just after that, inside the skew, is
 * used only when there is no earlier one.
 */
function pick(found: AttributedEvent[], readBy: Date): MatchResult {
  if (found.length === 0) return { status: 'notFound', actor: null, changedAt: null, events: [] };
  const confirmed = found.filter((e) => e.match === 'confirmed');
  const pool = confirmed.length > 0 ? confirmed : found;
  const newestFirst = (a: AttributedEvent, b: AttributedEvent): number => Date.parse(b.activityDateTime) - Date.parse(a.activityDateTime);
  const before = pool.filter((e) => Date.parse(e.activityDateTime) <= readBy.getTime()).sort(newestFirst);
  const headline = before[0] ?? [...pool].sort(newestFirst).at(-1)!;
  const events = [...confirmed.sort(newestFirst), ...found.filter((e) => e.match === 'candidate').sort(newestFirst)].slice(0, MAX_EVENTS_PER_CHANGE);
  return { status: confirmed.length > 0 ? 'confirmed' : 'candidate', actor: headline.initiator, changedAt: headline.activityDateTime, events };
}

/** Matches one group change against the events indexed by group id. */
export function matchGroupChange(change: { groupId: string; types: readonly ChangeType[] }, index: Map<string, DirectoryAudit[]>, options: MatchOptions): MatchResult {
  const groupId = change.groupId.toLowerCase();
  const activities = activitiesFor(change.types);
  const patterns = change.types.flatMap((type) => (WRITEBACK_CHANGES.includes(type) ? options.writebackPatterns : (FIXED_PATTERNS[type] ?? [])));
  const found: AttributedEvent[] = [];
  for (const event of index.get(groupId) ?? []) {
    if (!inWindow(event, options.window) || !succeeded(event) || !coreDirectory(event) || !activities.has(lower(event.activityDisplayName))) continue;
    const target = (event.targetResources ?? []).find((t) => targetType(t) === 'group' && lower(t.id) === groupId);
    // Creating, deleting or restoring the group is itself the change; an update must name what it changed.
    const isUpdate = lower(event.activityDisplayName) === 'update group';
    const confirmed = !isUpdate || matchesAny(target ? changedPropertyNames(target) : [], patterns);
    found.push(toAttributed(event, target, confirmed ? 'confirmed' : 'candidate'));
  }
  return pick(found, options.window.readBy);
}

const TENANT_ACTIVITIES: Record<TenantContextChange['field'], { activities: readonly string[]; patterns: readonly string[] }> = {
  newUnifiedGroupWritebackDefault: {
    activities: ['create group settings', 'update group settings', 'delete group settings', 'create company settings', 'update company settings', 'delete company settings'],
    patterns: ['newunifiedgroupwritebackdefault'],
  },
  groupWritebackFeatureEnabled: { activities: ['set dirsync feature', 'set directory feature on tenant'], patterns: ['writeback'] },
  newUnifiedGroupWritebackDefaultRaw: { activities: [], patterns: [] },
  newUnifiedGroupWritebackDefaultSource: { activities: [], patterns: [] },
  lastDirectorySyncDateTime: { activities: [], patterns: [] },
  // Why the feature flags are unknown: a fact about permissions, not a directory change.
  groupWritebackFeatureUnknownReason: { activities: [], patterns: [] },
  // Cloud Sync job changes are not Core Directory group or setting activities; this stage does not attribute them.
  cloudSync: { activities: [], patterns: [] },
};

/**
 * Matches a change of a tenant-wide signal against the directory-setting events of the window. The scan does not
 * record the setting object's id, so these are matched by activity and confirmed only by the property name.
 */
export function matchTenantChange(change: TenantContextChange, events: readonly DirectoryAudit[], options: MatchOptions): MatchResult {
  const rule = TENANT_ACTIVITIES[change.field];
  const found: AttributedEvent[] = [];
  for (const event of events) {
    if (!inWindow(event, options.window) || !succeeded(event) || !rule.activities.includes(lower(event.activityDisplayName))) continue;
    const target = (event.targetResources ?? []).find((t) => matchesAny(changedPropertyNames(t), rule.patterns)) ?? event.targetResources?.[0];
    const confirmed = target !== undefined && matchesAny(changedPropertyNames(target), rule.patterns);
    found.push(toAttributed(event, target, confirmed ? 'confirmed' : 'candidate'));
  }
  return pick(found, options.window.readBy);
}

export const STATUS_NOTES: Record<AttributionStatus, string> = {
  confirmed: 'An audit event on this group names the changed property.',
  candidate: 'An audit event on this group fits the change, but its changed properties do not name it (Microsoft does not document the property name).',
  notFound: 'No audit event was found for this change; it may come from a process Entra does not audit.',
  pending: 'Audit events can take up to AUDIT_LATENCY_GRACE_MINUTES to appear; looked up again on the next run.',
  agedOut: 'The audit log no longer holds this period (Entra keeps 7 days on Free, 30 on P1/P2; AUDIT_RETENTION_DAYS).',
  noPermission: 'Actor unknown: grant AuditLog.Read.All to the scanner identity (scripts/grant-graph-permissions.ps1 -IncludeAuditLog).',
  noLicence: "Actor unknown: this tenant's licence does not expose the audit log through Graph.",
  throttled: 'The audit log lookup failed or was throttled this run; looked up again on the next run.',
};

/** The status of a match once the window's timing is known; `retry` marks lookups to repeat on the next run. */
export function decideStatus(match: MatchResult, timing: WindowTiming): { status: AttributionStatus; retry: boolean } {
  if (match.status === 'confirmed') return { status: 'confirmed', retry: false };
  if (match.status === 'candidate') return { status: 'candidate', retry: timing.young };
  if (timing.young) return { status: 'pending', retry: true };
  if (timing.partlyAgedOut) return { status: 'agedOut', retry: false };
  return { status: 'notFound', retry: false };
}

/** The stored attribution of a change from a match and its status. */
export function attribution(
  match: MatchResult,
  status: AttributionStatus,
  context: { window: { from: Date; to: Date }; checkedAt: Date; attempts: number; note?: string },
): ChangeAttribution {
  return {
    status,
    window: { from: context.window.from.toISOString(), to: context.window.to.toISOString() },
    actor: match.actor,
    changedAt: match.changedAt,
    events: match.events,
    note: context.note ?? STATUS_NOTES[status],
    checkedAt: context.checkedAt.toISOString(),
    attempts: context.attempts,
  };
}

export const NO_MATCH: MatchResult = { status: 'notFound', actor: null, changedAt: null, events: [] };
