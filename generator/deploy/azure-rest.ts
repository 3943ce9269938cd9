/**
 * JSON over HTTPS to Azure Resource Manager, with the Azure SDK's own pipeline (token acquisition,
 * proxies, user agent) but our own waiting rules, because a push at 3 a.m. must never hang:
 * - every request has a timeout;
 * - 429 and 5xx are retried after the server's Retry-After (or a backoff), but never past the
 *   run's retry budget: a `Retry-After: 3600` fails at once with a message instead of sleeping.
 *   Writes too: a 5xx may come after the write landed, but our writes are whole-resource PUTs and
 *   DELETEs (idempotent); a PUT carrying an etag whose first try landed comes back 412 and is
 *   reported, and the next run finds nothing to do;
 * - a dropped connection is retried for reads; a write is retried only when it surely did not
 *   reach the server (refused): its outcome is unknown, so it is reported, never repeated blindly;
 * - every wait is announced (`onWait`) and ends when the signal aborts (Ctrl-C);
 * - a response that is not the JSON we expect is an error, never read as "nothing there".
 * The bodies we send are exactly what we built: no SDK model sits in between to drop a property.
 */
import type { TokenCredential } from '@azure/identity';
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, type HttpClient, type PipelineResponse } from '@azure/core-rest-pipeline';

export interface RestSettings {
  credential: TokenCredential;
  /** https://management.azure.com (or a sovereign cloud's, or a test emulator's). */
  endpoint: string;
  scope: string;
  /** No answer within this time fails the request. */
  requestTimeoutMs: number;
  /** All the waiting between retries of one client may add up to this much. */
  retryBudgetMs: number;
  /** First backoff when the server gives no Retry-After; it doubles per attempt. */
  retryDelayMs: number;
  maxRetries: number;
  signal?: AbortSignal;
  /** Told before every wait longer than a blink, so a terminal can show what is waited for. */
  onWait?: (what: string, ms: number) => void;
  /** Seam for tests: certificate authorities to trust instead of the system's (a local emulator's). */
  tls?: { ca: string };
  /** Seam for tests: milliseconds per second of a Retry-After header (1000). */
  retryAfterUnitMs?: number;
  /** Seam for tests. */
  httpClient?: HttpClient;
}

/** An answer that is not what was asked for: HTTP status, the service's error code and message. */
export class AzureRestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** The service's own message, without our prefix. */
    readonly serviceMessage?: string,
  ) {
    super(message);
  }
}

export type JsonObject = Record<string, unknown>;

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Server text shown on a terminal or in a CI log: control characters (escape sequences that could
 * rewrite lines) made visible, and anything that looks like a credential a server echoed back
 * (an Authorization header, a bearer token) left out.
 */
