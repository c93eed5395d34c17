import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../src/alerts/alertStore';
import { createAlertChannels } from '../../src/alerts/delivery/channels';
import { DeliveryError, type AlertChannel } from '../../src/alerts/delivery/channel';
import { deliverAlert } from '../../src/alerts/delivery/deliver';
import { createEmailChannel, type SendMailRequest } from '../../src/alerts/delivery/email';
import { computeSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/alerts/delivery/signature';
import { createTeamsChannel, escapeMarkdown, type TeamsMessage } from '../../src/alerts/delivery/teams';
import { createWebhookChannel, type WebhookPayload } from '../../src/alerts/delivery/webhook';
import { collectEvaluation } from '../../src/alerts/evaluate';
import { DEFAULT_ALERT_POLICY } from '../../src/alerts/policy';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../../dev/demo/webhookReceiver';
import { ConfigurationError } from '../../src/errors';
import { createGraphClient } from '../../src/graph/graphClient';
import type { GroupChange } from '../../src/model';
import { testSettings } from '../helpers/settings';
import { FROM, NOW, TENANT, TO, change, groupId, m365, stream, wb } from './fixtures';
import { closedPort, startLoopbackServer, type LoopbackServer } from './loopback';

const SECRET = 'a-long-random-shared-secret';
const BASE = 'https://wbw.example.net/';

async function storedAlert(one: GroupChange = change(m365(1, wb(true)), m365(1, wb(true, 'universalSecurityGroup')))): Promise<StoredAlert> {
  const { candidates } = await collectEvaluation({ policy: DEFAULT_ALERT_POLICY, tenantId: TENANT, fromScan: FROM, toScan: TO, changes: stream([one]), approvals: [], now: NOW });
  return { ...candidates[0]!, status: 'open', recordedAt: NOW, acknowledgedAt: null, acknowledgedBy: null, acknowledgementNote: null, deliveries: {} };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function receiver(options: Partial<Parameters<typeof startWebhookReceiver>[0]> = {}): Promise<RunningWebhookReceiver> {
  const running = await startWebhookReceiver({ secret: SECRET, ...options });
  cleanup.push(() => running.close());
  return running;
}

async function server(script: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const running = await startLoopbackServer(script);
  cleanup.push(() => running.close());
  return running;
}

function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('webhook signature', () => {
  const body = JSON.stringify({ version: 1, alert: { id: 'x' } });
  const now = new Date('2026-11-25T03:00:00Z');
  const timestamp = String(now.getTime() / 1000);
  const headers = { [TIMESTAMP_HEADER.toLowerCase()]: timestamp, [SIGNATURE_HEADER.toLowerCase()]: computeSignature(body, timestamp, SECRET) };

  it('verifies the body as sent, from Node headers or a fetch Headers object', () => {
    expect(verifySignature(body, headers, SECRET, { now })).toEqual({ valid: true, timestamp: now });
    expect(verifySignature(Buffer.from(body), new Headers(headers), SECRET, { now }).valid).toBe(true);
    expect(headers[SIGNATURE_HEADER.toLowerCase()]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('fails for a tampered body, another secret, a replayed timestamp or missing headers', () => {
    expect(verifySignature(body.replace('"x"', '"y"'), headers, SECRET, { now })).toMatchObject({ valid: false, reason: 'signature does not match the body and timestamp' });
    expect(verifySignature(body, headers, 'another-secret', { now }).valid).toBe(false);
    expect(verifySignature(body, { ...headers, [TIMESTAMP_HEADER.toLowerCase()]: String(Number(timestamp) + 1) }, SECRET, { now }).valid).toBe(false);
    expect(verifySignature(body, headers, SECRET, { now: new Date(now.getTime() + 6 * 60_000) })).toMatchObject({ valid: false, reason: expect.stringContaining('outside the allowed clock difference') });
    expect(verifySignature(body, { [TIMESTAMP_HEADER]: timestamp }, SECRET, { now })).toMatchObject({ valid: false, reason: `missing ${SIGNATURE_HEADER} header` });
  });
});

describe('webhook channel and receiver', () => {
  it('delivers a signed JSON body the receiver verifies, with the documented shape', async () => {
    const arrived: WebhookPayload[] = [];
    const lines: string[] = [];
    const running = await receiver({ onAlert: (payload) => void arrived.push(payload), log: (line) => void lines.push(line) });
    const alert = await storedAlert();
    const channel = createWebhookChannel({ url: running.url, secret: SECRET, publicBaseUrl: BASE });
    await channel.send(alert);
    expect(running.rejected).toEqual([]);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toEqual({
      version: 1,
      tenantId: TENANT,
      alert: {
        id: alert.id,
        ruleId: 'WBW-A04',
        ruleKey: 'nowWrittenBackAsSecurity',
        ruleTitle: 'Group now written back as a security group',
        severity: 'high',
        remediation: expect.stringContaining(`Update-MgBetaGroup -GroupId ${groupId(1)} -WritebackConfiguration`),
        title: '"Team 1" is now written back as universalSecurityGroup',
        status: 'open',
        groupId: groupId(1),
        groupName: 'Team 1',
        before: alert.before,
        after: alert.after,
        details: alert.details,
        attribution: null,
        occurredAt: TO.finishedAt!.toISOString(),
        scans: { from: FROM.id, to: TO.id },
        links: { diffReport: `https://wbw.example.net/api/diff/report.xlsx?from=${FROM.id}&to=${TO.id}` },
      },
    });
    // A retry of the same alert is acknowledged but marked, not handled twice.
    await channel.send(alert);
    expect(arrived).toHaveLength(1);
    expect(lines).toEqual([
      'webhook receiver: high WBW-A04 "Team 1" is now written back as universalSecurityGroup',
      'webhook receiver: duplicate high WBW-A04 "Team 1" is now written back as universalSecurityGroup',
    ]);
    expect(running.received.map((r) => [r.deliveryId, r.duplicate])).toEqual([
      [alert.id, false],
      [alert.id, true],
    ]);
  });

  it('the receiver refuses a tampered body and a wrong secret with 401', async () => {
    const running = await receiver();
    const body = JSON.stringify({ version: 1, tenantId: TENANT, alert: { id: 'x' } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = computeSignature(body, timestamp, SECRET);
    const tampered = await fetch(running.url, { method: 'POST', body: body.replace('"x"', '"y"'), headers: { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature } });
    expect(tampered.status).toBe(401);
    const wrongSecret = createWebhookChannel({ url: running.url, secret: 'not-the-secret', publicBaseUrl: null });
    await expect(wrongSecret.send(await storedAlert())).rejects.toMatchObject({ status: 401, retryable: false });
    expect(running.received).toEqual([]);
    expect(running.rejected.map((r) => r.status)).toEqual([401, 401]);
  });
});

describe('deliverAlert retries', () => {
  it('honours Retry-After on 429/503 and then delivers', async () => {
    const flaky = await server([{ status: 503, headers: { 'Retry-After': '7' } }, { status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    const { sleep, delays } = recordingSleep();
    const channel = createWebhookChannel({ url: flaky.url, secret: SECRET, publicBaseUrl: null });
    const [outcome] = await deliverAlert(await storedAlert(), [channel], { sleep, random: () => 0 });
    expect(outcome).toMatchObject({ channel: 'webhook', status: 'delivered', attempts: 3, lastError: null });
    expect(delays).toEqual([7_000, 2_000]);
    expect(flaky.requests).toHaveLength(3);
  });

  it('backs off exponentially, gives up after maxAttempts, and does not hold up a working channel', async () => {
    const failing = await server([{ status: 500, body: '{"error":"down"}' }]);
    const working = await receiver();
    const { delays, sleep: record } = recordingSleep();
    // After the first 500 the failing receiver goes away for good: the later attempts meet a closed port.
    const sleep = async (ms: number): Promise<void> => {
      await record(ms);
      await failing.close();
    };
    const channels = [
      createWebhookChannel({ url: failing.url, secret: SECRET, publicBaseUrl: null, name: 'broken' }),
      createWebhookChannel({ url: working.url, secret: SECRET, publicBaseUrl: null }),
    ];
    const outcomes = await deliverAlert(await storedAlert(), channels, { sleep, random: () => 0.999999, maxAttempts: 4 });
    expect(outcomes.map((o) => [o.channel, o.status, o.attempts])).toEqual([
      ['broken', 'failed', 4],
      ['webhook', 'delivered', 1],
    ]);
    expect(outcomes[0]!.lastError).toMatch(/POST to 127\.0\.0\.1:\d+ failed without a response \(ECONNREFUSED\) \(gave up after 4 attempts\)/);
    expect(delays).toEqual([2_000, 4_000, 8_000]);
    expect(failing.requests).toHaveLength(1);
    expect(working.received).toHaveLength(1);
  });

  it('does not retry a request the receiver rejects, or a Retry-After beyond the limit', async () => {
    const rejecting = await server([{ status: 400, body: 'bad card' }]);
    const throttled = await server([{ status: 429, headers: { 'Retry-After': '3600' } }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await deliverAlert(
      await storedAlert(),
      [createTeamsChannel({ url: rejecting.url, publicBaseUrl: null }), createTeamsChannel({ url: throttled.url, publicBaseUrl: null, name: 'teams2' })],
      { sleep },
    );
    expect(outcomes[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcomes[0]!.lastError).toContain('answered 400: bad card (not retried');
    expect(outcomes[1]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcomes[1]!.lastError).toContain('Retry-After of 3600 s is longer than the 300 s');
    expect(delays).toEqual([]);
  });

  it('a channel that throws something unexpected is retried and recorded, never thrown', async () => {
    let calls = 0;
    const odd: AlertChannel = {
      name: 'odd',
      send: async () => {
        calls += 1;
        throw new TypeError('cannot read properties of undefined');
      },
    };
    const [outcome] = await deliverAlert(await storedAlert(), [odd], { sleep: async () => undefined, maxAttempts: 2 });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2 });
    expect(calls).toBe(2);
  });
});

describe('Teams channel', () => {
  it('posts a Workflows message holding an Adaptive Card 1.4 with before → after and the report link', async () => {
    const teams = await server([{ status: 202 }]);
    const alert = await storedAlert(change(m365(1, wb(true), { displayName: '[Click me](https://evil.example)' }), m365(1, wb(true, 'universalSecurityGroup'), { displayName: '[Click me](https://evil.example)' })));
    await createTeamsChannel({ url: `${teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=secret`, publicBaseUrl: BASE }).send(alert);
    expect(teams.requests).toHaveLength(1);
    const request = teams.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toContain('application/json');
    const message = JSON.parse(request.body) as TeamsMessage;
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment!.content as { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions: { type: string; url: string }[] };
    expect(card.type).toBe('AdaptiveCard');
    expect(Number(card.version)).toBeGreaterThanOrEqual(1.4);
    const texts = card.body.filter((e) => e.type === 'TextBlock').map((e) => e.text);
    expect(texts).toContain(`"${escapeMarkdown('[Click me](https://evil.example)')}" is now written back as universalSecurityGroup`);
    expect(texts.join('\n')).not.toContain('[Click me]');
    const facts = card.body.filter((e) => e.type === 'FactSet').flatMap((e) => e.facts!);
    expect(facts).toContainEqual({ title: 'Severity', value: 'HIGH' });
    expect(facts).toContainEqual({ title: 'Written back as', value: 'universalDistributionGroup → universalSecurityGroup' });
    expect(facts).toContainEqual({ title: 'onPremisesGroupType', value: 'null → universalSecurityGroup' });
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the diff report', url: `https://wbw.example.net/api/diff/report.xlsx?from=${FROM.id}&to=${TO.id}` }]);
    expect(Buffer.byteLength(request.body)).toBeLessThan(28_000);
  });

  it('errors never show the webhook URL (its query string is the credential)', async () => {
    const teams = await server([{ status: 404 }]);
    const error = await createTeamsChannel({ url: `${teams.url}/invoke?sig=top-secret`, publicBaseUrl: null })
      .send(await storedAlert())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).not.toContain('top-secret');
  });
});

describe('email channel through Graph sendMail', () => {
  async function graph(script: Parameters<typeof startLoopbackServer>[0]) {
    const loopback = await server(script);
    const client = createGraphClient(testSettings({ GRAPH_BASE_URL: loopback.url }));
    return { loopback, client };
  }

  it('POSTs /v1.0/users/{from}/sendMail with an HTML message to every recipient', async () => {
    const { loopback, client } = await graph([{ status: 202 }]);
    const alert = await storedAlert(change(m365(1, wb(false), { displayName: '<b>Sales</b>' }), m365(1, wb(true), { displayName: '<b>Sales</b>' })));
    await createEmailChannel({ client, from: 'alerts@contoso.example', to: ['secops@contoso.example', 'it@contoso.example'], publicBaseUrl: BASE }).send(alert);
    expect(loopback.requests).toHaveLength(1);
    const request = loopback.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1.0/users/alerts%40contoso.example/sendMail');
    expect(request.headers.authorization).toBe('Bearer emulator-token');
    const body = JSON.parse(request.body) as SendMailRequest;
    expect(body.saveToSentItems).toBe(false);
    expect(body.message.toRecipients).toEqual([{ emailAddress: { address: 'secops@contoso.example' } }, { emailAddress: { address: 'it@contoso.example' } }]);
    expect(body.message.subject).toBe('[Writeback Watch] MEDIUM: "<b>Sales</b>" is now written back as universalDistributionGroup');
    expect(body.message.importance).toBe('normal');
    expect(body.message.body.contentType).toBe('HTML');
    expect(body.message.body.content).toContain('&lt;b&gt;Sales&lt;/b&gt;');
    expect(body.message.body.content).not.toContain('<b>Sales</b>');
    expect(body.message.body.content).toContain('notWrittenBack → writtenBack');
    expect(body.message.body.content).toContain(`href="https://wbw.example.net/api/diff/report.xlsx?from=${FROM.id}&amp;to=${TO.id}"`);
  });

  it('a 202 whose empty body claims to be JSON still counts as sent', async () => {
    const { loopback, client } = await graph([{ status: 202, headers: { 'Content-Type': 'application/json' } }]);
    const [outcome] = await deliverAlert(await storedAlert(), [createEmailChannel({ client, from: 'a@contoso.example', to: ['b@contoso.example'], publicBaseUrl: null })], { sleep: async () => undefined });
    expect(outcome).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(loopback.requests).toHaveLength(1);
  });

  it('retries Graph throttling with its Retry-After, and names Mail.Send on 403', async () => {
    const { loopback, client } = await graph([{ status: 429, headers: { 'Retry-After': '5' }, body: '{"error":{"code":"TooManyRequests","message":"slow down"}}' }, { status: 202 }]);
    const { sleep, delays } = recordingSleep();
    const channel = createEmailChannel({ client, from: 'alerts@contoso.example', to: ['secops@contoso.example'], publicBaseUrl: null });
    const [outcome] = await deliverAlert(await storedAlert(), [channel], { sleep, random: () => 0 });
    expect(outcome).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delays).toEqual([5_000]);
    expect(loopback.requests).toHaveLength(2);

    const denied = await graph([{ status: 403, body: '{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}' }]);
    const [refused] = await deliverAlert(await storedAlert(), [createEmailChannel({ client: denied.client, from: 'alerts@contoso.example', to: ['x@contoso.example'], publicBaseUrl: null })], { sleep });
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused!.lastError).toContain('answered 403 ErrorAccessDenied');
    expect(refused!.lastError).toContain('Mail.Send');
  });
});

describe('email channel without an answer from Graph', () => {
  it('abandons a request after the channel timeout and retries it like a dropped connection', async () => {
    // Accepts the request and never answers, as a hung connection would.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => (silent.close(() => resolve()), silent.closeAllConnections())));
    let requests = 0;
    silent.on('request', () => void (requests += 1));
    const client = createGraphClient(testSettings({ GRAPH_BASE_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }));
    const channel = createEmailChannel({ client, from: 'alerts@contoso.example', to: ['secops@contoso.example'], publicBaseUrl: null, timeoutMs: 100 });
    const [outcome] = await deliverAlert(await storedAlert(), [channel], { sleep: async () => undefined, maxAttempts: 2 });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2 });
    expect(outcome!.lastError).toMatch(/^Graph sendMail failed without a response: no answer within 0\.1 s \(gave up after 2 attempts\)$/);
    expect(requests).toBe(2);

    const unreachable = createGraphClient(testSettings({ GRAPH_BASE_URL: `http://127.0.0.1:${await closedPort()}` }));
    const refused = createEmailChannel({ client: unreachable, from: 'alerts@contoso.example', to: ['secops@contoso.example'], publicBaseUrl: null });
    await expect(refused.send(await storedAlert())).rejects.toMatchObject({ status: null, retryable: true, message: expect.stringMatching(/^Graph sendMail failed without a response: network error/) });
  });
});

describe('createAlertChannels', () => {
  it('builds the channels the settings turn on', async () => {
    const settings = testSettings({
      ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_TEAMS_WEBHOOK_URL: 'http://127.0.0.1:9/teams',
      ALERT_EMAIL_FROM: 'alerts@contoso.example',
      ALERT_EMAIL_TO: 'secops@contoso.example',
    });
    const channels = createAlertChannels(settings, { graphClient: createGraphClient(settings) });
    expect(channels.map((c) => c.name)).toEqual(['webhook', 'teams', 'email']);
    expect(createAlertChannels(testSettings())).toEqual([]);
  });

  it('refuses an unsigned webhook and email without a Graph client', () => {
    expect(() => createAlertChannels(testSettings({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }))).toThrow(ConfigurationError);
    expect(() => createAlertChannels(testSettings({ ALERT_EMAIL_FROM: 'a@contoso.example', ALERT_EMAIL_TO: 'b@contoso.example' }))).toThrow(/needs a Graph client/);
  });
});

describe('closed port', () => {
  it('is reported as a retryable failure without a response', async () => {
    const port = await closedPort();
    const error = await createWebhookChannel({ url: `http://127.0.0.1:${port}/`, secret: SECRET, publicBaseUrl: null })
      .send(await storedAlert())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: null, retryable: true });
  });
});
