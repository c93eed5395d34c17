/** The Azure credential for Table Storage and (outside the emulator) Graph: the app's managed identity. */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Settings } from './settings';

export function createAzureCredential(settings: Settings): TokenCredential {
  const clientId = settings.graph.clientId ?? undefined;
  if (settings.graph.credential === 'default') {
    return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  }
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}
