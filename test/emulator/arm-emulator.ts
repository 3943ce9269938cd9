import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alertRuleViolations, serviceErrorMessage } from '../../generator/validate/service-rules.js';
import { contractProblems, SENTINEL_SPECS, specApiVersion } from '../contract/openapi-schema.js';
import { entraResponse, requestBody, startHttpsEndpoint, stopHttpsEndpoint } from './https-endpoint.js';

/**
 * An emulator of the Azure Resource Manager endpoints push uses: HTTPS on 127.0.0.1 with a
 * certificate made at start, an OAuth token endpoint for @azure/identity, in-memory resources with
 * etags, and injected faults. It refuses what the real service refuses:
 * - an api-version Microsoft publishes no contract for (Microsoft.SecurityInsights: the versions of
 *   the OpenAPI files in test/fixtures/specs; deployments: the version the Azure SDK uses);
 * - a body that breaks the published OpenAPI contract (unknown property, wrong enum, missing
 *   required field, read-only field sent);
 * - an analytics rule that breaks one of the service's validations, from the same table
 *   `validate` enforces (generator/validate/service-rules.ts), with the service's message.
 */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '0a1b2c3d-0000-4000-8000-00000000c11e';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A token shaped like Entra's (unsigned): push reads who it is for from its claims. */
export const TOKEN = `${b64({ typ: 'JWT', alg: 'none' })}.${b64({ aud: 'https://management.azure.com', tid: TENANT, appid: CLIENT_ID, oid: '5f0c9e1a-0000-4000-8000-0000000000aa' })}.emulator`;

const SENTINEL_VERSIONS = [...new Set(Object.values(SENTINEL_SPECS).map(specApiVersion))];
// Microsoft.Resources has no spec in our fixtures: the version the Azure SDK for deployments (@azure/arm-resources 6.x) sends.
const RESOURCES_VERSIONS = ['2025-03-01'];

export type Fault =
  | { kind: '429'; retryAfterSeconds: number }
  | { kind: '500' }
  | { kind: 'drop' }
  | { kind: 'slow'; delayMs: number }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** 200 with a body that is not what Resource Manager sends (a proxy's login page, a truncated answer). */
  | { kind: 'html' }
  | { kind: 'truncated' }
  /** Sends the headers and half a body, then resets the connection. */
  | { kind: 'reset-mid-response' }
  /** A 400 whose message echoes the request's headers back (as some proxies and gateways do). */
  | { kind: 'echo-headers' }
  /** A list answered with its first page and this nextLink (`self`: the request's own URL). */
  | { kind: 'next-link'; to: string | 'self' };

export interface FaultRule {
  method?: string;
  /** Matched against the lower-cased path. */
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault; Infinity for all. */
  times: number;
}

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  at: number;
  /** The parsed body of a PUT. */
  body?: unknown;
}

interface Stored {
  body: Record<string, unknown>;
  etag: string;
  /** Deployments: GETs left before it reports Succeeded. */
  runningPolls?: number;
}

export class ArmEmulator {
  readonly resources = new Map<string, Stored>();
  readonly calls: CallRecord[] = [];
  faults: FaultRule[] = [];
  /** Added to every Resource Manager response (not to token requests). */
  latencyMs = 0;
  /** List responses hold at most this many items per page (with a nextLink). */
  pageSize = 100;
  /** A new deployment reports Running for this many GETs before Succeeded. */
  deploymentPolls = 0;
  /** The token endpoint answers like Entra does for a wrong client secret. */
  rejectSecret = false;
  /** The token endpoint accepts requests and never answers. */
  hangTokens = false;
  maxInFlight = 0;
  private inFlight = 0;
  private etagCounter = 0;
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  caFile = '';
  /** The certificate's PEM, for in-process clients (tls seam) that cannot use NODE_EXTRA_CA_CERTS. */
  caPem = '';
  url = '';

  async start(): Promise<void> {
    const endpoint = await startHttpsEndpoint((req, res) => void this.handle(req, res), 'arm-emulator-');
    ({ server: this.server, caFile: this.caFile, caPem: this.caPem, url: this.url } = endpoint);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await stopHttpsEndpoint(this.server);
  }

  /** The environment a CLI process needs to use this emulator through DefaultAzureCredential. */
  env(): Record<string, string> {
    return {
      NODE_EXTRA_CA_CERTS: this.caFile,
      AZURE_AUTHORITY_HOST: this.url,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: 'emulator-only-secret',
      BREAKGLASS_ARM_ENDPOINT: this.url,
      BREAKGLASS_RETRY_DELAY_MS: '20',
      BREAKGLASS_DEPLOYMENT_POLL_MS: '20',
    };
  }

  writes(): CallRecord[] {
    return this.calls.filter((c) => c.method === 'PUT' || c.method === 'DELETE' || c.method === 'PATCH');
  }

  /** Resources under a path prefix (lower-cased keys). */
  under(prefix: string): [string, Record<string, unknown>][] {
    const p = prefix.toLowerCase();
    return [...this.resources.entries()].filter(([k]) => k.startsWith(p)).map(([k, v]) => [k, v.body]);
  }

