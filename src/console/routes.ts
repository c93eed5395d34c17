/**
 * The console's JSON routes (/api/console/api/...). They read like the function-key API and reuse its
 * handlers where the answer is the same (one scan, the Excel reports, a group's history); lists are paged
 * and filtered here so the browser never receives a whole tenant. Writes record the signed-in principal.
 */
import type { Services } from '../app/services';
import { WritebackWatchError } from '../errors';
import { BUCKETS, GROUP_KINDS } from '../classify/vocabulary';
import { FINDINGS, FINDING_NAMES } from '../classify/findings';
import { CHANGE_TYPES } from '../diff/compareGroups';
import { alertRuleById, isAlertRuleId } from '../alerts/rules';
import { isLive } from '../alerts/approvals';
import { requireCompleteScan } from '../store/scanStore';
import { assertScanId } from '../store/scanIds';
import { enumParam, intParam, invalid, type ApiRequest, type ApiResponse } from '../api/http';
import { scanView } from '../api/scanViews';
import { getScanReport } from '../api/scanRoutes';
import { getDiffReport, getGroupHistory } from '../api/diffRoutes';
import type { Principal } from '../auth/principal';
import type { ChangeType, WritebackEngine } from '../model';
import type { AlertStatus, StoredAlert } from '../alerts/alertStore';
import { principalLabel, principalView } from './security';
import { ENGINE_VERDICTS, readGroupPage } from './groupPage';

const ENGINES = ['connectSyncV2', 'connectSyncV1', 'cloudSync'] as const satisfies readonly WritebackEngine[];
import { readDiffPage } from './diffPage';
import * as records from './records';

/** Rows one group page reads at most (a few seconds of Table Storage at worst). */
export const MAX_EXAMINED_ROWS = 20_000;
const SEARCH_MAX = 200;

async function readJson(request: ApiRequest, shape: string): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw invalid(`The body must be JSON: ${shape}.`);
  }
}

export async function me(services: Services, _request: ApiRequest, principal: Principal): Promise<ApiResponse> {
  return { status: 200, jsonBody: { principal: principalView(principal), tenantId: services.settings.tenantId } };
}

export async function listScans(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const top = intParam(request.query, 'top', 20, 1, 100);
  const status = enumParam(request.query, 'status', ['running', 'complete', 'failed'] as const);
  const before = request.query.get('before');
  const scans = [];
  for await (const scan of services.scans.list(services.settings.tenantId, { status, before: before ? assertScanId(before) : undefined, top: top + 1 })) {
    scans.push(scan);
  }
  const page = scans.slice(0, top);
  return {
    status: 200,
    jsonBody: {
      scans: page.map((scan) => ({ ...scanView(scan), durationMs: scan.finishedAt ? scan.finishedAt.getTime() - scan.startedAt.getTime() : null })),
      nextBefore: scans.length > top ? page[page.length - 1]!.id : null,
    },
  };
}

export async function getScan(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const scan = await services.scans.resolve(services.settings.tenantId, request.params.scanId);
  const previous = scan.status === 'complete' ? await services.scans.previousComplete(services.settings.tenantId, scan.id) : null;
  const findings = FINDING_NAMES.map((name) => ({ name, id: FINDINGS[name].id, title: FINDINGS[name].title, severity: FINDINGS[name].severity, count: scan.counts.byFinding[name] ?? 0 }));
  return {
    status: 200,
    jsonBody: {
      ...scanView(scan),
      durationMs: scan.finishedAt ? scan.finishedAt.getTime() - scan.startedAt.getTime() : null,
      previousCompleteScanId: previous?.id ?? null,
      findings,
    },
  };
}

export async function listScanGroups(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const scan = requireCompleteScan(await services.scans.resolve(services.settings.tenantId, request.params.scanId));
  const search = (request.query.get('search') ?? '').trim();
  if (search.length > SEARCH_MAX) throw invalid(`search is at most ${SEARCH_MAX} characters.`);
  const after = request.query.get('after') ?? undefined;
  if (after !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(after)) throw invalid('after must be the "next" value of the previous page.');
  const page = await readGroupPage(
    services.snapshots,
    scan,
    {
      bucket: enumParam(request.query, 'bucket', BUCKETS),
      kind: enumParam(request.query, 'kind', GROUP_KINDS),
      finding: enumParam(request.query, 'finding', FINDING_NAMES),
      search: search || undefined,
      ...engineFilter(request),
    },
    { top: intParam(request.query, 'top', 50, 1, 200), after, maxExamined: MAX_EXAMINED_ROWS },
  );
  return { status: 200, jsonBody: { scanId: scan.id, ...page } };
}

function engineFilter(request: ApiRequest): { engine?: WritebackEngine; verdict?: (typeof ENGINE_VERDICTS)[number] } {
  const engine = enumParam(request.query, 'engine', ENGINES);
  const verdict = enumParam(request.query, 'verdict', ENGINE_VERDICTS);
  if (verdict && !engine) throw invalid(`verdict needs engine: say whose verdict, one of ${ENGINES.join(', ')}.`);
  return { engine, verdict };
}

export const getScanReportFile = (services: Services, request: ApiRequest): Promise<ApiResponse> => getScanReport(services, request);
export const getDiffReportFile = (services: Services, request: ApiRequest): Promise<ApiResponse> => getDiffReport(services, request);
export const getHistory = (services: Services, request: ApiRequest): Promise<ApiResponse> => getGroupHistory(services, request);

