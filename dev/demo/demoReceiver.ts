/**
 * The local demo's alert receiver: a loopback webhook that prints every alert as it arrives, handed to the
 * product as one more alert channel. Never part of the deployed app.
 */
import { randomUUID } from 'node:crypto';
import type { AlertChannel } from '../../src/alerts/delivery/channel';
import { createWebhookChannel } from '../../src/alerts/delivery/webhook';
import { startWebhookReceiver } from './webhookReceiver';

export interface DemoReceiver {
  channel: AlertChannel;
  url: string;
  close(): Promise<void>;
}

export async function startDemoReceiver(options: { publicBaseUrl: string | null; print?: (line: string) => void }): Promise<DemoReceiver> {
  const secret = randomUUID();
  const print = options.print ?? ((line: string) => console.log(line));
  const receiver = await startWebhookReceiver({
    secret,
    onAlert: (payload) => print(`  ALERT [${payload.alert.severity}] ${payload.alert.ruleId}: ${payload.alert.title}`),
  });
  return {
    channel: createWebhookChannel({ url: receiver.url, secret, publicBaseUrl: options.publicBaseUrl }),
    url: receiver.url,
    close: () => receiver.close(),
  };
}
