/**
 * Reads a tenant's groups and writeback context from Graph beta. Groups arrive page by page (an async
 * iterable), so a 500,000-group tenant is never in memory at once; the caller can checkpoint the link of the
 * next page and resume from it.
 */
import type { GraphGroup, TenantContext } from '../model';
import { GraphRequestError, isGraphStatus } from './graphError';
import type { GraphTransport } from './graphTransport';

/** Explicit $select: beta returns writebackConfiguration only when asked, and smaller pages page faster. */
export const GROUP_SELECT = [
  'id',
  'displayName',
  'description',
  'mailNickname',
  'groupTypes',
  'securityEnabled',
  'mailEnabled',
  'mail',
  'visibility',
  'isAssignableToRole',
  'resourceProvisioningOptions',
  'onPremisesSyncEnabled',
  'createdDateTime',
  'writebackConfiguration',
] as const;

/** Group.Unified directory setting template (Graph docs: group settings templates). */
export const GROUP_UNIFIED_TEMPLATE_ID = '62375ab9-6b52-47ed-826b-58e47e0e304b';

export interface GroupPage {
  groups: GraphGroup[];
  /** Link to the page after this one, or null when this was the last page. */
  nextLink: string | null;
}

interface ODataPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** A request for one page of groups (listGroupPages). */
interface PageRequest {
  link: string;
  number: number;
  page: Promise<ODataPage<GraphGroup>>;
  /** The generator is waiting for this page, so its next page may be requested as soon as the body is in. */
  waitedFor: boolean;
  /** The next link read from the start of the body, once it arrived (null: none there). */
  nextLink?: string | null;
}

/** `{"@odata.context":"…","@odata.nextLink":"…"`: the top-level next link when Graph writes it first, as it does. */
const LEADING_NEXT_LINK = /^\s*\{\s*(?:"@odata\.context"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*)?"@odata\.nextLink"\s*:\s*("(?:[^"\\]|\\.)*")/;

/** The next link at the start of a page's body, without parsing the rest; null if it is not there. */
export function leadingNextLink(text: string): string | null {
  const match = LEADING_NEXT_LINK.exec(text.slice(0, 4096));
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as string;
  } catch {
    return null;
  }
}

/** One page of a delta round: groups added or changed (full selected state) and ids removed. */
export interface DeltaPage {
  changed: GraphGroup[];
  removed: string[];
  /** Set on the last page: where the next round starts. */
  deltaLink: string | null;
}

/** Graph no longer knows the delta token (410 syncStateNotFound / resyncRequired): a full scan is needed. */
export class DeltaTokenExpiredError extends GraphRequestError {
  constructor(message: string, graphCode: string | null, cause?: unknown) {
    super('GraphDeltaTokenExpired', message, { statusCode: 410, graphCode }, { cause });
    this.name = 'DeltaTokenExpiredError';
  }
}

type DeltaItem = GraphGroup & { '@removed'?: { reason?: string } };

/** Delta pages hold up to this many items if the service allows (Graph may cap lower). */
const DELTA_MAX_PAGE_SIZE = 999;

interface DirectorySetting {
  id?: string;
  displayName?: string | null;
  templateId?: string | null;
  values?: { name?: string | null; value?: string | null }[] | null;
}

export class GraphGroupReader {
  constructor(
    private readonly transport: GraphTransport,
    private readonly options: { pageSize: number },
  ) {}

  firstPageLink(): string {
    return `/groups?$select=${GROUP_SELECT.join(',')}&$top=${this.options.pageSize}`;
  }

