/**
 * The console's routes over HTTP on the local host: role checks, the security headers, server-side paging
 * and filtering of groups and changes, and writes that record the signed-in principal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleWorld, type ConsoleWorld } from './consoleWorld';
import type { RunningFunctionsHost } from '../../dev/host/functionsHost';

let cw: ConsoleWorld;
const OBJECT_ID = '00000000-0000-0000-0000-00000000d0e1';

async function call(host: RunningFunctionsHost, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${host.url}/api/console/${path}`, init);
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // HTML and scripts stay text.
  }
  return { status: response.status, body, headers: response.headers };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  cw = await startConsoleWorld();
});

afterAll(async () => {
  await cw?.close();
});

describe('console routes', () => {
  it('serves the page and its files to a signed-in principal, with a strict Content-Security-Policy', async () => {
    const refused = await call(cw.anonymous, '');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('Unauthenticated');
    const page = await call(cw.reader, '');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.body).toContain('/api/console/assets/app.js');
    const script = await call(cw.reader, 'assets/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const again = await fetch(`${cw.reader.url}/api/console/assets/app.js`, { headers: { 'If-None-Match': script.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await call(cw.reader, 'assets/secrets.txt')).status).toBe(404);
  });

  it('answers 401 without a principal and 403 without the role, in the API error shape', async () => {
    const anonymous = await call(cw.anonymous, 'api/scans');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('Unauthenticated');
    expect(anonymous.body.error.message).toMatch(/sign-in/i);
    const forged = await call(cw.anonymous, 'api/me', { headers: { 'X-MS-CLIENT-PRINCIPAL': Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'roles', val: 'Approver' }] })).toString('base64') } });
    expect(forged.status).toBe(401);
    const refused = await call(cw.reader, 'api/approvals', post({ groupId: '00000000-0000-4000-8000-000000000001', expect: { bucket: 'writtenBack' }, reason: 'test', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/Approver role/);
    const me = await call(cw.reader, 'api/me');
    expect(me.body.principal).toMatchObject({ name: 'Local developer (Reader)', roles: ['Reader'], canApprove: false });
    expect((await call(cw.approver, 'api/me')).body.principal.canApprove).toBe(true);
  });

  it('pages a scan\'s groups on the server, filtered by bucket, kind, finding and name', async () => {
    const latest = (await call(cw.reader, 'api/scans/latest')).body;
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await call(cw.reader, `api/scans/${latest.id}/groups?bucket=writtenBack&top=25${after ? `&after=${after}` : ''}`)).body;
      expect(page.groups.length).toBeLessThanOrEqual(25);
      expect(page.total).toBe(latest.counts.byBucket.writtenBack);
      for (const g of page.groups) {
        expect(g.bucket).toBe('writtenBack');
        expect(seen.has(g.id)).toBe(false);
        seen.add(g.id);
      }
      after = page.next;
      pages += 1;
    } while (after && pages < 50);
    expect(seen.size).toBe(latest.counts.byBucket.writtenBack);
    expect(pages).toBeGreaterThan(1);

    const finding = (await call(cw.reader, `api/scans/${latest.id}/groups?finding=portalShowsNoWriteback&top=200`)).body;
    expect(finding.groups.length).toBe(latest.counts.byFinding.portalShowsNoWriteback);
    expect(finding.groups.every((g: any) => g.findings.includes('portalShowsNoWriteback'))).toBe(true);

    const one = finding.groups[0];
    const byName = (await call(cw.reader, `api/scans/${latest.id}/groups?search=${encodeURIComponent(one.displayName.toUpperCase())}`)).body;
    expect(byName.groups.map((g: any) => g.id)).toContain(one.id);
    expect(byName.groups.every((g: any) => g.displayName.toLowerCase().includes(one.displayName.toLowerCase()))).toBe(true);
    expect(byName.total).toBeNull();

    expect((await call(cw.reader, `api/scans/${latest.id}/groups?finding=nope`)).status).toBe(400);
    expect((await call(cw.reader, `api/scans/${latest.id}/groups?after=${encodeURIComponent("x' or ''='")}`)).status).toBe(400);
  });

  it('lists the changes between the two scans with the approval that covers one of them', async () => {
    const diff = (await call(cw.reader, 'api/diff')).body;
    expect(diff.summary.changedGroups).toBeGreaterThan(0);
    expect(diff.changes.length).toBe(diff.summary.changedGroups);
    const approved = diff.changes.filter((c: any) => c.approval);
    expect(approved).toHaveLength(1);
    expect(approved[0].approval.reason).toMatch(/CHG-1042/);
    const removed = (await call(cw.reader, 'api/diff?type=removed')).body;
    expect(removed.changes.length).toBe(diff.summary.byType.removed);
    expect(removed.changes.every((c: any) => c.types.includes('removed'))).toBe(true);
    const firstPage = (await call(cw.reader, 'api/diff?top=1')).body;
    expect(firstPage.next).toBe(firstPage.changes[0].groupId);
    const secondPage = (await call(cw.reader, `api/diff?top=1&after=${firstPage.next}`)).body;
    expect(secondPage.summary).toBeNull();
    expect(secondPage.changes[0].groupId).toBe(diff.changes[1].groupId);
  });

  it('acknowledges an alert for an Approver, with the note and the principal, and only once', async () => {
    const open = (await call(cw.reader, 'api/alerts?status=open')).body.alerts;
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((a: any) => a.status === 'open')).toBe(true);
    const target = open[0];
    expect((await call(cw.reader, `api/alerts/${target.id}/acknowledge`, post({ note: 'seen' }))).status).toBe(403);
    expect((await call(cw.approver, `api/alerts/${target.id}/acknowledge`, post({ note: 'seen', by: 'someone else' }))).status).toBe(400);
    const crossSite = await call(cw.approver, `api/alerts/${target.id}/acknowledge`, { ...post({}), headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await call(cw.approver, `api/alerts/${target.id}/acknowledge`, { method: 'POST', body: '{}' })).status).toBe(415);
    const done = await call(cw.approver, `api/alerts/${target.id}/acknowledge`, post({ note: 'Expected: ticket CHG-7' }));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'acknowledged', acknowledgementNote: 'Expected: ticket CHG-7' });
    // Recorded as the principal: its name and its object id, whatever form the store keeps them in.
    expect(JSON.stringify(done.body.acknowledgedBy)).toContain('Local developer (Approver)');
    expect(JSON.stringify(done.body.acknowledgedBy)).toContain(OBJECT_ID);
    expect((await call(cw.approver, `api/alerts/${target.id}/acknowledge`, post({}))).status).toBe(409);
    const acknowledged = (await call(cw.reader, 'api/alerts?status=acknowledged')).body.alerts;
    expect(acknowledged.map((a: any) => a.id)).toContain(target.id);
  });

  it('creates an approval recording the principal, refuses a typed requestedBy, and revokes it', async () => {
    const groupId = '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9';
    const body = { groupId, expect: { bucket: 'writtenBack' }, reason: 'Change ticket CHG-9', expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString() };
    expect((await call(cw.approver, 'api/approvals', post({ ...body, requestedBy: 'Mallory' }))).status).toBe(400);
    const created = await call(cw.approver, 'api/approvals', post(body));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body.requestedBy)).toContain('Local developer (Approver)');
    expect(JSON.stringify(created.body.requestedBy)).toContain('developer@localhost');
    expect(JSON.stringify(created.body.requestedBy)).toContain(OBJECT_ID);
    const listed = (await call(cw.reader, 'api/approvals')).body.approvals.find((a: any) => a.id === created.body.id);
    expect(listed).toMatchObject({ groupId, live: true });
    expect((await call(cw.reader, `api/approvals/${created.body.id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await call(cw.approver, `api/approvals/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await cw.alerts.approvals.listLive(cw.world.settings.tenantId, new Date())).map((a) => a.id)).not.toContain(created.body.id);
    expect((await call(cw.approver, `api/approvals/${created.body.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await call(cw.approver, 'api/approvals/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).status).toBe(404);
  });

});
