import type { TokenCredential } from '@azure/identity';
import { bearerTokenAuthenticationPolicy, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, createDefaultHttpClient, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';

/**
 * A small read-only Microsoft Graph client on @azure/core-rest-pipeline, the HTTP layer every Azure
 * SDK client runs on (token refresh through the credential, HTTPS_PROXY / NO_PROXY, user agent).
 * What Graph adds is done here, as Graph documents it: paging by `@odata.nextLink`
 * (learn.microsoft.com/graph/paging) and throttling by 429 + Retry-After
 * (learn.microsoft.com/graph/throttling). Errors are returned, not thrown, so one refused read
 * never stops the others.
 */
export interface GraphError {
  /** HTTP status; 0 when no response came (network failure). */
  status: number;
  /** Graph's error code, e.g. Authorization_RequestDenied, Request_ResourceNotFound. */
  code: string;
  message: string;
  /** The request, as `GET /v1.0/...`. */
  request: string;
}

export type GraphResult<T> = { ok: true; value: T } | { ok: false; error: GraphError };

export interface GraphClientSettings {
  credential: TokenCredential;
  /** Service root without version, e.g. https://graph.microsoft.com. */
  endpoint: string;
  scope: string;
  /** Retries of a throttled (429) or unavailable (503, 504) request, and of a network failure. */
  maxRetries?: number;
  /** Milliseconds per second of Retry-After (1000; tests make it short). */
  retryAfterUnitMs?: number;
  /** Base of the exponential back-off when the server gives no Retry-After. */
  retryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Requests in flight at once (Graph throttles bursts per tenant and app). */
  concurrency?: number;
  /** Seam for tests; the default is Node's HTTPS client of core-rest-pipeline. */
  httpClient?: HttpClient;
}

const RETRYABLE = new Set([429, 503, 504]);

export class GraphClient {
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient;
  private readonly settings: Required<Omit<GraphClientSettings, 'httpClient'>>;
  /** Requests sent, for the report's footnote. */
  requests = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(settings: GraphClientSettings) {
    this.settings = { maxRetries: 5, retryAfterUnitMs: 1000, retryDelayMs: 800, concurrency: 4, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...settings };
    // The pipeline's own retry is off: Graph's Retry-After is handled below, with the test seam.
    this.pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'breakglass-sentinel' } });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: settings.credential, scopes: [settings.scope] }));
    this.http = settings.httpClient ?? createDefaultHttpClient();
  }

  /** One object, e.g. `/v1.0/policies/authorizationPolicy`. */
  async get<T>(path: string): Promise<GraphResult<T>> {
    const response = await this.send(`${this.settings.endpoint}${path}`, path);
    return response.ok ? { ok: true, value: response.value as T } : response;
  }

  /** Every item of a collection, following `@odata.nextLink` to the last page. */
  async list<T>(path: string): Promise<GraphResult<T[]>> {
    const items: T[] = [];
    let url: string | undefined = `${this.settings.endpoint}${path}`;
    while (url) {
      const response = await this.send(url, path);
      if (!response.ok) return response;
      const page = response.value as { value?: T[]; '@odata.nextLink'?: string };
      items.push(...(page.value ?? []));
      url = page['@odata.nextLink'];
    }
    return { ok: true, value: items };
  }

  private async send(url: string, path: string): Promise<GraphResult<unknown>> {
    if (this.inFlight >= this.settings.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    try {
      return await this.attempt(url, path);
    } finally {
      this.inFlight -= 1;
      this.waiting.shift()?.();
    }
  }

  private async attempt(url: string, path: string): Promise<GraphResult<unknown>> {
    const request = `GET ${path}`;
    for (let attempt = 0; ; attempt++) {
      this.requests += 1;
      let status = 0;
      let bodyText = '';
      let retryAfter: string | undefined;
      try {
        const response = await this.pipeline.sendRequest(this.http, createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders({ accept: 'application/json' }) }));
        status = response.status;
        bodyText = response.bodyAsText ?? '';
        retryAfter = response.headers.get('retry-after');
      } catch (error) {
        if (attempt >= this.settings.maxRetries) return { ok: false, error: { status: 0, code: 'NetworkError', message: error instanceof Error ? error.message : String(error), request } };
        await this.settings.sleep(this.backoff(attempt, undefined));
        continue;
      }
      if (status >= 200 && status < 300) {
        try {
          return { ok: true, value: bodyText ? JSON.parse(bodyText) : {} };
        } catch {
          return { ok: false, error: { status, code: 'InvalidJson', message: 'the response is not JSON', request } };
        }
      }
      if (RETRYABLE.has(status) && attempt < this.settings.maxRetries) {
        await this.settings.sleep(this.backoff(attempt, retryAfter));
        continue;
      }
      return { ok: false, error: { status, ...graphError(bodyText), request } };
    }
  }

  private backoff(attempt: number, retryAfter: string | undefined): number {
    const seconds = retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
    if (seconds !== undefined) return seconds * this.settings.retryAfterUnitMs;
    return this.settings.retryDelayMs * 2 ** attempt;
  }
}

/** Graph's error body: `{ "error": { "code", "message" } }` (learn.microsoft.com/graph/errors). */
function graphError(text: string): { code: string; message: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return { code: body.error?.code ?? 'UnknownError', message: body.error?.message ?? text.slice(0, 200) };
  } catch {
    return { code: 'UnknownError', message: text.slice(0, 200) };
  }
}