  /**
   * Pages from `fromLink` (a checkpointed nextLink) or from the start. Empty pages are yielded too.
   *
   * Paging is sequential (each page names the next), so whatever happens between a page's arrival and the next
   * request adds to every page. Graph writes `@odata.nextLink` at the start of the body, so the next page is
   * requested as soon as the body of the page being waited for is in, before its megabyte of JSON is parsed;
   * never more than that one page ahead. A link read early that the parsed page contradicts is dropped.
   */
  async *listGroupPages(options: { fromLink?: string | null; signal?: AbortSignal } = {}): AsyncGenerator<GroupPage> {
    let link: string | null = options.fromLink ?? this.firstPageLink();
    let pageNumber = 0;
    /** The page requested ahead, if any (a holder: the callbacks below change it). */
    const next: { ahead: PageRequest | null } = { ahead: null };
    const start = (target: string, number: number): PageRequest => {
      const request: PageRequest = { link: target, number, waitedFor: false, page: Promise.resolve({}) };
      request.page = this.transport.getJson<ODataPage<GraphGroup>>(target, `Reading page ${number} of groups`, {
        signal: options.signal,
        onBody: (text) => {
          request.nextLink = leadingNextLink(text);
          if (request.waitedFor) requestAhead(request);
        },
      });
      request.page.catch(() => undefined); // awaited when its turn comes; dropped if the scan stops first
      return request;
    };
    const requestAhead = (request: PageRequest): void => {
      if (request.nextLink && next.ahead?.link !== request.nextLink) next.ahead = start(request.nextLink, request.number + 1);
    };
    while (link) {
      pageNumber += 1;
      const request: PageRequest = next.ahead?.link === link ? next.ahead : start(link, pageNumber);
      next.ahead = null;
      request.waitedFor = true;
      if (request.nextLink !== undefined) requestAhead(request);
      const page = await request.page;
      if (!Array.isArray(page.value)) {
        throw new GraphRequestError('GraphRequestFailed', `Page ${pageNumber} of groups has no "value" array; Graph's answer is not a group list.`);
      }
      link = page['@odata.nextLink'] ?? null;
      yield { groups: page.value.filter(hasId), nextLink: link };
    }
  }

  /**
   * Graph's count of the tenant's groups, for a progress estimate: `$count=true` on the group list, which
   * Graph answers only with `ConsistencyLevel: eventual` (an advanced query, docs "Advanced query capabilities
   * on Microsoft Entra ID objects"), so the figure may trail recent changes. Asked separately with `$top=1`
   * rather than on the scan's own pages, which stay plain queries. Null when Graph gives no count.
   */
  async estimateGroupCount(signal?: AbortSignal): Promise<number | null> {
    const page = await this.transport.getJson<ODataPage<GraphGroup> & { '@odata.count'?: unknown }>(
      '/groups?$select=id&$top=1&$count=true',
      'Counting groups for the progress estimate',
      { headers: { ConsistencyLevel: 'eventual' }, signal },
    );
    const count = page['@odata.count'];
    return typeof count === 'number' && Number.isFinite(count) && count >= 0 ? count : null;
  }

  /**
   * A delta link for "from now on", without reading the tenant (`$deltatoken=latest`). Taken before a full
   * scan pages, so changes made while it runs are read again by the next delta round (re-applying is harmless).
   */
  async latestDeltaLink(signal?: AbortSignal): Promise<string> {
    const page = await this.transport.getJson<ODataPage<DeltaItem>>(
      `/groups/delta?$select=${GROUP_SELECT.join(',')}&$deltatoken=latest`,
      'Getting a delta link for later scans',
      { signal },
    );
    const link = page['@odata.deltaLink'];
    if (!link) throw new GraphRequestError('GraphRequestFailed', 'Graph answered $deltatoken=latest without an @odata.deltaLink.');
    return link;
  }

