/**
 * The emulated tenant: groups in a stable order, directory settings, and the few tenant-wide signals
 * Writeback Watch reads. Built for 500,000 groups: the base groups (synthetic or from a fixture) are
 * addressed by position and generated on demand; only groups created, changed or deleted after start
 * live in the overlay map. Every group keeps its position for life (deleted ones leave a tombstone,
 * created ones are appended), so a `$skiptoken` that is a position stays valid while the tenant changes.
 */
import type { GraphGroup } from './groupShape';
import { EmulatorError } from './errors';
import { EmulatedCloudSync } from './cloudSyncTenant';
import type { DirectorySetting, TenantFixture } from './fixture';
import { copyGroup, isKnownOnPremisesGroupType } from './groupShape';
import { formatGuid, hash32, mix32 } from './random';
import {
  SYNTHETIC_MAIL_DOMAIN,
  syntheticGroup,
  syntheticGroupId,
  syntheticGroupIndex,
  syntheticMemberCount,
  type SyntheticGroupGenerator,
} from './syntheticTenant';

/** Template id of the Group.Unified directory setting (Graph group settings templates). */
export const GROUP_UNIFIED_TEMPLATE_ID = '62375ab9-6b52-47ed-826b-58e47e0e304b';
export const WRITEBACK_DEFAULT_SETTING_NAME = 'NewUnifiedGroupWritebackDefault';

/**
 * Delta `@removed.reason`: `changed` = soft-deleted (restorable from deletedItems for 30 days),
 * `deleted` = gone for good (Graph docs, "Use delta query to track changes").
 */
export type RemovalReason = 'changed' | 'deleted';

export interface EmulatedTenantOptions {
  /** Number of synthetic groups (ignored when `fixture` is given). Default 100. */
  groups?: number;
  /** Seed of the synthetic tenant and of generated ids. Default 1. */
  seed?: number;
  fixture?: TenantFixture;
  tenantId?: string;
  /**
   * Initial NewUnifiedGroupWritebackDefault string; null = no Group.Unified setting at all.
   * Default "true". Ignored when the fixture brings its own settings list.
   */
  tenantDefault?: string | null;
  /** `features.groupWriteBackEnabled`; null = the tenant has no directory synchronization object. Default true. */
  groupWritebackFeature?: boolean | null;
  /** `onPremisesLastSyncDateTime` of the organization; default: one hour before start. */
  lastDirectorySyncDateTime?: string | null;
  /** Clock (ms since epoch), injectable so token ageing can be tested without waiting. */
  now?: () => number;
  /** Generator of synthetic groups; injectable so tests can count how many groups get built. */
  generate?: SyntheticGroupGenerator;
}

/** One change a delta round reports: the group's current state, or its removal. */
export interface GroupChange {
  id: string;
  group: GraphGroup | null;
  removedReason: RemovalReason | null;
}

interface BaseGroups {
  readonly count: number;
  idAt(position: number): string;
  groupAt(position: number): GraphGroup;
  positionOf(lowerId: string): number | undefined;
  memberCountAt(position: number): number;
}

interface OverlayEntry {
  position: number;
  /** Current state; null once deleted (a tombstone that keeps the position taken). */
  group: GraphGroup | null;
  removedReason: RemovalReason | null;
  memberCount: number;
}

function syntheticBase(count: number, seed: number, generate: SyntheticGroupGenerator): BaseGroups {
  return {
    count,
    idAt: (position) => syntheticGroupId(seed, position),
    groupAt: (position) => generate(seed, position),
    positionOf: (lowerId) => syntheticGroupIndex(seed, lowerId, count),
    memberCountAt: (position) => syntheticMemberCount(seed, position),
  };
}

