import type { TokenCredential } from '@azure/identity';
import { formatSeconds, printable } from './azure-rest.js';
import { DEFAULT_TOKEN_REQUEST_TIMEOUT_MS } from './credentials.js';

/** Signing in failed: the message says what was tried and what to do. */
export class SignInError extends Error {}

export interface SignedIn {
  /** Who the token is for, as a person reads it: a user's UPN, or an application's id. */
  identity: string;
}

/**
 * Gets one token before anything else, so that a missing login is one clear message instead of
 * one "cannot read" per workspace, and says which identity is used.
 */
export async function signIn(credential: TokenCredential, scope: string, authorityHost: string, signal?: AbortSignal, timeoutMs = DEFAULT_TOKEN_REQUEST_TIMEOUT_MS): Promise<SignedIn> {
  let token: string;
  try {
    const got = await bounded(credential.getToken(scope, signal ? { abortSignal: signal } : {}), timeoutMs, signal);
    if (!got) throw new Error('the credential returned no token');
    token = got.token;
  } catch (error) {
    throw new SignInError(signInFailure(error, scope, authorityHost));
  }
  return { identity: identityOf(token) };
}

/**
 * The credential's answer, or a failure after `ms` or at Ctrl-C: a credential may not honour the
 * abort signal (the identity library does not pass it on to its token requests).
 */
function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no token within ${formatSeconds(ms)} (--request-timeout): the sign-in endpoint did not answer`)), ms);
    const onAbort = () => reject(new Error('interrupted while signing in'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/** The token's subject from its claims (the token is not verified here: Resource Manager does that). */
export function identityOf(token: string): string {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const tenant = typeof claims['tid'] === 'string' ? `, tenant ${claims['tid']}` : '';
    const user = claims['upn'] ?? claims['unique_name'] ?? claims['preferred_username'];
    if (typeof user === 'string') return `${printable(user)}${tenant}`;
    const app = claims['appid'] ?? claims['azp'];
    if (typeof app === 'string') return `application ${printable(app)}${typeof claims['oid'] === 'string' ? ` (object id ${claims['oid']})` : ''}${tenant}`;
  } catch {
    // Not a JWT: say so below.
  }
  return 'an identity whose token names no user or application';
}

const WHAT_TO_DO = [
  'on a workstation: az login (then az account show names the account used)',
  'in GitHub Actions: azure/login with OIDC (workload identity federation) before this step; it sets AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE',
  'in Azure DevOps: an AzureCLI@2 task with a workload identity service connection',
  'a service principal with a secret: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET',
];

/** Each credential DefaultAzureCredential tried and why it failed; the service's own reason (AADSTS code and text) is kept. */
function signInFailure(error: unknown, scope: string, authorityHost: string): string {
  const e = error as { name?: string; message?: string; errors?: unknown[]; errorResponse?: { errorDescription?: string; error?: string } };
  const tried = Array.isArray(e?.errors) && e.errors.length > 0 ? e.errors : [error];
  const lines = tried.map((inner) => `  - ${reason(inner)}`);
  return [
    `cannot sign in to Azure (authority ${authorityHost}, for ${scope}).`,
    'DefaultAzureCredential tried:',
    ...lines,
    'What to do:',
    ...WHAT_TO_DO.map((w) => `  - ${w}`),
  ].join('\n');
}

function reason(error: unknown): string {
  const e = error as { name?: string; message?: string; errorResponse?: { errorDescription?: string } };
  const description = e?.errorResponse?.errorDescription;
  const text = description ?? e?.message ?? String(error);
  // The identity library's messages run long (troubleshooting links, correlation ids): the first
  // sentence, and any AADSTS code the service sent, are what a person needs.
  const aadsts = /AADSTS\d+:[^\r\n]*/.exec(text)?.[0];
  const first = text.split(/\r?\n/)[0]!.replace(/\s*To troubleshoot, visit .*$/, '');
  const shown = aadsts && !first.includes(aadsts) ? `${first} ${aadsts}` : first;
  // The error class (CredentialUnavailableError) says nothing: each message names its credential.
  return printable(shown.slice(0, 400));
}
