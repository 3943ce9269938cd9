import type { TokenCredential } from '@azure/identity';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { AzureRest, AzureRestError, printable } from '../deploy/azure-rest.js';
import { DEFAULT_TIMING } from '../deploy/workspace-api.js';

/**
 * A small read-only Microsoft Graph client on the same REST client as push (deploy/azure-rest.ts:
 * @azure/core-rest-pipeline for sign-in and proxies; a timeout on every request; 429 and 5xx
 * retried after Retry-After within a retry budget, each wait announced and ended by Ctrl-C).
 * Graph's own rules are followed: paging by `@odata.nextLink` (learn.microsoft.com/graph/paging)
 * and throttling by 429 + Retry-After (learn.microsoft.com/graph/throttling). Errors are returned,
 * not thrown, so one refused read never stops the others.
 */
export interface GraphError {
  /** HTTP status; 0 when no response came (network failure, timeout, budget). */
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
  /** Retries of a throttled (429) or failing (5xx) request, and of a network failure. */
  maxRetries?: number;
  /** Milliseconds per second of Retry-After (1000; tests make it short). */
  retryAfterUnitMs?: number;
  /** Base of the exponential back-off when the server gives no Retry-After. */
  retryDelayMs?: number;
  requestTimeoutMs?: number;
  /** All waits before retries together, at most. */
  retryBudgetMs?: number;
  /** Requests in flight at once (Graph throttles bursts per tenant and app). */
  concurrency?: number;
  signal?: AbortSignal;
  onWait?: (what: string, ms: number) => void;
  /** Seam for tests; the default is Node's HTTPS client of core-rest-pipeline. */
  httpClient?: HttpClient;
}

export class GraphClient {
  private readonly rest: AzureRest;
  private readonly concurrency: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(settings: GraphClientSettings) {
    this.concurrency = settings.concurrency ?? 4;
    this.rest = new AzureRest({
      credential: settings.credential,
      endpoint: settings.endpoint,
      scope: settings.scope,
      requestTimeoutMs: settings.requestTimeoutMs ?? DEFAULT_TIMING.requestTimeoutMs,
      retryBudgetMs: settings.retryBudgetMs ?? DEFAULT_TIMING.retryBudgetMs,
      retryDelayMs: settings.retryDelayMs ?? DEFAULT_TIMING.retryDelayMs,
      maxRetries: settings.maxRetries ?? 5,
      ...(settings.retryAfterUnitMs !== undefined ? { retryAfterUnitMs: settings.retryAfterUnitMs } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
      ...(settings.onWait ? { onWait: settings.onWait } : {}),
      ...(settings.httpClient ? { httpClient: settings.httpClient } : {}),
    });
  }

  /** Requests sent, retries included (for the report's footnote). */
  get requests(): number {
    return this.rest.requests;
  }

  /** One object, e.g. `/v1.0/policies/authorizationPolicy`. */
  async get<T>(path: string): Promise<GraphResult<T>> {
    return this.limited(path, async () => {
      const value = await this.rest.get(path);
      if (value === undefined) throw new AzureRestError('not found', 404, 'Request_ResourceNotFound', `${path} was not found`);
      return value as T;
    });
  }

  /** Every item of a collection, following `@odata.nextLink` to the last page. */
  async list<T>(path: string): Promise<GraphResult<T[]>> {
    return this.limited(path, async () => (await this.rest.list(path)) as T[]);
  }

  private async limited<T>(path: string, call: () => Promise<T>): Promise<GraphResult<T>> {
    if (this.inFlight >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      return { ok: false, error: graphError(error, `GET ${path}`) };
    } finally {
      this.inFlight -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** Graph's error (`{ "error": { "code", "message" } }`, learn.microsoft.com/graph/errors), or what stopped the request. */
function graphError(error: unknown, request: string): GraphError {
  if (error instanceof AzureRestError && error.status !== undefined) {
    return { status: error.status, code: error.code ?? 'UnknownError', message: error.serviceMessage ?? error.message, request };
  }
  return { status: 0, code: 'NoAnswer', message: printable(error instanceof Error ? error.message : String(error)), request };
}