function fixtureBase(groups: readonly GraphGroup[]): BaseGroups {
  const positions = new Map(groups.map((group, position) => [group.id.toLowerCase(), position]));
  const at = (position: number): GraphGroup => {
    const group = groups[position];
    if (!group) throw new RangeError(`no fixture group at position ${position}`);
    return group;
  };
  return {
    count: groups.length,
    idAt: (position) => at(position).id,
    groupAt: (position) => copyGroup(at(position)),
    positionOf: (lowerId) => positions.get(lowerId),
    memberCountAt: (position) => {
      const value = (at(position) as { memberCount?: unknown }).memberCount;
      return typeof value === 'number' ? value : 0;
    },
  };
}

/** Group.Unified values of a tenant that has saved the setting once (Graph "List settings" example). */
function groupUnifiedValues(writebackDefault: string): DirectorySetting['values'] {
  return [
    { name: 'EnableMIPLabels', value: 'false' },
    { name: 'CustomBlockedWordsList', value: '' },
    { name: 'EnableMSStandardBlockedWords', value: 'false' },
    { name: 'ClassificationDescriptions', value: '' },
    { name: 'DefaultClassification', value: '' },
    { name: 'PrefixSuffixNamingRequirement', value: '' },
    { name: 'AllowGuestsToBeGroupOwner', value: 'false' },
    { name: 'AllowGuestsToAccessGroups', value: 'true' },
    { name: 'GuestUsageGuidelinesUrl', value: '' },
    { name: 'GroupCreationAllowedGroupId', value: '' },
    { name: 'AllowToAddGuests', value: 'true' },
    { name: 'UsageGuidelinesUrl', value: '' },
    { name: 'ClassificationList', value: '' },
    { name: 'EnableGroupCreation', value: 'true' },
    { name: WRITEBACK_DEFAULT_SETTING_NAME, value: writebackDefault },
  ];
}