  /** The changes since `deltaLink`, page by page. Throws DeltaTokenExpiredError when Graph forgot the token. */
  async *readDelta(deltaLink: string, signal?: AbortSignal): AsyncGenerator<DeltaPage> {
    let link: string | null = deltaLink;
    let pageNumber = 0;
    while (link) {
      pageNumber += 1;
      let page: ODataPage<DeltaItem>;
      try {
        page = await this.transport.getJson<ODataPage<DeltaItem>>(link, `Reading page ${pageNumber} of group changes (delta)`, {
          headers: { Prefer: `odata.maxpagesize=${DELTA_MAX_PAGE_SIZE}` },
          signal,
        });
      } catch (error) {
        if (isGraphStatus(error, 410)) {
          throw new DeltaTokenExpiredError(`Graph no longer knows the delta token (${error.graphCode ?? 'HTTP 410'}); a full scan runs instead.`, error.graphCode, error);
        }
        throw error;
      }
      if (!Array.isArray(page.value)) {
        throw new GraphRequestError('GraphRequestFailed', `Page ${pageNumber} of group changes has no "value" array.`);
      }
      const changed: GraphGroup[] = [];
      const removed: string[] = [];
      for (const item of page.value.filter(hasId)) (item['@removed'] ? removed.push(item.id) : changed.push(item));
      link = page['@odata.nextLink'] ?? null;
      const next = page['@odata.deltaLink'] ?? null;
      if (!link && !next) throw new GraphRequestError('GraphRequestFailed', `Page ${pageNumber} of group changes has neither a nextLink nor a deltaLink.`);
      yield { changed, removed, deltaLink: link ? null : next };
    }
  }

  /** One group with the scan's $select, or null when it no longer exists. */
  async readGroup(groupId: string, signal?: AbortSignal): Promise<GraphGroup | null> {
    try {
      return await this.transport.getJson<GraphGroup>(`/groups/${encodeURIComponent(groupId)}?$select=${GROUP_SELECT.join(',')}`, `Reading group ${groupId}`, { signal });
    } catch (error) {
      if (isGraphStatus(error, 404)) return null;
      throw error;
    }
  }

  /**
   * Tenant-wide writeback context (Cloud Sync is read apart, by CloudSyncReader). The optional signals become
   * null when their permission is missing.
   */
  async readTenantContext(signal?: AbortSignal): Promise<Omit<TenantContext, 'cloudSync'>> {
    const unified = await this.readGroupUnifiedSetting(signal);
    const [feature, lastSync] = await Promise.all([this.readWritebackFeatureFlag(signal), this.readLastDirectorySync(signal)]);
    return { ...unified, ...feature, lastDirectorySyncDateTime: lastSync };
  }

  async countMembers(groupId: string, signal?: AbortSignal): Promise<number | null> {
    const text = await this.optional(
      this.transport.getText(`/groups/${encodeURIComponent(groupId)}/members/$count`, `Counting members of group ${groupId}`, {
        headers: { ConsistencyLevel: 'eventual' },
        signal,
      }),
    );
    if (text === null) return null;
    const count = Number(text.trim());
    return Number.isFinite(count) ? count : null;
  }

  private async readGroupUnifiedSetting(signal?: AbortSignal): Promise<Pick<TenantContext, 'newUnifiedGroupWritebackDefault' | 'newUnifiedGroupWritebackDefaultRaw' | 'newUnifiedGroupWritebackDefaultSource'>> {
    // /settings has no documented $filter: read them all (a handful) and pick Group.Unified.
    let link: string | null = '/settings';
    let setting: DirectorySetting | undefined;
    while (link && !setting) {
      const page: ODataPage<DirectorySetting> = await this.transport.getJson<ODataPage<DirectorySetting>>(link, 'Reading directory settings', { signal });
      setting = (page.value ?? []).find(
        (s) => s.templateId?.toLowerCase() === GROUP_UNIFIED_TEMPLATE_ID || s.displayName?.toLowerCase() === 'group.unified',
      );
      link = page['@odata.nextLink'] ?? null;
    }
    return parseNewUnifiedGroupWritebackDefault(setting);
  }

