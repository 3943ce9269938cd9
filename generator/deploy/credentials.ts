import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { isKnownAuthority } from './cloud.js';

/**
 * DefaultAzureCredential: workload identity federation in CI, the Azure CLI on a laptop, a
 * managed identity in Azure. An authority host outside the public clouds (a sovereign or test
 * endpoint) is used as given, without Microsoft's instance discovery.
 */
export function azureCredential(authorityHost: string): TokenCredential {
  return new DefaultAzureCredential({ authorityHost, disableInstanceDiscovery: !isKnownAuthority(authorityHost) });
}