export async function getDiff(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const types: ChangeType[] = [];
  for (const value of request.query.getAll('type')) {
    for (const part of value.split(',')) {
      if (!part) continue;
      const type = CHANGE_TYPES.find((t) => t.toLowerCase() === part.toLowerCase());
      if (!type) throw invalid(`type="${part.slice(0, 40)}" is not a change type; use one of: ${CHANGE_TYPES.join(', ')}.`);
      types.push(type);
    }
  }
  const after = request.query.get('after') ?? undefined;
  if (after !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(after)) throw invalid('after must be the "next" value of the previous page.');
  const page = await readDiffPage(services, {
    from: request.query.get('from'),
    to: request.query.get('to'),
    types,
    top: intParam(request.query, 'top', 50, 1, 200),
    after,
  });
  return { status: 200, jsonBody: { ...page, from: scanView(page.from), to: scanView(page.to) } };
}

function alertView(alert: StoredAlert): Record<string, unknown> {
  return { ...alert, ruleTitle: isAlertRuleId(alert.ruleId) ? alertRuleById(alert.ruleId).title : alert.ruleId };
}

export async function listAlerts(services: Services, request: ApiRequest): Promise<ApiResponse> {
  const top = intParam(request.query, 'top', 50, 1, 200);
  const status = enumParam(request.query, 'status', ['open', 'acknowledged'] as const satisfies readonly AlertStatus[]);
  const continuation = request.query.get('continuation');
  if (continuation !== null && !/^[A-Za-z0-9+/=_-]{1,2000}$/.test(continuation)) throw invalid('continuation must be the value returned by the previous page.');
  const page = await services.alerts.store.listAlerts({ tenantId: services.settings.tenantId, top, continuation, status });
  return { status: 200, jsonBody: { alerts: page.items.map(alertView), continuation: page.continuation } };
}

export async function acknowledgeAlert(services: Services, request: ApiRequest, principal: Principal): Promise<ApiResponse> {
  const id = request.params.alertId ?? '';
  if (!/^[0-9a-f]{32}$/.test(id)) throw invalid(`"${id.slice(0, 60)}" is not an alert id; alert ids are 32 hexadecimal characters, as listed.`);
  const body = await readJson(request, '{"note": "optional text"}');
  if (body !== null && (typeof body !== 'object' || Array.isArray(body))) throw invalid('The body must be a JSON object: {"note": "optional text"}.');
  const { note, ...rest } = (body ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw invalid(`The body has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; only "note" is accepted (who acknowledges is the signed-in account).`);
  if (note !== undefined && note !== null && typeof note !== 'string') throw invalid('note must be text.');
  if (typeof note === 'string' && note.length > 1_000) throw invalid('note is at most 1,000 characters.');
  const store = services.alerts.store;
  const alert = await store.getAlert(id);
  if (!alert || alert.tenantId !== services.settings.tenantId) throw new WritebackWatchError('NotFound', `Alert ${id} does not exist. List alerts to find its id.`);
  if (alert.status === 'acknowledged') {
    throw new WritebackWatchError('Conflict', `Alert ${id} was already acknowledged${alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''} at ${alert.acknowledgedAt?.toISOString() ?? 'an unknown time'}.`);
  }
  const acknowledged = await records.acknowledgeAlert(services, id, principal, typeof note === 'string' ? note.trim() || null : null);
  services.log.info(`Alert ${id} acknowledged by ${principalLabel(principal)}.`);
  return { status: 200, jsonBody: alertView(acknowledged) };
}

export async function listApprovals(services: Services): Promise<ApiResponse> {
  const now = services.now();
  const approvals = await services.alerts.approvals.list(services.settings.tenantId);
  return { status: 200, jsonBody: { approvals: approvals.map((approval) => ({ ...approval, live: isLive(approval, now) })) } };
}

export async function createApproval(services: Services, request: ApiRequest, principal: Principal): Promise<ApiResponse> {
  const body = await readJson(request, '{"groupId","expect":{"bucket"|"effectiveTargetType"|"isEnabled"|"onPremisesGroupType"},"reason","expiresAt"}');
  if (body && typeof body === 'object' && 'requestedBy' in body) {
    throw invalid('Approval rejected: requestedBy is not accepted here; the approval records the signed-in account. Leave the field out.');
  }
  const approval = records.approvalFromRequest(services, body, principal);
  const stored = await services.alerts.approvals.create(approval);
  services.log.info(`Approval ${stored.id} for group ${stored.groupId} created by ${principalLabel(principal)}.`);
  return { status: 201, headers: { Location: `/api/console/api/approvals/${stored.id}` }, jsonBody: { ...stored, live: isLive(stored, services.now()) } };
}

export async function revokeApproval(services: Services, request: ApiRequest, principal: Principal): Promise<ApiResponse> {
  const id = request.params.approvalId ?? '';
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw invalid(`"${id.slice(0, 60)}" is not an approval id; the approvals list shows them.`);
  const outcome = await records.revokeApproval(services, id.toLowerCase(), principal);
  if (outcome === 'alreadyRevoked') throw new WritebackWatchError('Conflict', `Approval ${id} was revoked already; the approvals list shows by whom.`);
  if (outcome === 'missing') throw new WritebackWatchError('NotFound', `Approval ${id} does not exist (it may have been revoked already).`);
  services.log.info(`Approval ${id.toLowerCase()} revoked by ${principalLabel(principal)}.`);
  return { status: 204 };
}
