import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { entraResponse, startHttpsEndpoint, stopHttpsEndpoint } from './https-endpoint.js';

/**
 * An emulator of the Azure Resource Manager endpoints push uses, for the real SDK clients:
 * HTTPS on 127.0.0.1 with a certificate made at start, an OAuth token endpoint for
 * @azure/identity, in-memory resources with etags, api-version checks, and injected faults.
 */
export const TOKEN = 'emulator-access-token';
const API_VERSIONS: Record<string, string[]> = {
  'microsoft.securityinsights': ['2022-09-01-preview'],
  'microsoft.resources': ['2025-03-01'],
};

export type Fault = { kind: '429'; retryAfterSeconds: number } | { kind: '500' } | { kind: 'drop' } | { kind: 'slow'; delayMs: number };

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
}

interface Stored {
  body: Record<string, unknown>;
  etag: string;
}

export class ArmEmulator {
  readonly resources = new Map<string, Stored>();
  readonly calls: CallRecord[] = [];
  faults: FaultRule[] = [];
  /** Added to every Resource Manager response (not to token requests). */
  latencyMs = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private etagCounter = 0;
  private server?: Server;
  caFile = '';
  url = '';

  async start(): Promise<void> {
    const endpoint = await startHttpsEndpoint((req, res) => void this.handle(req, res), 'arm-emulator-');
    ({ server: this.server, caFile: this.caFile, url: this.url } = endpoint);
  }

  async stop(): Promise<void> {
    await stopHttpsEndpoint(this.server);
  }

  /** The environment a CLI process needs to use this emulator through DefaultAzureCredential. */
  env(): Record<string, string> {
    return {
      NODE_EXTRA_CA_CERTS: this.caFile,
      AZURE_AUTHORITY_HOST: this.url,
      AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      AZURE_CLIENT_ID: '0a1b2c3d-0000-4000-8000-00000000c11e',
      AZURE_CLIENT_SECRET: 'emulator-only-secret',
      BREAKGLASS_ARM_ENDPOINT: this.url,
      BREAKGLASS_RETRY_DELAY_MS: '50',
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

  private nextEtag(): string {
    this.etagCounter += 1;
    return `"${this.etagCounter.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method, path, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

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
      if (fault?.kind === 'slow') await delay(fault.delayMs);
      if (fault?.kind === '429') return reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests (emulated throttling).' } }, { 'retry-after': String(fault.retryAfterSeconds) });
      if (fault?.kind === '500') return reply(500, { error: { code: 'InternalServerError', message: 'Emulated server error.' } });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { error: { code: 'AuthenticationFailed', message: 'missing or wrong bearer token' } });
      const provider = /\/providers\/([^/]+)\/[^/]+/i.exec(path.replace(/\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+/i, ''))?.[1]?.toLowerCase() ?? '';
      const allowed = API_VERSIONS[provider];
      const apiVersion = url.searchParams.get('api-version') ?? '';
      if (!allowed || !allowed.includes(apiVersion)) {
        return reply(400, { error: { code: 'InvalidApiVersionParameter', message: `api-version '${apiVersion}' is not supported for ${provider || path}` } });
      }
      this.route(method, path, body, reply);
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

  private route(method: string, path: string, text: string, reply: (status: number, payload: unknown, headers?: Record<string, string>) => void): void {
    const key = path.toLowerCase();
    const isCollection = /\/(alertrules|automationrules|watchlists|watchlistitems)$/.test(key);
    if (isCollection && method === 'GET') {
      const depth = key.split('/').length + 1;
      const value = [...this.resources.entries()].filter(([k]) => k.startsWith(`${key}/`) && k.split('/').length === depth).map(([, v]) => v.body);
      return reply(200, { value });
    }
    const stored = this.resources.get(key);
    if (method === 'GET') return stored ? reply(200, stored.body) : reply(404, { error: { code: 'NotFound', message: `${path} was not found.` } });
    if (method === 'DELETE') {
      if (!stored) return reply(204, undefined);
      for (const k of [...this.resources.keys()]) if (k === key || k.startsWith(`${key}/`)) this.resources.delete(k);
      return reply(200, undefined);
    }
    if (method === 'PUT') {
      let incoming: Record<string, unknown>;
      try {
        incoming = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return reply(400, { error: { code: 'InvalidRequestContent', message: 'body is not JSON' } });
      }
      const sentEtag = incoming['etag'];
      if (stored && typeof sentEtag === 'string' && sentEtag !== stored.etag) {
        return reply(412, { error: { code: 'PreconditionFailed', message: `etag ${sentEtag} does not match the current ${stored.etag}` } });
      }
      const etag = this.nextEtag();
      const properties = { ...((incoming['properties'] as Record<string, unknown> | undefined) ?? {}) };
      if (key.includes('/microsoft.resources/deployments/')) properties['provisioningState'] = 'Succeeded';
      else properties['lastModifiedUtc'] = new Date(0).toISOString();
      const saved = { ...incoming, properties, id: path, name: path.split('/').pop(), type: resourceType(key), etag };
      this.resources.set(key, { body: saved, etag });
      return reply(stored ? 200 : 201, saved);
    }
    return reply(405, { error: { code: 'MethodNotAllowed', message: method } });
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
