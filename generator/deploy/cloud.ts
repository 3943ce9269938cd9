import type { Cloud } from '../manifest/types.js';

export interface CloudEndpoints {
  resourceManager: string;
  authorityHost: string;
  /** OAuth scope of Resource Manager tokens. */
  scope: string;
}

export const CLOUDS: Record<Cloud, CloudEndpoints> = {
  AzureCloud: { resourceManager: 'https://management.azure.com', authorityHost: 'https://login.microsoftonline.com', scope: 'https://management.azure.com/.default' },
  AzureUSGovernment: { resourceManager: 'https://management.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us', scope: 'https://management.usgovcloudapi.net/.default' },
  AzureChinaCloud: { resourceManager: 'https://management.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn', scope: 'https://management.chinacloudapi.cn/.default' },
};

/** The endpoints for a workspace: its cloud, unless an explicit Resource Manager endpoint is given. */
export function endpointsFor(cloud: Cloud | undefined, overrides: { armEndpoint?: string; authorityHost?: string }): CloudEndpoints {
  const base = CLOUDS[cloud ?? 'AzureCloud'];
  return {
    resourceManager: (overrides.armEndpoint ?? base.resourceManager).replace(/\/+$/, ''),
    authorityHost: (overrides.authorityHost ?? base.authorityHost).replace(/\/+$/, ''),
    scope: base.scope,
  };
}

export function isKnownAuthority(host: string): boolean {
  return Object.values(CLOUDS).some((c) => c.authorityHost === host.replace(/\/+$/, ''));
}
