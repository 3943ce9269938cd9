import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { isKnownAuthority } from './cloud.js';

/** A token request with no answer after this long fails (the default of --request-timeout). */
export const DEFAULT_TOKEN_REQUEST_TIMEOUT_MS = 60_000;

/**
 * DefaultAzureCredential: workload identity federation in CI, the Azure CLI on a laptop, a
 * managed identity in Azure. An authority host outside the public clouds (a sovereign or test
 * endpoint) is used as given, without Microsoft's instance discovery.
 *
 * Every HTTP request it makes (to Entra ID, to the managed identity endpoint) has a timeout: the
 * identity library sets none, and does not pass a caller's abort signal on to its token requests,
 * so an authority that accepts the connection and never answers would otherwise hang sign-in, and
 * keep the process alive after it gave up.
 */
export function azureCredential(authorityHost: string, requestTimeoutMs = DEFAULT_TOKEN_REQUEST_TIMEOUT_MS): TokenCredential {
  return new DefaultAzureCredential({ authorityHost, disableInstanceDiscovery: !isKnownAuthority(authorityHost), httpClient: withTimeout(createDefaultHttpClient(), requestTimeoutMs) });
}

function withTimeout(client: HttpClient, ms: number): HttpClient {
  return {
    sendRequest(request) {
      if (!request.timeout || request.timeout > ms) request.timeout = ms;
      return client.sendRequest(request);
    },
  };
}
