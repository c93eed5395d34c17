/**
 * `GET /beta/groups/delta` (Graph "group: delta", "Use delta query to track changes"):
 * - the initial round pages through every current group (selected properties) with `@odata.nextLink`
 *   and ends with an `@odata.deltaLink`; query options are given once and carried in the tokens;
 * - a round started from a deltaLink returns only groups changed since that link (their full selected
 *   state) and removed ones as `{ id, "@removed": { reason } }`;
 * - `$deltatoken=latest` returns no data, only a deltaLink from now;
 * - a token older than the configured age answers 410 `syncStateNotFound`; after
 *   `tenant.expireDeltaTokens()` (tenant maintenance) every outstanding token answers 410
 *   `resyncRequired`. Both carry a Location header with a fresh initial request, as Graph documents.
 */
import { projectGroup } from './groupShape';
import { badRequest, graphError, isResponse, parseSelect, readQueryOptions, type EmulatorResponse } from './odata';
import { header, type RequestContext } from './requestContext';
import { decodeDeltaPageToken, decodeDeltaToken, encodeToken, type DeltaPageToken } from './tokens';

function initialLink(ctx: RequestContext, select: string[] | null): string {
  const params: [string, string][] = [];
  if (select) params.push(['$select', select.filter((name) => name !== 'id').join(',') || 'id']);
  params.push(['$deltatoken', '']);
  return ctx.links.link('groups/delta', params);
}

function resync(ctx: RequestContext, select: string[] | null, code: 'syncStateNotFound' | 'resyncRequired'): EmulatorResponse {
  const message =
    code === 'syncStateNotFound'
      ? 'The sync state generation is not found. The delta token is expired and data must be synchronized again.'
      : 'The delta token is no longer valid, and the app must reset the sync state.';
  return graphError(410, code, message, { Location: initialLink(ctx, select) });
}

export function groupDelta(ctx: RequestContext): EmulatorResponse {
  const options = readQueryOptions(ctx.url);
  if (options.has('filter')) return badRequest('This emulator does not support $filter on delta queries.');
  const skiptoken = options.get('skiptoken');
  const deltatoken = options.get('deltatoken');
  const tenant = ctx.tenant;

  let round: DeltaPageToken;
  if (skiptoken !== undefined) {
    const token = decodeDeltaPageToken(skiptoken);
    if (!token) return badRequest('The specified delta skip token is invalid.');
    if (token.ep !== tenant.deltaEpoch()) return resync(ctx, token.sel, 'resyncRequired');
    round = token;
  } else {
    // $select may be given on the initial request, or on a deltaLink to change what is tracked.
    const select = parseSelect(options.get('select'));
    if (isResponse(select)) return select;
    if (deltatoken === undefined || deltatoken === '') {
      round = { k: 'dp', ph: 'i', cur: 0, to: tenant.changeSequence(), sel: select, ep: tenant.deltaEpoch() };
    } else if (deltatoken.toLowerCase() === 'latest') {
      return finish(ctx, tenant.changeSequence(), select, []);
    } else {
      const token = decodeDeltaToken(deltatoken);
      if (!token) return badRequest('The specified delta token is invalid.');
      const effectiveSelect = select ?? token.sel;
      if (token.ep !== tenant.deltaEpoch()) return resync(ctx, effectiveSelect, 'resyncRequired');
      if (tenant.now() - token.at > ctx.settings.deltaTokenMaxAgeMs) return resync(ctx, effectiveSelect, 'syncStateNotFound');
      round = { k: 'dp', ph: 'c', cur: token.seq, to: tenant.changeSequence(), sel: effectiveSelect, ep: token.ep };
    }
  }

  // `Prefer: odata.maxpagesize=N` can only make pages smaller than the service's own page size.
  const preferred = /odata\.maxpagesize=(\d+)/i.exec(header(ctx.headers, 'prefer') ?? '');
  const pageSize = Math.max(1, Math.min(ctx.settings.deltaPageSize, preferred ? Number(preferred[1]) : Infinity));
  const value: Record<string, unknown>[] = [];
  let next: number;
  let done: boolean;
  if (round.ph === 'i') {
    const page = tenant.readPage(round.cur, pageSize, ctx.settings.pageScanLimit);
    for (const group of page.groups) value.push(projectGroup(group, round.sel));
    next = page.next;
    done = next >= tenant.positionCount();
  } else {
    const page = tenant.changesBetween(round.cur, round.to, pageSize);
    for (const change of page.changes) {
      value.push(
        change.group
          ? omit(projectGroup(change.group, round.sel), ctx.settings.deltaOmitFromChanges)
          : { id: change.id, '@removed': { reason: change.removedReason ?? 'deleted' } },
      );
    }
    next = page.next;
    done = next >= Math.min(round.to, tenant.changeSequence());
  }

  if (done) return finish(ctx, round.to, round.sel, value);
  return {
    status: 200,
    json: {
      '@odata.context': ctx.links.context('groups'),
      '@odata.nextLink': ctx.links.link('groups/delta', [['$skiptoken', encodeToken({ ...round, cur: next })]]),
      value,
    },
    page: { kind: 'delta', items: value.length },
  };
}

function finish(ctx: RequestContext, seq: number, select: string[] | null, value: Record<string, unknown>[]): EmulatorResponse {
  const token = encodeToken({ k: 'dt', seq, sel: select, ep: ctx.tenant.deltaEpoch(), at: ctx.tenant.now() });
  return {
    status: 200,
    json: {
      '@odata.context': ctx.links.context('groups'),
      '@odata.deltaLink': ctx.links.link('groups/delta', [['$deltatoken', token]]),
      value,
    },
    page: { kind: 'delta', items: value.length },
  };
}

function omit(group: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  for (const name of names) if (name !== 'id') delete group[name];
  return group;
}