function isUnified(group: Partial<GraphGroup>): boolean {
  return Array.isArray(group.groupTypes) && group.groupTypes.some((t) => typeof t === 'string' && t.toLowerCase() === 'unified');
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function notFound(id: string): never {
  throw new EmulatorError('NotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
}

function invalidProperty(property: string): never {
  throw new EmulatorError('InvalidInput', `Invalid value specified for property '${property}' of resource 'Group'.`, { property });
}

export class EmulatedTenant {
  readonly tenantId: string;
  readonly seed: number;
  readonly now: () => number;

  private readonly base: BaseGroups;
  private readonly overlay = new Map<string, OverlayEntry>();
  /** Ids of groups created after start, in creation order; position = base.count + index. */
  private readonly createdIds: string[] = [];
  private liveCount: number;
  private idCounter = 0;
  private settingCounter = 0;

  /** Change log for delta: entry n (0-based) is the id changed by change sequence number n + 1. */
  private readonly changeLog: string[] = [];
  private readonly lastChange = new Map<string, number>();
  private epoch = 0;

  private settings: DirectorySetting[];
  /** Cloud Sync configurations (service principals, jobs, schemas, assignments): cloudSyncTenant.ts. */
  readonly cloudSync: EmulatedCloudSync;
  private writebackFeature: boolean | null;
  private lastSync: string | null;

  constructor(options: EmulatedTenantOptions = {}) {
    this.seed = (options.seed ?? 1) >>> 0;
    this.now = options.now ?? Date.now;
    this.cloudSync = new EmulatedCloudSync(this.now);
    const fixture = options.fixture;
    this.base = fixture
      ? fixtureBase(fixture.groups)
      : syntheticBase(Math.max(0, Math.floor(options.groups ?? 100)), this.seed, options.generate ?? syntheticGroup);
    this.liveCount = this.base.count;
    this.tenantId = (options.tenantId ?? this.newGuid(0x7e)).toLowerCase();
    const tenantDefault = options.tenantDefault === undefined ? 'true' : options.tenantDefault;
    this.settings = fixture?.settings
      ? fixture.settings.map((s) => ({ ...s, values: s.values.map((v) => ({ ...v })) }))
      : tenantDefault === null
        ? []
        : [this.groupUnifiedSetting(tenantDefault)];
    this.writebackFeature =
      fixture?.groupWritebackEnabled !== undefined ? fixture.groupWritebackEnabled : (options.groupWritebackFeature ?? true);
    this.lastSync =
      fixture?.onPremisesLastSyncDateTime !== undefined
        ? fixture.onPremisesLastSyncDateTime
        : options.lastDirectorySyncDateTime !== undefined
          ? options.lastDirectorySyncDateTime
          : isoSeconds(this.now() - 3_600_000);
  }

  // ---- groups -------------------------------------------------------------------------------

  /** Live groups (deleted ones excluded). O(1). */
  groupCount(): number {
    return this.liveCount;
  }

  /** Length of the stable order, tombstones included: positions run 0 .. positionCount() - 1. */
  positionCount(): number {
    return this.base.count + this.createdIds.length;
  }

  /**
   * The group at a position, or null for a tombstone or a position past the end. Returns the stored
   * object for overlay groups: callers must not mutate it (the HTTP layer only serialises it).
   */
  groupAtPosition(position: number): GraphGroup | null {
    if (position < 0 || position >= this.positionCount()) return null;
    if (position < this.base.count) {
      if (this.overlay.size > 0) {
        const entry = this.overlay.get(this.base.idAt(position).toLowerCase());
        if (entry) return entry.group;
      }
      return this.base.groupAt(position);
    }
    const id = this.createdIds[position - this.base.count];
    return id === undefined ? null : (this.overlay.get(id)?.group ?? null);
  }

  /**
   * Up to `limit` live groups starting at `start`, looking at no more than `scanLimit` positions
   * (tombstones cost a look but yield nothing). O(positions looked at), never O(tenant).
   */
  readPage(start: number, limit: number, scanLimit = Number.POSITIVE_INFINITY): { groups: GraphGroup[]; next: number } {
    const end = this.positionCount();
    const groups: GraphGroup[] = [];
    let position = Math.max(0, start);
    let looked = 0;
    while (position < end && groups.length < limit && looked < scanLimit) {
      const group = this.groupAtPosition(position);
      if (group) groups.push(group);
      position++;
      looked++;
    }
    return { groups, next: position };
  }

  /** Every live group in the stable order, generated lazily (copies: safe to mutate). */
  *allGroups(): Iterable<GraphGroup> {
    const end = this.positionCount();
    for (let position = 0; position < end; position++) {
      const group = this.groupAtPosition(position);
      if (!group) continue;
      // Base groups are built fresh on every read; only overlay groups are shared and need a copy.
      yield this.overlay.get(group.id.toLowerCase()) ? copyGroup(group) : group;
    }
  }

  hasGroup(id: string): boolean {
    return this.findGroup(id) !== null;
  }

  /** A copy of the group, or undefined when it does not exist (or was deleted). */
  getGroup(id: string): GraphGroup | undefined {
    const found = this.findGroup(id);
    return found ? copyGroup(found) : undefined;
  }

  /**
   * Creates a group the way `POST /groups` does: assigns an id (unless given), createdDateTime and
   * defaults, and applies NewUnifiedGroupWritebackDefault: when the tenant setting is false, a new
   * Microsoft 365 group is created with writebackConfiguration.isEnabled=false stamped (Graph beta
   * groupWritebackConfiguration resource; it never changes existing groups).
   */
  createGroup(partial: Partial<GraphGroup> = {}): GraphGroup {
    const id = (partial.id ?? this.newGroupId()).toLowerCase();
    if (this.findGroup(id) !== null || this.overlay.has(id)) {
      throw new EmulatorError('Conflict', `A group with id ${id} already exists.`, { id });
    }
    const created = isoSeconds(this.now());
    const mailEnabled = partial.mailEnabled ?? false;
    const nickname = partial.mailNickname ?? null;
    const mail = partial.mail ?? (mailEnabled && nickname ? `${nickname}@${SYNTHETIC_MAIL_DOMAIN}` : null);
    const requested = partial.writebackConfiguration ?? null;
    let isEnabled = requested?.isEnabled ?? null;
    if (requested?.isEnabled === undefined && isUnified(partial) && this.tenantWritebackDefault() === false) isEnabled = false;
    const group: GraphGroup = {
      deletedDateTime: null,
      classification: null,
      createdDateTime: created,
      description: null,
      displayName: null,
      expirationDateTime: null,
      groupTypes: [],
      isAssignableToRole: null,
      mail,
      mailEnabled,
      mailNickname: nickname,
      membershipRule: null,
      membershipRuleProcessingState: null,
      onPremisesLastSyncDateTime: null,
      onPremisesSecurityIdentifier: null,
      onPremisesSyncEnabled: null,
      preferredDataLocation: null,
      proxyAddresses: mail ? [`SMTP:${mail}`] : [],
      renewedDateTime: created,
      resourceBehaviorOptions: [],
      resourceProvisioningOptions: [],
      securityEnabled: false,
      theme: null,
      visibility: isUnified(partial) ? 'Public' : null,
      ...copyGroup({ ...partial, id }),
      id,
      writebackConfiguration: { isEnabled, onPremisesGroupType: requested?.onPremisesGroupType ?? null },
    };
    const position = this.positionCount();
    this.createdIds.push(id);
    this.overlay.set(id, { position, group, removedReason: null, memberCount: 0 });
    this.liveCount++;
    this.recordChange(id);
    return copyGroup(group);
  }

  /**
   * Merges `patch` into the group like `PATCH /groups/{id}` (nested writebackConfiguration merged).
   * Refuses to set writebackConfiguration.onPremisesGroupType back to null once it has a value, as
   * Graph does (msgraph-metadata issue 332), and values outside the three documented types.
   */
  updateGroup(id: string, patch: Partial<GraphGroup>): GraphGroup {
    const current = this.findGroup(id);
    if (!current) notFound(id);
    const next: GraphGroup = { ...copyGroup(current), ...copyGroup({ ...patch, id: current.id }) };
    next.id = current.id;
    if (patch.writebackConfiguration !== undefined) {
      const requested = patch.writebackConfiguration;
      if (requested === null || typeof requested !== 'object') invalidProperty('writebackConfiguration');
      const before = current.writebackConfiguration ?? { isEnabled: null, onPremisesGroupType: null };
      const type = requested.onPremisesGroupType;
      if (type === null && before.onPremisesGroupType) invalidProperty('onPremisesGroupType');
      if (typeof type === 'string' && !isKnownOnPremisesGroupType(type)) invalidProperty('onPremisesGroupType');
      if (requested.isEnabled !== undefined && requested.isEnabled !== null && typeof requested.isEnabled !== 'boolean') {
        invalidProperty('isEnabled');
      }
      next.writebackConfiguration = {
        isEnabled: requested.isEnabled !== undefined ? requested.isEnabled : (before.isEnabled ?? null),
        onPremisesGroupType: type !== undefined ? type : (before.onPremisesGroupType ?? null),
      };
    }
    this.store(current, next);
    return copyGroup(next);
  }

  /** Deletes a group; its position stays taken. Delta reports it as removed with `reason`. */
  deleteGroup(id: string, options: { reason?: RemovalReason } = {}): void {
    const current = this.findGroup(id);
    if (!current) notFound(id);
    const lowerId = current.id.toLowerCase();
    const entry = this.entryFor(current);
    this.overlay.set(lowerId, { ...entry, group: null, removedReason: options.reason ?? 'deleted' });
    this.liveCount--;
    this.recordChange(lowerId);
  }

  /** Member count served by `/groups/{id}/members/$count`; undefined for a missing group. */
  memberCount(id: string): number | undefined {
    const group = this.findGroup(id);
    if (!group) return undefined;
    const entry = this.overlay.get(group.id.toLowerCase());
    if (entry) return entry.memberCount;
    const position = this.base.positionOf(group.id.toLowerCase());
    return position === undefined ? 0 : this.base.memberCountAt(position);
  }

  setMemberCount(id: string, count: number): void {
    const current = this.findGroup(id);
    if (!current) notFound(id);
    const entry = this.entryFor(current);
    this.overlay.set(current.id.toLowerCase(), { ...entry, memberCount: Math.max(0, Math.floor(count)) });
  }

  // ---- delta ----------------------------------------------------------------------------------

  /** Current change sequence number: how many group changes happened since start. */
  changeSequence(): number {
    return this.changeLog.length;
  }

  /** Tokens carry this; bumping it (expireDeltaTokens) makes every outstanding delta token invalid. */
  deltaEpoch(): number {
    return this.epoch;
  }

  /** Invalidates every delta token issued so far, as a tenant maintenance or migration does. */
  expireDeltaTokens(): void {
    this.epoch++;
  }

  /**
   * Changes with sequence in (cursor, upTo], at most `limit`, each group once at its latest change.
   * A group changed again after `upTo` is left for the next round (which will report its newest
   * state), so a round never reports a state newer than its own deltaLink claims.
   */
  changesBetween(cursor: number, upTo: number, limit: number): { changes: GroupChange[]; next: number } {
    const changes: GroupChange[] = [];
    let seq = Math.max(0, cursor);
    const last = Math.min(upTo, this.changeLog.length);
    while (seq < last && changes.length < limit) {
      seq++;
      const id = this.changeLog[seq - 1];
      if (id === undefined || this.lastChange.get(id) !== seq) continue;
      const entry = this.overlay.get(id);
      if (!entry) continue;
      changes.push({ id: entry.group?.id ?? id, group: entry.group, removedReason: entry.group ? null : entry.removedReason });
    }
    return { changes, next: seq };
  }

  // ---- tenant settings and signals -------------------------------------------------------------

  listSettings(): DirectorySetting[] {
    return this.settings.map((s) => ({ ...s, values: s.values.map((v) => ({ ...v })) }));
  }

  getSetting(id: string): DirectorySetting | undefined {
    return this.listSettings().find((s) => s.id.toLowerCase() === id.toLowerCase());
  }

  createSetting(input: { templateId: string; displayName?: string | null; values?: DirectorySetting['values'] }): DirectorySetting {
    const templateId = input.templateId.toLowerCase();
    if (this.settings.some((s) => s.templateId?.toLowerCase() === templateId)) {
      throw new EmulatorError(
        'Conflict',
        'A conflicting object with one or more of the specified property values is present in the directory.',
        { templateId },
      );
    }
    const isGroupUnified = templateId === GROUP_UNIFIED_TEMPLATE_ID;
    const setting: DirectorySetting = {
      id: this.newSettingId(),
      displayName: input.displayName ?? (isGroupUnified ? 'Group.Unified' : null),
      templateId,
      values: (input.values ?? []).map((v) => ({ name: v.name, value: String(v.value) })),
    };
    this.settings.push(setting);
    return { ...setting, values: setting.values.map((v) => ({ ...v })) };
  }

  /** Replaces the values of a setting (Graph PATCH /settings/{id} sends the whole values list). */
  updateSetting(id: string, input: { values?: DirectorySetting['values']; displayName?: string | null }): DirectorySetting {
    const setting = this.settings.find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!setting) notFound(id);
    if (input.values) setting.values = input.values.map((v) => ({ name: v.name, value: String(v.value) }));
    if (input.displayName !== undefined) setting.displayName = input.displayName;
    return { ...setting, values: setting.values.map((v) => ({ ...v })) };
  }

  deleteSetting(id: string): void {
    const index = this.settings.findIndex((s) => s.id.toLowerCase() === id.toLowerCase());
    if (index < 0) notFound(id);
    this.settings.splice(index, 1);
  }

  /**
   * Sets NewUnifiedGroupWritebackDefault to the given string (kept verbatim, e.g. "False"), creating
   * the Group.Unified setting if needed; null removes the whole Group.Unified setting.
   */
  setTenantDefault(value: string | null): void {
    const existing = this.groupUnified();
    if (value === null) {
      if (existing) this.settings = this.settings.filter((s) => s !== existing);
      return;
    }
    if (!existing) {
      this.settings.push(this.groupUnifiedSetting(value));
      return;
    }
    const entry = existing.values.find((v) => v.name.toLowerCase() === WRITEBACK_DEFAULT_SETTING_NAME.toLowerCase());
    if (entry) entry.value = value;
    else existing.values.push({ name: WRITEBACK_DEFAULT_SETTING_NAME, value });
  }

  /** The raw NewUnifiedGroupWritebackDefault string, or null when the setting or its entry is missing. */
  tenantDefault(): string | null {
    const entry = this.groupUnified()?.values.find(
      (v) => v.name.toLowerCase() === WRITEBACK_DEFAULT_SETTING_NAME.toLowerCase(),
    );
    return entry ? entry.value : null;
  }

  /** `features.groupWriteBackEnabled`; null = no onPremisesSynchronization object. */
  setGroupWritebackFeature(enabled: boolean | null): void {
    this.writebackFeature = enabled;
  }

  groupWritebackFeature(): boolean | null {
    return this.writebackFeature;
  }

  setLastDirectorySync(value: string | null): void {
    this.lastSync = value;
  }

  lastDirectorySync(): string | null {
    return this.lastSync;
  }

  // ---- internals ------------------------------------------------------------------------------

  private tenantWritebackDefault(): boolean {
    const raw = this.tenantDefault();
    // A missing setting, a missing entry or an empty value all mean true (domain rules §4).
    return raw === null || raw.trim() === '' || raw.trim().toLowerCase() !== 'false';
  }

  private groupUnified(): DirectorySetting | undefined {
    return this.settings.find(
      (s) => s.templateId?.toLowerCase() === GROUP_UNIFIED_TEMPLATE_ID || s.displayName === 'Group.Unified',
    );
  }

  private groupUnifiedSetting(writebackDefault: string): DirectorySetting {
    return {
      id: this.newSettingId(),
      displayName: 'Group.Unified',
      templateId: GROUP_UNIFIED_TEMPLATE_ID,
      values: groupUnifiedValues(writebackDefault),
    };
  }

  /** The stored (not copied) live group, or null. */
  private findGroup(id: string): GraphGroup | null {
    const lowerId = id.toLowerCase();
    const entry = this.overlay.get(lowerId);
    if (entry) return entry.group;
    const position = this.base.positionOf(lowerId);
    return position === undefined ? null : this.base.groupAt(position);
  }

  private entryFor(group: GraphGroup): OverlayEntry {
    const lowerId = group.id.toLowerCase();
    const existing = this.overlay.get(lowerId);
    if (existing) return existing;
    const position = this.base.positionOf(lowerId);
    if (position === undefined) throw new Error(`group ${group.id} has no position`);
    return { position, group, removedReason: null, memberCount: this.base.memberCountAt(position) };
  }

  private store(current: GraphGroup, next: GraphGroup): void {
    const lowerId = current.id.toLowerCase();
    this.overlay.set(lowerId, { ...this.entryFor(current), group: next });
    this.recordChange(lowerId);
  }

  private recordChange(lowerId: string): void {
    this.changeLog.push(lowerId);
    this.lastChange.set(lowerId, this.changeLog.length);
  }

  private newGuid(salt: number): string {
    return formatGuid(hash32(this.seed, salt, 0x11), hash32(this.seed, salt, 0x22), hash32(this.seed, salt, 0x33), mix32(salt));
  }

  private newSettingId(): string {
    this.settingCounter++;
    return this.newGuid(0x100 + this.settingCounter);
  }

  private newGroupId(): string {
    for (;;) {
      this.idCounter++;
      const n = this.idCounter;
      const id = formatGuid(hash32(this.seed, n, 0x51), hash32(this.seed, n, 0x52), hash32(this.seed, n, 0x53), hash32(this.seed, n, 0x54));
      if (!this.overlay.has(id) && this.findGroup(id) === null) return id;
    }
  }
}
