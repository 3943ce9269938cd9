import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

/**
 * What every emulator of a Microsoft endpoint shares: HTTPS on 127.0.0.1 with a certificate made
 * at start (its CA file goes to NODE_EXTRA_CA_CERTS of the process under test), and the Entra ID
 * endpoints @azure/identity calls (OpenID configuration and the v2.0 token endpoint).
 */
export interface HttpsEndpoint {
  server: Server;
  url: string;
  caFile: string;
  /** The certificate, for in-process clients that cannot use NODE_EXTRA_CA_CERTS (a tls seam). */
  caPem: string;
}

export async function startHttpsEndpoint(handler: (req: IncomingMessage, res: ServerResponse) => void, prefix: string): Promise<HttpsEndpoint> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, pems.cert);
  const server = createServer({ key: pems.private, cert: pems.cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, caFile, caPem: pems.cert, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function stopHttpsEndpoint(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
}

/** A token request as MSAL sends it (form-encoded): the tenant from the path and the scope asked for. */
export interface TokenRequest {
  tenant: string;
  scope: string;
  clientId: string;
}

/**
 * The Entra ID endpoints: `/{tenant}/v2.0/.well-known/openid-configuration` and
 * `/{tenant}/oauth2/v2.0/token`. Returns undefined for any other path. `issue` gives the access
 * token for a request, or an error the token endpoint answers with (as Entra ID does, 400 + AADSTS).
 */
export function entraResponse(path: string, base: string, body: string, issue: (request: TokenRequest) => string | { error: string; description: string }): { status: number; payload: unknown } | undefined {
  if (path.endsWith('/.well-known/openid-configuration')) {
    const tenant = `${base}/${path.split('/')[1]}`;
    return { status: 200, payload: { token_endpoint: `${tenant}/oauth2/v2.0/token`, issuer: `${tenant}/v2.0`, authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`, jwks_uri: `${tenant}/discovery/v2.0/keys`, end_session_endpoint: `${tenant}/oauth2/v2.0/logout`, response_types_supported: ['code'] } };
  }
  if (path.endsWith('/oauth2/v2.0/token')) {
    const form = new URLSearchParams(body);
    const token = issue({ tenant: path.split('/')[1] ?? '', scope: form.get('scope') ?? '', clientId: form.get('client_id') ?? '' });
    if (typeof token !== 'string') return { status: 400, payload: { error: token.error, error_description: token.description } };
    return { status: 200, payload: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token } };
  }
  return undefined;
}

/** What a CLI process needs to sign in through an emulator with DefaultAzureCredential (a client secret). */
export function clientEnv(endpoint: { url: string; caFile: string }, tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: endpoint.caFile,
    AZURE_AUTHORITY_HOST: endpoint.url,
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: '0a1b2c3d-0000-4000-8000-00000000c11e',
    AZURE_CLIENT_SECRET: 'emulator-only-secret',
  };
}

/** The request body, as text. */
export async function requestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