export function printable(text: string): string {
  return redactCredentials(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function redactCredentials(text: string): string {
  return text
    .replace(/\b(authorization|proxy-authorization|x-ms-authorization-auxiliary|cookie|set-cookie)\s*[:=]\s*[^\r\n,;]*/gi, '$1: [not shown]')
    .replace(/\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer [not shown]')
    .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, '[token not shown]');
}

export class AzureRest {
  private readonly pipeline;
  private readonly http: HttpClient;
  private waitedMs = 0;
  /** Requests sent, retries included. */
  requests = 0;

  constructor(private readonly settings: RestSettings) {
    this.pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'breakglass-sentinel' }, ...(settings.tls ? { tlsOptions: settings.tls } : {}) });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: settings.credential, scopes: settings.scope }));
    this.http = settings.httpClient ?? createDefaultHttpClient();
  }

  /** GET a resource; undefined when it does not exist (404). Without an api-version (Microsoft Graph), none is sent. */
  async get(path: string, apiVersion?: string): Promise<JsonObject | undefined> {
    const response = await this.send('GET', path, apiVersion);
    if (response.status === 404) return undefined;
    return this.objectBody(response, `GET ${path}`);
  }

  /**
   * GET a collection and every page after it (`nextLink`, or Graph's `@odata.nextLink`); each item
   * must be an object. A next page is followed only on the endpoint's own origin (the pipeline
   * would send our bearer token to any host a server names) and only once (a link back to a page
   * already read would loop).
   */
  async list(path: string, apiVersion?: string): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    const origin = new URL(this.settings.endpoint).origin;
    const read = new Set<string>();
    let url: string | undefined = this.url(path, apiVersion);
    for (let page = 0; url; page++) {
      if (page > 1000) throw new AzureRestError(`GET ${path}: more than 1000 pages; stopped`);
      read.add(new URL(url).href);
      const response = await this.send('GET', url, undefined);
      const body = this.objectBody(response, `GET ${path}`);
      if (!Array.isArray(body['value']) || !body['value'].every(isObject)) throw new AzureRestError(`GET ${path}: the answer has no list of resources ("value"); not reading it as an empty workspace`, response.status);
      items.push(...(body['value'] as JsonObject[]));
      const next = body['nextLink'] ?? body['@odata.nextLink'];
      url = typeof next === 'string' && next !== '' ? nextPage(next, url, origin, read, `GET ${path}`) : undefined;
    }
    return items;
  }

  async put(path: string, apiVersion: string, body: unknown): Promise<JsonObject> {
    return this.objectBody(await this.send('PUT', path, apiVersion, body), `PUT ${path}`);
  }

  async delete(path: string, apiVersion: string): Promise<void> {
    const response = await this.send('DELETE', path, apiVersion);
    if (response.status !== 404) this.check(response, `DELETE ${path}`);
  }

  private url(path: string, apiVersion: string | undefined): string {
    // Resource ids keep their names as they are (incidents record them so); the URL encodes them.
    const base = `${this.settings.endpoint}${encodeURI(path)}`;
    return apiVersion === undefined ? base : `${base}${path.includes('?') ? '&' : '?'}api-version=${encodeURIComponent(apiVersion)}`;
  }

  /** One request with timeout and retries; returns the final response (any status). */
  private async send(method: 'GET' | 'PUT' | 'DELETE', pathOrUrl: string, apiVersion: string | undefined, body?: unknown): Promise<PipelineResponse> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.url(pathOrUrl, apiVersion);
    const what = `${method} ${new URL(url).pathname}`;
    for (let attempt = 0; ; attempt++) {
      this.settings.signal?.throwIfAborted();
      // The timeout is our own signal (its timer never keeps the process alive). Reads also stop at
      // Ctrl-C; a write under way finishes (its outcome must be known), bounded by the timeout.
      const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
      const user = method === 'GET' ? this.settings.signal : undefined;
      const abortSignal = user ? AbortSignal.any([timeout, user]) : timeout;
      const request = createPipelineRequest({
        url,
        method,
        headers: createHttpHeaders({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        abortSignal,
      });
      let response: PipelineResponse;
      this.requests += 1;
      try {
        // Raced against the signal too: the bearer policy's token refresh may not honour it.
        response = await untilAborted(this.pipeline.sendRequest(this.http, request), abortSignal);
      } catch (error) {
        if (this.settings.signal?.aborted && !timeout.aborted) throw error;
        const failure = networkFailure(error, timeout.aborted, this.settings.requestTimeoutMs);
        const retryable = method === 'GET' || failure.refused;
        if (!retryable || attempt >= this.settings.maxRetries) throw new AzureRestError(`${what}: ${failure.message}${retryable ? ` (after ${attempt + 1} tries)` : ''}`);
        await this.wait(`${what} (${failure.message})`, this.backoff(attempt));
        continue;
      }
      if (!RETRY_STATUS.has(response.status) || attempt >= this.settings.maxRetries) return response;
      const asked = retryAfterMs(response, this.settings.retryAfterUnitMs ?? 1000);
      await this.wait(`${what} (HTTP ${response.status}${asked !== undefined ? `, Retry-After ${Math.ceil(asked / 1000)} s` : ''})`, asked ?? this.backoff(attempt));
    }
  }

  private backoff(attempt: number): number {
    return this.settings.retryDelayMs * 2 ** attempt;
  }

  private async wait(what: string, ms: number): Promise<void> {
    if (this.waitedMs + ms > this.settings.retryBudgetMs) {
      throw new AzureRestError(`${what}: retrying would wait ${formatSeconds(ms)}, past the retry budget of ${formatSeconds(this.settings.retryBudgetMs)} (${formatSeconds(this.waitedMs)} already waited); run again later or raise --retry-budget`);
    }
    this.waitedMs += ms;
    if (ms >= 1000) this.settings.onWait?.(what, ms);
    try {
      await sleep(ms, this.settings.signal);
    } catch {
      throw new AzureRestError(`interrupted while waiting to retry ${what}`);
    }
  }

  private objectBody(response: PipelineResponse, what: string): JsonObject {
    this.check(response, what);
    const text = response.bodyAsText ?? '';
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new AzureRestError(`${what}: the answer is not JSON (${describeBody(response)}); is --arm-endpoint a Resource Manager endpoint?`, response.status);
    }
    if (!isObject(parsed)) throw new AzureRestError(`${what}: the answer is not a JSON object`, response.status);
    return parsed;
  }

  private check(response: PipelineResponse, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    const { code, message } = serviceError(response);
    throw new AzureRestError(`HTTP ${response.status}${code ? ` ${code}` : ''}: ${message ?? what}`, response.status, code, message);
  }
}