  /**
   * Microsoft documents GET /directory/onPremisesSynchronization for delegated callers only (application
   * permissions "not supported"), so an app-only scan normally gets 403. It still asks, as a tenant may answer,
   * and records why the flags are unknown when it does not.
   */
  private async readWritebackFeatureFlag(signal?: AbortSignal): Promise<Pick<TenantContext, 'groupWritebackFeatureEnabled' | 'groupWritebackFeatureUnknownReason'>> {
    let status: number | undefined;
    const page = await this.optional(
      this.transport.getJson<ODataPage<{ features?: { groupWriteBackEnabled?: boolean | null } }>>(
        '/directory/onPremisesSynchronization',
        'Reading the tenant writeback feature flag',
        { signal },
      ),
      (refusedWith) => (status = refusedWith),
    );
    const value = page?.value?.[0]?.features?.groupWriteBackEnabled;
    if (typeof value === 'boolean') return { groupWritebackFeatureEnabled: value, groupWritebackFeatureUnknownReason: null };
    const reason =
      status === 403
        ? "Graph refused GET /directory/onPremisesSynchronization (HTTP 403): Microsoft serves the tenant's writeback feature flags to delegated callers (a Global Administrator) only, never to an app-only scan. Which Connect Sync group writeback version runs is therefore stated in WRITEBACK_ENGINES."
        : status === 404 || page
          ? 'The tenant has no directory synchronization object (Connect Sync never ran), so it has no writeback feature flags.'
          : 'The writeback feature flags were not read.';
    return { groupWritebackFeatureEnabled: null, groupWritebackFeatureUnknownReason: reason };
  }

  private async readLastDirectorySync(signal?: AbortSignal): Promise<string | null> {
    const page = await this.optional(
      this.transport.getJson<ODataPage<{ onPremisesLastSyncDateTime?: string | null }>>(
        '/organization?$select=id,onPremisesLastSyncDateTime',
        'Reading the last directory sync time',
        { signal },
      ),
    );
    return page?.value?.[0]?.onPremisesLastSyncDateTime ?? null;
  }

  /** Optional signals: a missing permission (403) or absent resource (404) means "unknown", never a failed scan. */
  private async optional<T>(request: Promise<T>, onMissing?: (status: number) => void): Promise<T | null> {
    try {
      return await request;
    } catch (error) {
      if (isGraphStatus(error, 403) || isGraphStatus(error, 404)) {
        onMissing?.(error.statusCode ?? 0);
        return null;
      }
      throw error;
    }
  }
}

function hasId(group: GraphGroup): boolean {
  return typeof group?.id === 'string' && group.id.length > 0;
}

/**
 * NewUnifiedGroupWritebackDefault is a string ("false", "True"); a missing setting, entry or empty value all
 * mean true (Graph group settings docs).
 */
export function parseNewUnifiedGroupWritebackDefault(
  setting: DirectorySetting | undefined,
): Pick<TenantContext, 'newUnifiedGroupWritebackDefault' | 'newUnifiedGroupWritebackDefaultRaw' | 'newUnifiedGroupWritebackDefaultSource'> {
  if (!setting) return { newUnifiedGroupWritebackDefault: true, newUnifiedGroupWritebackDefaultRaw: null, newUnifiedGroupWritebackDefaultSource: 'settingMissing' };
  const entry = (setting.values ?? []).find((v) => v.name?.toLowerCase() === 'newunifiedgroupwritebackdefault');
  if (!entry) return { newUnifiedGroupWritebackDefault: true, newUnifiedGroupWritebackDefaultRaw: null, newUnifiedGroupWritebackDefaultSource: 'entryMissing' };
  const raw = entry.value ?? '';
  if (raw.trim() === '') return { newUnifiedGroupWritebackDefault: true, newUnifiedGroupWritebackDefaultRaw: raw, newUnifiedGroupWritebackDefaultSource: 'emptyValue' };
  return {
    newUnifiedGroupWritebackDefault: raw.trim().toLowerCase() !== 'false',
    newUnifiedGroupWritebackDefaultRaw: raw,
    newUnifiedGroupWritebackDefaultSource: 'setting',
  };
}
