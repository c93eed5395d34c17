/**
 * The console in a real browser (Chromium), against the real local host, Azurite and the Graph emulator:
 * sign in locally as Reader and as Approver, read the latest scan and its chart, filter groups, open a diff,
 * download the scan workbook, acknowledge an alert, create and revoke an approval. A screenshot of each view
 * goes to test-results/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { startConsoleWorld, type ConsoleWorld } from './consoleWorld';
import { chromiumPresent, launchBrowser, SKIP_MESSAGE } from './browser';

const SHOTS = join(__dirname, '..', '..', 'test-results', 'console');
if (!chromiumPresent) console.warn(SKIP_MESSAGE);

describe.skipIf(!chromiumPresent)('console in Chromium', () => {
  let cw: ConsoleWorld;
  let browser: { context: BrowserContext; close(): Promise<void> };
  const problems: string[] = [];

  async function open(host: 'reader' | 'approver' | 'anonymous', hash = '#/scans'): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${host}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${host}: ${error.message}`));
    // Only loopback: anything else the page asked for would be a CDN, a font or a leak.
    await page.route(/^(?!http:\/\/127\.0\.0\.1[:/]).*/, (route) => {
      problems.push(`${host}: request to ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`${cw[host].url}/api/console/${hash}`);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    cw = await startConsoleWorld();
    browser = await launchBrowser({ downloadsPath: join(SHOTS, 'downloads') });
  });

  afterAll(async () => {
    await browser?.close();
    await cw?.close();
  });

  it('refuses the console to a browser nobody signed in', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${cw.anonymous.url}/api/console/`);
    expect(response?.status()).toBe(401);
    await page.close();
  });

  it('shows a Reader the latest scan\'s counts and the chart of buckets', async () => {
    const latest = await cw.world.services.scans.latest(cw.world.settings.tenantId, 'complete');
    const page = await open('reader');
    await page.locator('#who').getByText('Local developer (Reader)').waitFor();
    const cards = page.getByRole('list', { name: 'Groups per bucket' });
    await cards.waitFor();
    const text = await cards.textContent();
    expect(text).toContain(`${latest!.counts.byBucket.writtenBack.toLocaleString('en-US')}Written back`);
    expect(text).toContain(`${latest!.counts.byBucket.notWrittenBack.toLocaleString('en-US')}Not written back`);
    const chart = page.getByRole('img', { name: /Groups per bucket in each retained scan/ });
    await chart.waitFor();
    expect(await chart.locator('rect.bar').count()).toBe(2 * 3);
    expect(await page.locator('#chart-desc').textContent()).toMatch(/^2 complete scans from /);
    expect(await page.locator('#scan-table tbody tr').count()).toBe(2);
    await shot(page, 'scans');
    await page.close();
  });

  it('filters a scan\'s groups and downloads the scan workbook with a Groups sheet', async () => {
    const latest = (await cw.world.services.scans.latest(cw.world.settings.tenantId, 'complete'))!;
    const page = await open('reader', `#/scans/${latest.id}`);
    await page.getByLabel('Bucket', { exact: true }).selectOption('legacyDefault');
    await page.getByLabel('Kind', { exact: true }).selectOption('microsoft365');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('#group-summary').textContent()).toMatch(/of /);
    const expected = latest.counts.byBucketAndKind.legacyDefault.microsoft365;
    expect(await page.locator('#group-summary').textContent()).toContain(`of ${expected.toLocaleString('en-US')}`);
    const rows = page.locator('#group-table tbody tr');
    expect(await rows.count()).toBe(Math.min(50, expected));
    for (const cell of await rows.locator('td:nth-child(3)').allTextContents()) expect(cell).toMatch(/^Legacy default/);
    await shot(page, 'scan-groups');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the scan report (Excel)' }).click()]);
    const file = join(SHOTS, 'downloads', download.suggestedFilename());
    await download.saveAs(file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const groups = workbook.getWorksheet('Groups');
    expect(groups).toBeDefined();
    expect(groups!.rowCount).toBeGreaterThan(latest.counts.total);
    await page.close();
  });

  it('opens the diff of the previous and the latest scan, with the approval beside the approved change', async () => {
    const page = await open('reader', '#/diff');
    await page.locator('#change-table').waitFor();
    expect(await page.locator('#diff-summary').textContent()).toMatch(/groups changed between/);
    const approvedRow = page.locator('#change-table tbody tr', { hasText: 'Approved by' });
    expect(await approvedRow.count()).toBe(1);
    expect(await approvedRow.textContent()).toContain('CHG-1042');
    expect(await page.locator('#change-table tbody tr', { hasText: 'Removed' }).count()).toBeGreaterThan(0);
    await shot(page, 'diff');
    await page.locator('#change-table tbody tr a').first().click();
    await page.locator('#history-table').waitFor();
    expect(await page.locator('#history-table tbody tr').count()).toBe(2);
    await shot(page, 'group-history');
    await page.close();
  });

  it('refuses a Reader\'s acknowledgement and lets an Approver acknowledge with a note', async () => {
    const readerPage = await open('reader', '#/alerts');
    await readerPage.locator('#reader-note').waitFor();
    await readerPage.locator('.alert-item').first().waitFor();
    expect(await readerPage.getByRole('button', { name: /^Acknowledge/ }).count()).toBe(0);
    const alertId = (await cw.alerts.store.listAlerts({ tenantId: cw.world.settings.tenantId, status: 'open' })).items[0]!.id;
    const refused = await readerPage.evaluate(async (id) => {
      const response = await fetch(`/api/console/api/alerts/${id}/acknowledge`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: response.status, body: await response.json() };
    }, alertId);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/Approver role/);
    await shot(readerPage, 'alerts-reader');
    await readerPage.close();

    const page = await open('approver', '#/alerts');
    await page.locator('.alert-item').first().waitFor();
    const openBefore = await page.locator('.alert-item').count();
    expect(openBefore).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Acknowledge: / }).first().click();
    await page.getByLabel('Note (optional)').fill('Expected: migration wave 2');
    await shot(page, 'alerts-acknowledge');
    await page.getByRole('button', { name: 'Acknowledge alert' }).click();
    await expect.poll(() => page.locator('.alert-item').count()).toBe(openBefore - 1);
    await page.getByRole('link', { name: 'Acknowledged' }).click();
    const item = page.locator('.alert-item', { hasText: 'Expected: migration wave 2' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Acknowledged by Local developer (Approver)');
    await shot(page, 'alerts-acknowledged');
    await page.close();
  });

  it('does an acknowledgement from the keyboard alone, and says so to screen readers', async () => {
    const page = await open('approver', '#/alerts');
    await page.locator('.alert-item').first().waitFor();
    const openBefore = await page.locator('.alert-item').count();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Alerts');
    const button = page.getByRole('button', { name: /^Acknowledge: / }).first();
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('Seen, keyboard only');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Acknowledge alert');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#announcer').textContent()).toMatch(/^Alert acknowledged: /);
    await expect.poll(() => page.locator('.alert-item').count()).toBe(openBefore - 1);
    await page.close();
  });

  it('creates an approval that records the signed-in Approver, and revokes it', async () => {
    const latest = (await cw.world.services.scans.latest(cw.world.settings.tenantId, 'complete'))!;
    let groupId = '';
    for await (const g of cw.world.services.snapshots.readGroups(latest, { bucket: 'notWrittenBack', kind: 'security' })) {
      groupId = g.id;
      break;
    }
    const page = await open('approver', '#/approvals');
    const form = page.getByRole('form', { name: 'Approve an expected change' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Create approval' }).click();
    await page.getByRole('alert').getByText('Group id must be a GUID').waitFor();
    await page.getByLabel('Group id').fill(groupId);
    await page.getByLabel('Reason').fill('Change ticket CHG-2001');
    await form.getByRole('button', { name: 'Create approval' }).click();
    const row = page.locator('#approval-table tbody tr', { hasText: 'CHG-2001' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Local developer (Approver)');
    expect(await row.textContent()).toContain('developer@localhost');
    const stored = (await cw.alerts.approvals.list(cw.world.settings.tenantId)).find((a) => a.reason === 'Change ticket CHG-2001')!;
    expect(JSON.stringify(stored.requestedBy)).toContain('00000000-0000-0000-0000-00000000d0e1');
    await shot(page, 'approvals');
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByText(`Approval for group ${groupId} revoked.`).waitFor();
    // Revoked: gone from the list, or listed as revoked with nothing left to revoke; either way it suppresses nothing.
    const after = page.locator('#approval-table tbody tr', { hasText: 'CHG-2001' });
    expect((await after.count()) === 0 || /Revoked/.test((await after.textContent()) ?? '')).toBe(true);
    expect(await after.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
    expect((await cw.alerts.approvals.listLive(cw.world.settings.tenantId, new Date())).some((a) => a.reason === 'Change ticket CHG-2001')).toBe(false);

    const readerPage = await open('reader', '#/approvals');
    await readerPage.locator('#reader-note').waitFor();
    expect(await readerPage.getByRole('button', { name: 'Create approval' }).count()).toBe(0);
    await readerPage.close();
    await page.close();
  });

  it('showed a failed fetch as a message in the view, and nothing broke the pages', async () => {
    const page = await open('reader', '#/scans/20200101T000000Z-abcdef');
    const message = page.getByRole('alert');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/does not exist|not found/i);
    expect(await page.getByRole('navigation', { name: 'Console' }).isVisible()).toBe(true);
    await page.close();
    expect(problems.filter((p) => !/status of 40[134] /.test(p))).toEqual([]);
  });
});
