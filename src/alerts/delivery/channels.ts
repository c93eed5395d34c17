/** The channels configured by settings, built once at start-up. */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../../config/settings';
import { ConfigurationError } from '../../errors';
import type { AlertChannel } from './channel';
import { createEmailChannel } from './email';
import { createTeamsChannel } from './teams';
import { createWebhookChannel } from './webhook';

export interface ChannelDependencies {
  /** Graph client for email; required when ALERT_EMAIL_FROM is set. */
  graphClient?: Client | null;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
}

export function createAlertChannels(settings: Settings, dependencies: ChannelDependencies = {}): AlertChannel[] {
  const { alerts, publicBaseUrl } = settings;
  const channels: AlertChannel[] = [];
  if (alerts.webhookUrl) {
    // An unsigned webhook could be forged by anyone who learns its URL; refuse to send without a secret.
    if (!alerts.webhookSecret) {
      throw new ConfigurationError(
        'Setting ALERT_WEBHOOK_URL is set but ALERT_WEBHOOK_SECRET is empty: webhook alerts are always signed. Set a long random secret (a Key Vault reference in Azure) and share it with the receiver.',
        'ALERT_WEBHOOK_SECRET',
      );
    }
    channels.push(createWebhookChannel({ url: alerts.webhookUrl, secret: alerts.webhookSecret, publicBaseUrl, timeoutMs: dependencies.timeoutMs }));
  }
  if (alerts.teamsWebhookUrl) {
    channels.push(createTeamsChannel({ url: alerts.teamsWebhookUrl, publicBaseUrl, timeoutMs: dependencies.timeoutMs }));
  }
  if (alerts.emailFrom) {
    if (!dependencies.graphClient) {
      throw new ConfigurationError('Setting ALERT_EMAIL_FROM is set, so alert email needs a Graph client; none was given.', 'ALERT_EMAIL_FROM');
    }
    channels.push(createEmailChannel({ client: dependencies.graphClient, from: alerts.emailFrom, to: alerts.emailTo, publicBaseUrl, timeoutMs: dependencies.timeoutMs }));
  }
  return channels;
}