  /** Changes a stored resource as someone in the portal would. */
  edit(path: string, change: (body: Record<string, unknown>) => void): void {
    const stored = this.resources.get(path.toLowerCase());
    if (!stored) throw new Error(`no resource ${path}`);
    change(stored.body);
    stored.etag = this.nextEtag();
    stored.body['etag'] = stored.etag;
  }

  seed(path: string, body: Record<string, unknown>): void {
    const etag = this.nextEtag();
    this.resources.set(path.toLowerCase(), { body: { ...body, id: path, name: path.split('/').pop(), etag }, etag });
  }

  /** Forgets everything stored and every call, for a test that needs an empty tenant. */
  reset(): void {
    this.resources.clear();
    this.calls.length = 0;
    this.faults = [];
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `"${this.etagCounter.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await requestBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method, path, status, at: Date.now(), ...(method === 'PUT' ? { body: safeParse(body) } : {}) });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    if (this.rejectSecret && path.endsWith('/oauth2/v2.0/token')) {
      // The shape Entra ID answers a wrong client secret with.
      return reply(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'. Trace ID: 00000000-0000-0000-0000-000000000000 Correlation ID: 00000000-0000-0000-0000-000000000000 Timestamp: 2026-11-29 10:00:00Z`, error_codes: [7000215], timestamp: '2026-11-29 10:00:00Z', trace_id: '00000000-0000-0000-0000-000000000000', correlation_id: '00000000-0000-0000-0000-000000000000' });
    }
    if (this.hangTokens && path.endsWith('/oauth2/v2.0/token')) {
      this.hanging.add(res);
      return;
    }
    const entra = entraResponse(path, this.url, body, () => TOKEN);
    if (entra) return reply(entra.status, entra.payload);

    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs > 0) await delay(this.latencyMs);
      const fault = this.takeFault(method, path.toLowerCase());
      if (fault?.kind === 'drop') {
        this.calls.push({ method, path, status: 0, at: Date.now() });
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') {
        this.calls.push({ method, path, status: 0, at: Date.now() });
        this.hanging.add(res);
        return;
      }
      if (fault?.kind === 'reset-mid-response') {
        this.calls.push({ method, path, status: 0, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"value":[{"name":"half');
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      if (fault?.kind === 'html') {
        this.calls.push({ method, path, status: 200, at: Date.now() });
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Sign in to continue</body></html>');
        return;
      }
      if (fault?.kind === 'truncated') {
        this.calls.push({ method, path, status: 200, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"value":[{"name":');
        return;
      }
      if (fault?.kind === 'echo-headers') {
        const echoed = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
        return reply(400, { error: { code: 'BadRequest', message: `Request rejected. Request headers were: ${echoed.replace(/\n/g, ', ')}` } });
      }
      if (fault?.kind === 'next-link') {
        const page = { value: [], nextLink: fault.to === 'self' ? `${this.url}${req.url ?? '/'}` : fault.to };
        return reply(200, page);
      }
      if (fault?.kind === 'slow') await delay(fault.delayMs);
      if (fault?.kind === '429') return reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests (emulated throttling).' } }, { 'retry-after': String(fault.retryAfterSeconds) });
      if (fault?.kind === '500') return reply(500, { error: { code: 'InternalServerError', message: 'Emulated server error.' } });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { error: { code: 'AuthenticationFailed', message: 'missing or wrong bearer token' } });
      const provider = /\/providers\/([^/]+)\/[^/]+/i.exec(path.replace(/\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+/i, ''))?.[1]?.toLowerCase() ?? '';
      const allowed = provider === 'microsoft.securityinsights' ? SENTINEL_VERSIONS : provider === 'microsoft.resources' ? RESOURCES_VERSIONS : undefined;
      const apiVersion = url.searchParams.get('api-version') ?? '';
      if (!allowed || !allowed.includes(apiVersion)) {
        return reply(400, { error: { code: 'InvalidApiVersionParameter', message: `The api-version '${apiVersion}' is invalid. The supported versions are '${(allowed ?? []).join(',')}'.` } });
      }
      this.route(method, path, url, body, reply);
    } finally {
      this.inFlight -= 1;
    }
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.faults.find((f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(path));
    if (!rule) return undefined;
    rule.times -= 1;
    return rule.fault;
  }

  /** Why the service would refuse this PUT body, or undefined when it accepts it. */
  private refusal(key: string, incoming: Record<string, unknown>): string | undefined {
    if (/\/alertrules\/[^/]+$/.test(key)) {
      const violations = alertRuleViolations(String(incoming['kind']), incoming['properties']);
      if (violations.length > 0) return serviceErrorMessage(violations);
      return contractMessage(contractProblems(SENTINEL_SPECS.alertRules, 'AlertRule', incoming));
    }
    if (/\/automationrules\/[^/]+$/.test(key)) return contractMessage(contractProblems(SENTINEL_SPECS.automationRules, 'AutomationRule', incoming));
    if (/\/watchlistitems\/[^/]+$/.test(key)) return contractMessage(contractProblems(SENTINEL_SPECS.watchlists, 'WatchlistItem', incoming));
    if (/\/watchlists\/[^/]+$/.test(key)) return contractMessage(contractProblems(SENTINEL_SPECS.watchlists, 'Watchlist', incoming));
    return undefined;
  }

  private route(method: string, path: string, url: URL, text: string, reply: (status: number, payload: unknown, headers?: Record<string, string>) => void): void {
    const key = path.toLowerCase();
    const isCollection = /\/(alertrules|automationrules|watchlists|watchlistitems)$/.test(key);
    if (isCollection && method === 'GET') {
      const depth = key.split('/').length + 1;
      const all = [...this.resources.entries()].filter(([k]) => k.startsWith(`${key}/`) && k.split('/').length === depth).map(([, v]) => v.body);
      const skip = Number(url.searchParams.get('$skipToken') ?? '0');
      const page = all.slice(skip, skip + this.pageSize);
      const next = skip + this.pageSize < all.length ? `${this.url}${path}?api-version=${url.searchParams.get('api-version')}&$skipToken=${skip + this.pageSize}` : undefined;
      return reply(200, { value: page, ...(next ? { nextLink: next } : {}) });
    }
    const stored = this.resources.get(key);
    if (method === 'GET') {
      if (!stored) return reply(404, { error: { code: 'NotFound', message: `${path} was not found.` } });
      if (stored.runningPolls !== undefined && stored.runningPolls > 0) {
        stored.runningPolls -= 1;
        const properties = stored.body['properties'] as Record<string, unknown>;
        properties['provisioningState'] = stored.runningPolls > 0 ? 'Running' : 'Succeeded';
      }
      return reply(200, stored.body);
    }
    if (method === 'DELETE') {
      if (!stored) return reply(204, undefined);
      for (const k of [...this.resources.keys()]) if (k === key || k.startsWith(`${key}/`)) this.resources.delete(k);
      return reply(200, undefined);
    }
    if (method === 'PUT') {
      const incoming = safeParse(text);
      if (incoming === undefined || incoming === null || typeof incoming !== 'object' || Array.isArray(incoming)) {
        return reply(400, { error: { code: 'InvalidRequestContent', message: 'The request content was invalid and could not be deserialized.' } });
      }
      const body = incoming as Record<string, unknown>;
      const refused = this.refusal(key, body);
      if (refused) return reply(400, { error: { code: 'BadRequest', message: refused } });
      if (stored?.runningPolls !== undefined && stored.runningPolls > 0) {
        // Resource Manager's answer to replacing a deployment that still runs.
        return reply(409, { error: { code: 'DeploymentActive', message: `Unable to edit or replace deployment '${path.split('/').pop()}': previous deployment from '${new Date(0).toISOString()}' is still active (expiration time is '${new Date(7 * 86_400_000).toISOString()}'). Please see https://aka.ms/arm-deploy for usage details.` } });
      }
      const sentEtag = body['etag'];
      if (stored && typeof sentEtag === 'string' && sentEtag !== stored.etag) {
        return reply(412, { error: { code: 'PreconditionFailed', message: `etag ${sentEtag} does not match the current ${stored.etag}` } });
      }
      const etag = this.nextEtag();
      const properties = { ...((body['properties'] as Record<string, unknown> | undefined) ?? {}) };
      const deployment = key.includes('/microsoft.resources/deployments/');
      if (deployment) properties['provisioningState'] = this.deploymentPolls > 0 ? 'Running' : 'Succeeded';
      else properties['lastModifiedUtc'] = new Date(0).toISOString();
      // The service keeps an upload's content and format to itself: Microsoft's watchlist GET and
      // PUT responses (Watchlists.json examples) never carry rawContent, contentType or numberOfLinesToSkip.
      if (/\/watchlists\/[^/]+$/.test(key)) for (const upload of ['rawContent', 'contentType', 'numberOfLinesToSkip']) delete properties[upload];
      const saved = { ...body, properties, id: path, name: path.split('/').pop(), type: resourceType(key), etag };
      this.resources.set(key, { body: saved, etag, ...(deployment && this.deploymentPolls > 0 ? { runningPolls: this.deploymentPolls } : {}) });
      return reply(stored ? 200 : 201, saved);
    }
    return reply(405, { error: { code: 'MethodNotAllowed', message: method } });
  }
}

function contractMessage(problems: string[]): string | undefined {
  return problems.length === 0 ? undefined : `The request content was invalid: ${problems.join('; ')}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function resourceType(key: string): string {
  if (key.includes('/watchlistitems/')) return 'Microsoft.SecurityInsights/Watchlists/WatchlistItems';
  if (key.includes('/watchlists/')) return 'Microsoft.SecurityInsights/Watchlists';
  if (key.includes('/automationrules/')) return 'Microsoft.SecurityInsights/AutomationRules';
  if (key.includes('/alertrules/')) return 'Microsoft.SecurityInsights/alertRules';
  return 'Microsoft.Resources/deployments';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
