import { endpointsFor } from '../deploy/cloud.js';
import { formatSeconds } from '../deploy/azure-rest.js';
import { azureCredential } from '../deploy/credentials.js';
import { signIn, SignInError } from '../deploy/sign-in.js';
import { GraphClient } from '../graph/graph-client.js';
import type { Cloud, Manifest } from '../manifest/types.js';
import { packageVersion } from '../package-info.js';
import type { Colors } from '../report/text-report.js';
import type { YamlSource } from '../yaml-source.js';
import { evaluatePosture } from './evaluate-posture.js';
import { formatPostureText, postureJson, postureSarif, summary, type PostureReport } from './posture-report.js';
import { readTenant } from './read-tenant.js';

/** A usage error of posture or drill (exit 2): the CLI turns it into its own. */
export class TenantUsageError extends Error {}

export interface PostureArgs {
  format: 'text' | 'json' | 'sarif';
  detailedExitcode: boolean;
  graphEndpoint?: string;
}

export interface TenantCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  colors: Colors;
  /** Aborted on Ctrl-C: waits end. */
  signal?: AbortSignal;
  /** Seam: the clock (the validation check counts days from it). */
  now?: () => Date;
}

/** The cloud of the manifest's tenant: its workspaces' cloud, which must be one. */
export function tenantCloud(manifest: Manifest): Cloud {
  const clouds = [...new Set(manifest.workspaces.map((w) => w.cloud ?? 'AzureCloud'))];
  if (clouds.length > 1) throw new TenantUsageError(`the manifest's workspaces are in ${clouds.join(' and ')}: posture reads one tenant; give its Graph endpoint with --graph-endpoint`);
  return clouds[0] ?? 'AzureCloud';
}

export function tenantIdOf(manifest: Manifest, env: Record<string, string | undefined>, command: string): string {
  const tenantId = manifest.tenantId ?? env['AZURE_TENANT_ID'];
  if (!tenantId) throw new TenantUsageError(`${command} needs the tenant id: set tenantId in the manifest or AZURE_TENANT_ID`);
  return tenantId;
}

/**
 * `breakglass posture`: reads the tenant through Microsoft Graph (GET only) and checks that the
 * way back in still works. Exit 0 when every check passes (warnings too, unless
 * --detailed-exitcode: then 2), 1 when a check fails or could not be made.
 */
export async function runPosture(args: PostureArgs, manifest: Manifest, source: YamlSource, file: string, io: TenantCommandIo): Promise<number> {
  const tenantId = tenantIdOf(manifest, io.env, 'posture');
  const graphEndpoint = args.graphEndpoint ?? io.env['BREAKGLASS_GRAPH_ENDPOINT'];
  const authorityHost = io.env['AZURE_AUTHORITY_HOST'];
  const endpoints = endpointsFor(graphEndpoint ? manifest.workspaces[0]?.cloud : tenantCloud(manifest), { ...(graphEndpoint ? { graphEndpoint } : {}), ...(authorityHost ? { authorityHost } : {}) });
  const number = (name: string) => (io.env[name] !== undefined && /^\d+$/.test(io.env[name]!) ? Number(io.env[name]) : undefined);
  const retryAfterUnitMs = number('BREAKGLASS_RETRY_AFTER_UNIT_MS');
  const retryDelayMs = number('BREAKGLASS_RETRY_DELAY_MS');
  const credential = azureCredential(endpoints.authorityHost);
  // One sign-in first: a missing login is one clear message, not a failed check per read.
  try {
    const { identity } = await signIn(credential, endpoints.graphScope, endpoints.authorityHost, io.signal);
    if (args.format === 'text') io.stdout.write(`signed in as ${identity}\n`);
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    io.stderr.write(`breakglass: ${error.message}\n`);
    return 1;
  }
  const graph = new GraphClient({
    credential,
    endpoint: endpoints.graph,
    scope: endpoints.graphScope,
    onWait: (what, ms) => io.stderr.write(`waiting ${formatSeconds(ms)}: ${what}\n`),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(retryAfterUnitMs !== undefined ? { retryAfterUnitMs } : {}),
    ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
  });
  const now = io.now?.() ?? new Date();
  const reads = await readTenant(graph, manifest, now);
  const report: PostureReport = { tenantId, graphEndpoint: endpoints.graph, readAt: now.toISOString(), requests: graph.requests, checks: evaluatePosture(manifest, reads) };
  if (args.format === 'json') io.stdout.write(`${JSON.stringify(postureJson(report, manifest, source, file), null, 2)}\n`);
  else if (args.format === 'sarif') io.stdout.write(`${JSON.stringify(postureSarif(report, manifest, source, file, packageVersion()), null, 2)}\n`);
  else io.stdout.write(`${formatPostureText(report, io.colors)}\n`);
  const s = summary(report.checks);
  if (s.fail > 0 || s.unknown > 0) return 1;
  return args.detailedExitcode && s.warn > 0 ? 2 : 0;
}