/** The absolute URL of a next page, refused when it leaves the endpoint's origin or names a page already read. */
function nextPage(link: string, current: string, origin: string, read: ReadonlySet<string>, what: string): string {
  let target: URL;
  try {
    target = new URL(link, current);
  } catch {
    throw new AzureRestError(`${what}: the answer's next page (nextLink) is not a URL; stopped`);
  }
  if (target.origin !== origin) throw new AzureRestError(`${what}: the answer's next page is on another host (${printable(target.origin)}, not ${origin}); not followed, so no credential is sent there`);
  if (read.has(target.href)) throw new AzureRestError(`${what}: the answer's next page is a page already read (a loop); stopped`);
  return target.href;
}

/** The service's error code and message from an ARM error body (`{ error: { code, message } }`); nothing else of it (never headers). */
function serviceError(response: PipelineResponse): { code?: string; message?: string } {
  try {
    const body = JSON.parse(response.bodyAsText ?? '') as unknown;
    const error = isObject(body) && isObject(body['error']) ? body['error'] : undefined;
    const code = typeof error?.['code'] === 'string' ? printable(error['code']) : undefined;
    const message = typeof error?.['message'] === 'string' ? printable(error['message'].split('\n')[0]!) : undefined;
    return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
  } catch {
    return { message: describeBody(response) };
  }
}

function describeBody(response: PipelineResponse): string {
  const type = response.headers.get('content-type') ?? 'no content type';
  const length = (response.bodyAsText ?? '').length;
  return `${type}, ${length} characters`;
}

function retryAfterMs(response: PipelineResponse, unitMs: number): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * unitMs;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function networkFailure(error: unknown, timedOut: boolean, timeoutMs: number): { message: string; refused: boolean } {
  const e = error as { code?: string; message?: string; name?: string };
  if (timedOut) return { message: `no answer within ${formatSeconds(timeoutMs)} (--request-timeout)`, refused: false };
  const code = e?.code ?? '';
  return { message: `connection failed${code ? ` (${code})` : ''}: ${printable(String(e?.message ?? error)).split('\n')[0]}`, refused: code === 'ECONNREFUSED' };
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms % 1000 === 0 || ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits `ms`; rejects at once when `signal` aborts (and leaves no listener behind either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
