/**
 * Builds the Microsoft Graph client. The default chain of @microsoft/microsoft-graph-client only attaches the
 * token to https Graph hosts, so a loopback emulator on http would be called anonymously; our chain adds the
 * bearer token itself (the base URL is validated by the settings module: https, or http on loopback only) and
 * leaves retries to GraphTransport, which can see and budget them.
 */
import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import { createAzureCredential } from '../config/credential';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const EMULATOR_TOKEN = 'emulator-token';

/** The emulator accepts one fixed token; this credential hands it out. */
export class EmulatorTokenCredential implements TokenCredential {
  constructor(private readonly token = EMULATOR_TOKEN) {}
  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

class BearerTokenHandler implements Middleware {
  private next?: Middleware;
  private cached?: AccessToken;
  constructor(private readonly credential: TokenCredential) {}

  async execute(context: Context): Promise<void> {
    // Refresh five minutes early; @azure/identity caches too, this only saves the async hop.
    if (!this.cached || this.cached.expiresOnTimestamp - Date.now() < 300_000) {
      const token = await this.credential.getToken(GRAPH_SCOPE);
      if (!token) throw new Error('The credential returned no token for Microsoft Graph.');
      this.cached = token;
    }
    const options = (context.options ??= {});
    options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${this.cached.token}` };
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function graphCredential(settings: Settings): TokenCredential {
  return settings.graph.credential === 'emulator' ? new EmulatorTokenCredential() : createAzureCredential(settings);
}

export function createGraphClient(settings: Settings, credential: TokenCredential = graphCredential(settings)): Client {
  const auth = new BearerTokenHandler(credential);
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: auth, baseUrl: settings.graph.baseUrl, defaultVersion: 'beta' });
}
