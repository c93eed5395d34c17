/**
 * The HTTP API through the real local Functions host over HTTP: the same trigger files Azure loads, function
 * keys enforced, Azurite and the Graph emulator behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { startFunctionsHost, type RunningFunctionsHost } from '../../dev/host/functionsHost';
import { startWorld, type World } from '../helpers/world';
import { isCloudOnlySecurityGroup } from '../../dev/emulator/groupShape';
import { parseApprovalRequest } from '../../src/alerts/approvals';
import { APPROVER, principalHeaders, userClaims } from '../helpers/principals';

const KEY = 'test-function-key';
let world: World;
let host: RunningFunctionsHost;

async function api(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('x-functions-key', init.key ?? KEY);
  return fetch(`${host.url}/api/${path}`, { ...init, headers });
}

async function json(path: string, init?: RequestInit & { key?: string | null }): Promise<{ status: number; body: any }> {
  const response = await api(path, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function waitForScan(id: string): Promise<any> {
  for (let i = 0; i < 600; i += 1) {
    const { body } = await json(`scans/${id}`);
    if (body.status !== 'running') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`scan ${id} did not finish`);
}

beforeAll(async () => {
  // A Cloud Sync configuration the app may not read (no Synchronization.Read.All): scans complete and say so.
  world = await startWorld({
    emulator: { groups: 400, seed: 21, latencyMs: 20, cloudSync: [{ assignFirstGroups: 5 }], permissions: { synchronization: false } },
    env: { GRAPH_PAGE_SIZE: '50' },
  });
  host = await startFunctionsHost({ services: world.services, port: 0, functionKey: KEY, settings: world.env, timers: false, log: () => {} });
});

afterAll(async () => {
  await host?.close();
  await world?.close();
});

describe('HTTP API on the local Functions host', () => {
  let first: string;
  let second: string;

  it('serves every trigger of functions/routes.ts', () => {
    const names = [...host.routes, ...host.timers].map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['scanTimer', 'resumeTimer', 'listScans', 'startScan', 'getScan', 'listScanGroups', 'getScanReport', 'getDiff', 'getDiffReport', 'getGroupHistory', 'health', 'getWhatIf']));
  });

  it('requires the function key', async () => {
    expect((await api('scans', { key: null })).status).toBe(401);
    expect((await api('scans', { key: 'wrong' })).status).toBe(401);
    expect((await api('scans?code=' + KEY, { key: null })).status).toBe(200);
  });

  it('answers 404 before any scan completed', async () => {
    expect((await json('scans/latest')).status).toBe(404);
    expect((await json('diff')).status).toBe(404);
    expect((await json('health')).body.lastCompleteScan).toBeNull();
  });

  it('starts a scan with 202 and refuses a second one with 409 while it runs', async () => {
    const started = await json('scans', { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.body.id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const again = await json('scans', { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already running/);
    const done = await waitForScan(started.body.id);
    expect(done.status).toBe('complete');
    expect(done.counts.total).toBe(400);
    expect(done.missingPermissions).toEqual(['Synchronization.Read.All']);
    expect(done.cloudSync.headline).toMatch(/^UNKNOWN: .*grant the application permission Synchronization\.Read\.All/);
    expect(done.tenantContext.cloudSync.status).toBe('unknown');
    first = started.body.id;
  });

  it('lists scans newest first and reads one by id or as latest', async () => {
    const list = await json('scans');
    expect(list.status).toBe(200);
    expect(list.body.scans.map((s: any) => s.id)).toEqual([first]);
    expect((await json(`scans/${first}`)).body.id).toBe(first);
    expect((await json('scans/latest')).body.id).toBe(first);
  });

  it('streams a scan\'s groups as JSON lines or JSON, filtered by bucket and kind', async () => {
    const scan = (await json(`scans/${first}`)).body;
    const response = await api(`scans/${first}/groups?bucket=writtenBack`);
    expect(response.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await response.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(scan.counts.byBucket.writtenBack);
    expect(lines.every((g) => g.bucket === 'writtenBack')).toBe(true);
    const asJson = await json(`scans/${first}/groups?format=json&kind=security&bucket=notWrittenBack`);
    expect(asJson.body.groups.length).toBe(scan.counts.byBucketAndKind.notWrittenBack.security);
  });

  it('rejects malformed and injected input with 400, unknown ids with 404', async () => {
    const cases: [string, number][] = [
      [`scans/${first}/groups?bucket=bogus`, 400],
      [`scans/${first}/groups?bucket=${encodeURIComponent("writtenBack' or bucket ne '")}`, 400],
      [`scans/${first}/groups?kind=${encodeURIComponent("security' or '1' eq '1")}`, 400],
      [`scans/${first}/groups?format=xml`, 400],
      [`scans/${encodeURIComponent("x' or PartitionKey ne '")}`, 400],
      [`scans/${encodeURIComponent("20261126T020000Z-abcdef' or '1' eq '1")}/groups`, 400],
      ['scans/20200101T000000Z-abcdef', 404],
      ['scans?top=0', 400],
      ['scans?status=done', 400],
      [`scans?before=${encodeURIComponent("' or ''='")}`, 400],
      ['diff?from=nonsense', 400],
      [`diff?to=${encodeURIComponent("latest' or '")}`, 400],
      ['groups/not-a-guid/history', 400],
      [`groups/${encodeURIComponent("00000000-0000-0000-0000-000000000000' or ''='")}/history`, 400],
      ['groups/00000000-0000-0000-0000-000000000000/history', 404],
    ];
    for (const [path, status] of cases) {
      const result = await json(path);
      expect({ path, status: result.status }).toEqual({ path, status });
      expect(result.body.error.message.length).toBeGreaterThan(10);
      expect(JSON.stringify(result.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('diffs the previous complete scan against the latest by default', async () => {
    const groups = [...world.emulator.tenant.allGroups()];
    const victim = groups.find(isCloudOnlySecurityGroup)!;
    world.emulator.tenant.deleteGroup(victim.id);
    const started = await json('scans', { method: 'POST' });
    second = started.body.id;
    expect((await waitForScan(second)).status).toBe('complete');
    const diff = await json('diff');
    expect(diff.status).toBe(200);
    expect(diff.body.from.id).toBe(first);
    expect(diff.body.to.id).toBe(second);
    expect(diff.body.changes).toHaveLength(1);
    expect(diff.body.changes[0]).toMatchObject({ groupId: victim.id, types: ['removed'] });
    expect(diff.body.summary.byType.removed).toBe(1);
    expect((await json(`diff?from=${second}&to=${first}`)).status).toBe(400);
  });

  it('serves both Excel reports with a safe file name, readable back', async () => {
    const report = await api(`scans/${second}/report.xlsx`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.xlsx"$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await report.arrayBuffer()) as unknown as ArrayBuffer);
    expect(book.getWorksheet('Groups')?.actualRowCount).toBe(399 + 1);
    const diffReport = await api(`diff/report.xlsx?from=${first}&to=${second}`);
    expect(diffReport.status).toBe(200);
    const diffBook = new ExcelJS.Workbook();
    await diffBook.xlsx.load(Buffer.from(await diffReport.arrayBuffer()) as unknown as ArrayBuffer);
    expect(diffBook.getWorksheet('Changes')?.actualRowCount).toBe(2);
  });

  it('filters a scan\'s groups by engine verdict', async () => {
    const scan = (await json(`scans/${second}`)).body;
    const lines = (await (await api(`scans/${second}/groups?engineVerdict=connectSyncV2:writtenBack`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    // Cloud Sync is not read yet, so the combined bucket is Connect Sync v2's.
    expect(lines.length).toBe(scan.counts.byBucket.writtenBack);
    expect(lines.every((g) => g.engines.connectSyncV2.verdict === 'writtenBack')).toBe(true);
    const bad = await json(`scans/${second}/groups?engineVerdict=cloudSync:maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/<engine>:<verdict>/);
  });

  it('answers a what-if as JSON lines or a workbook, and refuses a bad engine list', async () => {
    const scan = (await json(`scans/${second}`)).body;
    const response = await api(`scans/${second}/whatif?engines=connectSyncV1,cloudSync`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/ndjson/);
    const changes = (await response.text()).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => typeof c.groupId === 'string' && (c.types.includes('bucketChanged') || c.types.includes('targetChanged')))).toBe(true);
    const newly = changes.filter((c) => c.before.bucket === 'notWrittenBack' && c.after.bucket !== 'notWrittenBack');
    expect(newly.length).toBe(scan.counts.newlyWrittenBackUnderV1);
    const workbook = await api(`scans/${second}/whatif?engines=connectSyncV1,cloudSync&format=xlsx`);
    expect(workbook.status).toBe(200);
    expect(workbook.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.xlsx"$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await workbook.arrayBuffer()) as unknown as ArrayBuffer);
    expect(book.getWorksheet('Changes')?.actualRowCount).toBe(changes.length + 1);
    for (const query of ['', '?engines=', '?engines=connectSyncV2,connectSyncV1', '?engines=none,cloudSync', '?engines=cloudSync&format=pdf']) {
      const refused = await json(`scans/${second}/whatif${query}`);
      expect({ query, status: refused.status }).toEqual({ query, status: 400 });
      expect(refused.body.error.message.length).toBeGreaterThan(10);
    }
  });

  it('shows one group\'s history across scans', async () => {
    const group = [...world.emulator.tenant.allGroups()][0]!;
    const history = await json(`groups/${group.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.history.map((h: any) => h.scanId)).toEqual([second, first]);
    expect(history.body.history[0].group.id).toBe(group.id);
  });

  it('refuses to diff a failed scan with 409', async () => {
    world.emulator.faults.failAlways({ status: 400 });
    const started = await json('scans', { method: 'POST' });
    const failed = await waitForScan(started.body.id);
    world.emulator.faults.clear();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/HTTP 400/);
    const diff = await json(`diff?from=${first}&to=${failed.id}`);
    expect(diff.status).toBe(409);
    expect((await json('scans/latest')).body.id).toBe(second);
  });

  it('no longer creates or revokes approvals with a key: 410 pointing to the console, even with a forged principal', async () => {
    const group = [...world.emulator.tenant.allGroups()][1]!;
    const body = { groupId: group.id, expect: { bucket: 'writtenBack' }, requestedBy: 'alice@contoso.com', reason: 'CHG-1042', expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
    const forged = principalHeaders(userClaims({ roles: ['Approver'] }), { name: 'alice@contoso.example' });
    const created = await json('approvals', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...forged } });
    expect(created.status).toBe(410);
    expect(created.body.error.code).toBe('MovedToConsole');
    expect(created.body.error.message).toMatch(/\/api\/console\/.*Approver.*docs\/alerts\.md/);
    const revoked = await json('approvals/00000000-0000-0000-0000-000000000001', { method: 'DELETE' });
    expect(revoked.status).toBe(410);
    expect(revoked.body.error.message).toMatch(/Revoking an approval with a function key/);
    expect((await json('approvals')).body.approvals).toEqual([]);
  });

  it('lists approvals with who asked for them, and alerts', async () => {
    const group = [...world.emulator.tenant.allGroups()][1]!;
    const approval = parseApprovalRequest(
      { groupId: group.id, expect: { bucket: 'writtenBack' }, reason: 'CHG-1042', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      { tenantId: world.settings.tenantId, now: new Date(), requestedBy: APPROVER },
    );
    await world.services.alerts.approvals.create(approval);
    const listed = (await json('approvals')).body.approvals;
    expect(listed.map((a: any) => [a.id, a.requestedBy])).toEqual([
      [approval.id, { kind: 'user', objectId: APPROVER.objectId, tenantId: APPROVER.tenantId, name: 'Alice Admin', userPrincipalName: 'alice@contoso.example', appId: null }],
    ]);
    const alerts = await json('alerts');
    expect(alerts.status).toBe(200);
    // The failed scan above raised a scan-failed alert.
    expect(alerts.body.alerts.some((a: any) => a.ruleKey === 'scanFailed' || /fail/i.test(a.title))).toBe(true);
    expect((await json('alerts?top=0')).status).toBe(400);
  });
});
