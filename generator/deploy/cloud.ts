import type { Cloud } from '../manifest/types.js';

export interface CloudEndpoints {
  resourceManager: string;
  authorityHost: string;
  /** OAuth scope of Resource Manager tokens. */
  scope: string;
  /** Microsoft Graph service root (learn.microsoft.com/graph/deployments; US Government L4, GCC High). */
  graph: string;
  /** OAuth scope of Microsoft Graph tokens: the Graph domain of the same cloud. */
  graphScope: string;
  /** Log Analytics query API (learn.microsoft.com/azure/azure-monitor/logs/api/access-api), without /v1. */
  logAnalytics: string;
  /** OAuth scope of Log Analytics query tokens. */
  logAnalyticsScope: string;
}

export const CLOUDS: Record<Cloud, CloudEndpoints> = {
  AzureCloud: {
    resourceManager: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    scope: 'https://management.azure.com/.default',
    graph: 'https://graph.microsoft.com',
    graphScope: 'https://graph.microsoft.com/.default',
    logAnalytics: 'https://api.loganalytics.io',
    logAnalyticsScope: 'https://api.loganalytics.io/.default',
  },
  AzureUSGovernment: {
    resourceManager: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    scope: 'https://management.usgovcloudapi.net/.default',
    graph: 'https://graph.microsoft.us',
    graphScope: 'https://graph.microsoft.us/.default',
    logAnalytics: 'https://api.loganalytics.us',
    logAnalyticsScope: 'https://api.loganalytics.us/.default',
  },
  AzureChinaCloud: {
    resourceManager: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    scope: 'https://management.chinacloudapi.cn/.default',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    logAnalytics: 'https://api.loganalytics.azure.cn',
    logAnalyticsScope: 'https://api.loganalytics.azure.cn/.default',
  },
};

/** Explicit endpoints (sovereign clouds, tests): each replaces its cloud's URL; scopes stay the cloud's. */
export interface EndpointOverrides {
  armEndpoint?: string;
  authorityHost?: string;
  graphEndpoint?: string;
  logsEndpoint?: string;
}

/** The endpoints for a workspace or tenant: its cloud, unless an explicit endpoint is given. */
export function endpointsFor(cloud: Cloud | undefined, overrides: EndpointOverrides): CloudEndpoints {
  const base = CLOUDS[cloud ?? 'AzureCloud'];
  const trim = (url: string) => url.replace(/\/+$/, '');
  return {
    ...base,
    resourceManager: trim(overrides.armEndpoint ?? base.resourceManager),
    authorityHost: trim(overrides.authorityHost ?? base.authorityHost),
    graph: trim(overrides.graphEndpoint ?? base.graph),
    logAnalytics: trim(overrides.logsEndpoint ?? base.logAnalytics),
  };
}

export function isKnownAuthority(host: string): boolean {
  return Object.values(CLOUDS).some((c) => c.authorityHost === host.replace(/\/+$/, ''));
}
