import { randomUUID } from 'node:crypto';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  AuthenticationMethod,
  AuthenticationMethodConfiguration,
  AuthorizationPolicy,
  ConditionalAccessPolicy,
  Group,
  RoleAssignmentScheduleInstance,
  RoleDefinition,
  RoleEligibilityScheduleInstance,
  User,
} from '../../generator/graph/graph-types.js';
import { clientEnv, entraResponse, requestBody, startHttpsEndpoint, stopHttpsEndpoint } from './https-endpoint.js';

/**
 * An emulator of the Microsoft Graph v1.0 endpoints posture reads, for the real client through
 * DefaultAzureCredential: HTTPS on 127.0.0.1, Entra's token endpoint (a token per tenant, only for
 * Graph's own scope), tenants held in memory, responses in the v1.0 reference's shapes with
 * `@odata.type`, `$select`, `$filter` (only the forms Graph documents for these lists), paging
 * by `@odata.nextLink`, 403 for a permission the tenant did not grant, limited information for
 * objects of a type the permissions cannot read, licence refusals, and injected throttling
 * (429 + Retry-After in seconds, as Graph sends it).
 */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface EmulatedGroup extends Group {
  /** Object ids of users and groups. */
  members: string[];
  owners: string[];
}

export interface EmulatedAdministrativeUnit {
  id: string;
  displayName: string;
  isMemberManagementRestricted: boolean;
  members: string[];
}

export interface GraphTenant {
  id: string;
  users: User[];
  groups: EmulatedGroup[];
  administrativeUnits: EmulatedAdministrativeUnit[];
  policies: ConditionalAccessPolicy[];
  roleDefinitions: RoleDefinition[];
  /** Active assignments (PIM's view); roleAssignments (unifiedRoleAssignment) are derived from them. */
  activeAssignments: RoleAssignmentScheduleInstance[];
  eligibleAssignments: RoleEligibilityScheduleInstance[];
  methods: Record<string, AuthenticationMethod[]>;
  authorizationPolicy: AuthorizationPolicy;
  methodConfigurations: Record<'fido2' | 'x509certificate', AuthenticationMethodConfiguration>;
  /** Application permissions granted to the client (with admin consent). */
  permissions: string[];
  licences: { entraIdP1: boolean; entraIdP2: boolean };
}

export type GraphFault = { kind: '429'; retryAfterSeconds: number } | { kind: '503' };

export interface GraphCall {
  tenant: string;
  path: string;
  status: number;
  at: number;
}

interface Route {
  pattern: RegExp;
  /** Any one of these application permissions allows the request (the reference page's list). */
  permissions: string[];
  handle: (tenant: GraphTenant, match: RegExpExecArray, query: URLSearchParams) => { status: number; body: unknown };
}

const READ_DIRECTORY = 'Directory.Read.All';

function notFound(id: string) {
  return { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.` } } };
}

export class GraphEmulator {
  readonly tenants = new Map<string, GraphTenant>();
  readonly calls: GraphCall[] = [];
  faults: { path: RegExp; fault: GraphFault; times: number }[] = [];
  /** Items per page: small, so every list is paged. */
  pageSize = 2;
  url = '';
  caFile = '';
  private server?: Server;

  async start(): Promise<void> {
    const endpoint = await startHttpsEndpoint((req, res) => void this.handle(req, res), 'graph-emulator-');
    ({ server: this.server, caFile: this.caFile, url: this.url } = endpoint);
  }

  async stop(): Promise<void> {
    await stopHttpsEndpoint(this.server);
  }

  add(tenant: GraphTenant): GraphTenant {
    this.tenants.set(tenant.id.toLowerCase(), tenant);
    return tenant;
  }

  /** The environment a CLI process needs to read `tenantId` through this emulator. */
  env(tenantId: string): Record<string, string> {
    return {
      ...clientEnv(this, tenantId),
      BREAKGLASS_GRAPH_ENDPOINT: this.url,
      BREAKGLASS_RETRY_AFTER_UNIT_MS: '10',
      BREAKGLASS_RETRY_DELAY_MS: '10',
    };
  }

  callsOf(tenantId: string): GraphCall[] {
    return this.calls.filter((c) => c.tenant === tenantId.toLowerCase());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await requestBody(req);
    const url = new URL(req.url ?? '/', this.url);
    let tenantId = '';
    const requestId = randomUUID();
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ tenant: tenantId, path: `${url.pathname}${url.search}`, status, at: Date.now() });
      // Graph's error body carries an innerError with the date and request ids (learn.microsoft.com/graph/errors);
      // Entra's token endpoint answers in OAuth's own shape (error as a string), left as it is.
      const error = (payload as { error?: unknown } | null)?.error;
      const body = error && typeof error === 'object' ? { error: { ...error, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': req.headers['client-request-id'] ?? requestId } } } : payload;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
      res.end(JSON.stringify(body));
    };
    const entra = entraResponse(url.pathname, this.url, body, ({ tenant, scope }) => {
      if (!this.tenants.has(tenant.toLowerCase())) return { error: 'invalid_request', description: `AADSTS90002: Tenant '${tenant}' not found.` };
      if (scope !== GRAPH_SCOPE) return { error: 'invalid_resource', description: `AADSTS500011: The resource principal named ${scope.replace('/.default', '')} was not found in the tenant.` };
      return `graph-token.${tenant.toLowerCase()}`;
    });
    if (entra) return reply(entra.status, entra.payload);

    const token = /^Bearer graph-token\.(.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const tenant = token ? this.tenants.get(token) : undefined;
    if (!tenant) return reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } });
    tenantId = tenant.id.toLowerCase();
    if (req.method !== 'GET') return reply(405, { error: { code: 'Request_BadRequest', message: `posture reads only; ${req.method} is refused by this emulator` } });
    const fault = this.faults.find((f) => f.times > 0 && f.path.test(url.pathname));
    if (fault) {
      fault.times -= 1;
      if (fault.fault.kind === '429') return reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests.' } }, { 'retry-after': String(fault.fault.retryAfterSeconds) });
      return reply(503, { error: { code: 'serviceNotAvailable', message: 'Service unavailable.' } });
    }
    if (!url.pathname.startsWith('/v1.0/')) return reply(400, { error: { code: 'BadRequest', message: 'this emulator serves Graph v1.0 only' } });
    const path = url.pathname.slice('/v1.0'.length);
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (!route.permissions.some((p) => tenant.permissions.includes(p))) {
        return reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
      }
      const result = route.handle(tenant, match, url.searchParams);
      if (result.status !== 200) return reply(result.status, result.body);
      return reply(200, this.page(result.body, url, path));
    }
    return reply(400, { error: { code: 'BadRequest', message: `Resource not found for the segment '${path.split('/')[1]}'.` } });
  }

  /** A collection (an array) is served a page at a time, with `@odata.nextLink` while more remain. */
  private page(body: unknown, url: URL, path: string): unknown {
    const context = `${this.url}/v1.0/$metadata#${path.split('?')[0]!.slice(1)}`;
    // A single object's context ends in /$entity (v1.0 reference examples, e.g. policies/authorizationPolicy).
    if (!Array.isArray(body)) return { '@odata.context': `${context}/$entity`, ...(body as object) };
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const page = body.slice(skip, skip + this.pageSize);
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', String(skip + this.pageSize));
    return { '@odata.context': context, value: page, ...(skip + this.pageSize < body.length ? { '@odata.nextLink': next.toString() } : {}) };
  }
}

function select<T extends object>(object: T, query: URLSearchParams, always: string[] = ['id']): Partial<T> {
  const fields = query.get('$select');
  if (!fields) return object;
  const wanted = new Set([...always, '@odata.type', ...fields.split(',')]);
  return Object.fromEntries(Object.entries(object).filter(([k]) => wanted.has(k))) as Partial<T>;
}

/**
 * Who may read each derived type of a directoryObject collection (members, owners, memberOf,
 * transitiveMembers, transitiveMemberOf). Without one of these permissions Graph still lists the
 * object, "but with limited information": only `@odata.type` and `id`, the other properties null
 * (learn.microsoft.com/graph/permissions-overview, limited information returned for inaccessible
 * member objects; the note on group-list-memberof and user-list-transitivememberof).
 */
const TYPE_READ: Record<string, string[]> = {
  '#microsoft.graph.user': ['User.Read.All', 'User.ReadBasic.All', 'Directory.Read.All'],
  '#microsoft.graph.group': ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
  '#microsoft.graph.administrativeUnit': ['AdministrativeUnit.Read.All', 'Directory.Read.All'],
  '#microsoft.graph.directoryRole': ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All'],
  '#microsoft.graph.servicePrincipal': ['Application.Read.All', 'Directory.Read.All'],
};

function visible(tenant: GraphTenant, object: Record<string, unknown>, query: URLSearchParams): Record<string, unknown> {
  const type = String(object['@odata.type']);
  const readers = TYPE_READ[type];
  if (!readers || readers.some((p) => tenant.permissions.includes(p))) return select(object, query);
  const fields = (query.get('$select') ?? Object.keys(object).join(',')).split(',').filter((f) => f && f !== 'id' && f !== '@odata.type');
  return { '@odata.type': type, id: object['id'], ...Object.fromEntries(fields.map((f) => [f, null])) };
}

/**
 * A conditionalAccessPolicy as Graph v1.0 returns it: every property of the policy, its
 * conditionalAccessConditionSet, conditionalAccessUsers, conditionalAccessApplications and
 * grantControls present (null or [] when not set), whatever the tenant fixture spelled out. A
 * fixture without `applications` covers all resources (`includeApplications: ['All']`).
 */
function policyWire(p: ConditionalAccessPolicy): Record<string, unknown> {
  const c = p.conditions;
  const users = c.users;
  const apps = c.applications;
  return {
    id: p.id,
    templateId: null,
    displayName: p.displayName,
    createdDateTime: '2024-01-15T09:00:00Z',
    modifiedDateTime: null,
    state: p.state,
    sessionControls: null,
    conditions: {
      userRiskLevels: c.userRiskLevels ?? [],
      signInRiskLevels: c.signInRiskLevels ?? [],
      clientAppTypes: c.clientAppTypes ?? ['all'],
      servicePrincipalRiskLevels: [],
      insiderRiskLevels: null,
      platforms: c.platforms ?? null,
      locations: c.locations ?? null,
      devices: c.devices ?? null,
      clientApplications: c.clientApplications ?? null,
      authenticationFlows: c.authenticationFlows ?? null,
      applications: {
        includeApplications: apps?.includeApplications ?? (apps ? [] : ['All']),
        excludeApplications: apps?.excludeApplications ?? [],
        includeUserActions: apps?.includeUserActions ?? [],
        includeAuthenticationContextClassRefs: apps?.includeAuthenticationContextClassRefs ?? [],
        applicationFilter: apps?.applicationFilter ?? null,
      },
      users: users
        ? {
            includeUsers: users.includeUsers ?? [],
            excludeUsers: users.excludeUsers ?? [],
            includeGroups: users.includeGroups ?? [],
            excludeGroups: users.excludeGroups ?? [],
            includeRoles: users.includeRoles ?? [],
            excludeRoles: users.excludeRoles ?? [],
            includeGuestsOrExternalUsers: users.includeGuestsOrExternalUsers ?? null,
            excludeGuestsOrExternalUsers: users.excludeGuestsOrExternalUsers ?? null,
          }
        : null,
    },
    grantControls: p.grantControls
      ? { operator: p.grantControls.operator ?? 'OR', builtInControls: p.grantControls.builtInControls ?? [], customAuthenticationFactors: [], termsOfUse: [], authenticationStrength: p.grantControls.authenticationStrength ?? null }
      : null,
  };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** `$filter=principalId eq '...'` or `roleDefinitionId eq '...'`: what the role management lists support here. */
function roleFilter<T extends { principalId: string; roleDefinitionId: string }>(items: T[], query: URLSearchParams): { status: number; body: unknown } {
  const filter = query.get('$filter');
  if (!filter) return { status: 200, body: items };
  const m = /^(principalId|roleDefinitionId) eq '([^']+)'$/.exec(filter);
  if (!m) return { status: 400, body: { error: { code: 'BadRequest', message: `Invalid filter clause: ${filter}` } } };
  return { status: 200, body: items.filter((i) => same(i[m[1] as 'principalId' | 'roleDefinitionId'], m[2]!)) };
}

function groupObject(g: EmulatedGroup) {
  const { members: _m, owners: _o, ...group } = g;
  return { '@odata.type': '#microsoft.graph.group', ...group };
}

function directoryObject(tenant: GraphTenant, id: string): Record<string, unknown> | undefined {
  const user = tenant.users.find((u) => same(u.id, id));
  if (user) return { '@odata.type': '#microsoft.graph.user', id: user.id, displayName: user.displayName ?? null, userPrincipalName: user.userPrincipalName };
  const group = tenant.groups.find((g) => same(g.id, id));
  if (group) return groupObject(group);
  return { '@odata.type': '#microsoft.graph.servicePrincipal', id, displayName: `service principal ${id}` };
}

/** Groups that hold `id`, directly or through nested groups. */
function groupsContaining(tenant: GraphTenant, id: string, seen = new Set<string>()): EmulatedGroup[] {
  const direct = tenant.groups.filter((g) => g.members.some((m) => same(m, id)) && !seen.has(g.id));
  for (const g of direct) seen.add(g.id);
  return [...direct, ...direct.flatMap((g) => groupsContaining(tenant, g.id, seen))];
}

function transitiveMembers(tenant: GraphTenant, group: EmulatedGroup, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const m of group.members) {
    if (seen.has(m)) continue;
    seen.add(m);
    out.push(m);
    const nested = tenant.groups.find((g) => same(g.id, m));
    if (nested) out.push(...transitiveMembers(tenant, nested, seen));
  }
  return out;
}

function pimLicensed(tenant: GraphTenant): { status: number; body: unknown } | undefined {
  if (tenant.licences.entraIdP2) return undefined;
  return { status: 400, body: { error: { code: 'AadPremiumLicenseRequired', message: 'The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.' } } };
}

const ROLE_READ = ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', READ_DIRECTORY];
const GROUP_READ = ['GroupMember.Read.All', 'Group.Read.All', READ_DIRECTORY];
const USER_READ = ['User.Read.All', READ_DIRECTORY];
const POLICY_READ = ['Policy.Read.All'];

const ROUTES: Route[] = [
  // conditionalaccessroot-list-policies: Policy.Read.All, "higher privileged permissions: not available"
  // (Policy.ReadWrite.ConditionalAccess alone cannot read them).
  { pattern: /^\/identity\/conditionalAccess\/policies$/, permissions: POLICY_READ, handle: (t) => ({ status: 200, body: t.policies.map(policyWire) }) },
  {
    pattern: /^\/groups\/([^/]+)$/,
    permissions: GROUP_READ,
    handle: (t, m, q) => {
      const g = t.groups.find((x) => same(x.id, m[1]!));
      return g ? { status: 200, body: select(groupObject(g), q) } : notFound(m[1]!);
    },
  },
  {
    pattern: /^\/groups\/([^/]+)\/(transitiveMembers|members|owners|memberOf)$/,
    permissions: GROUP_READ,
    handle: (t, m, q) => {
      const g = t.groups.find((x) => same(x.id, m[1]!));
      if (!g) return notFound(m[1]!);
      if (m[2] === 'owners') return { status: 200, body: g.owners.map((id) => visible(t, directoryObject(t, id)!, q)) };
      if (m[2] === 'members') return { status: 200, body: g.members.map((id) => visible(t, directoryObject(t, id)!, q)) };
      if (m[2] === 'transitiveMembers') return { status: 200, body: transitiveMembers(t, g).map((id) => visible(t, directoryObject(t, id)!, q)) };
      const groups = t.groups.filter((x) => x.members.some((id) => same(id, g.id))).map(groupObject);
      const units = t.administrativeUnits.filter((u) => u.members.some((id) => same(id, g.id))).map(({ members: _m, ...u }) => ({ '@odata.type': '#microsoft.graph.administrativeUnit', ...u }));
      return { status: 200, body: [...groups, ...units].map((o) => visible(t, o, q)) };
    },
  },
  {
    pattern: /^\/users\/([^/]+)$/,
    permissions: USER_READ,
    handle: (t, m, q) => {
      const u = t.users.find((x) => same(x.id, m[1]!) || same(x.userPrincipalName, m[1]!));
      if (!u) return notFound(m[1]!);
      const wantsActivity = (q.get('$select') ?? '').split(',').includes('signInActivity');
      if (wantsActivity) {
        if (!t.permissions.includes('AuditLog.Read.All')) return { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } };
        if (!t.licences.entraIdP1 && !t.licences.entraIdP2) return { status: 403, body: { error: { code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', message: "Neither tenant is B2C or tenant doesn't have premium license" } } };
      }
      const { signInActivity, ...rest } = u;
      // signInActivity is returned only when $select asks for it (v1.0 user reference).
      return { status: 200, body: select({ ...rest, ...(wantsActivity ? { signInActivity: signInActivity ?? null } : {}) }, q) };
    },
  },
  {
    pattern: /^\/users\/([^/]+)\/transitiveMemberOf$/,
    permissions: [...USER_READ, 'GroupMember.Read.All'],
    handle: (t, m, q) => {
      const u = t.users.find((x) => same(x.id, m[1]!));
      if (!u) return notFound(m[1]!);
      const groups = groupsContaining(t, u.id);
      const principals = [u.id, ...groups.map((g) => g.id)];
      const roles = [...new Set(t.activeAssignments.filter((a) => principals.some((p) => same(p, a.principalId)) && a.directoryScopeId === '/').map((a) => a.roleDefinitionId))].map((roleId) => {
        const def = t.roleDefinitions.find((d) => same(d.id, roleId));
        return { '@odata.type': '#microsoft.graph.directoryRole', id: `dr-${roleId}`, displayName: def?.displayName ?? roleId, roleTemplateId: def?.templateId ?? roleId };
      });
      const units = t.administrativeUnits.filter((a) => principals.some((p) => a.members.some((id) => same(id, p)))).map(({ members: _m, ...a }) => ({ '@odata.type': '#microsoft.graph.administrativeUnit', ...a }));
      return { status: 200, body: [...groups.map(groupObject), ...roles, ...units].map((o) => visible(t, o, q)) };
    },
  },
  {
    pattern: /^\/users\/([^/]+)\/authentication\/methods$/,
    permissions: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
    handle: (t, m) => (t.users.some((x) => same(x.id, m[1]!)) ? { status: 200, body: t.methods[m[1]!.toLowerCase()] ?? [] } : notFound(m[1]!)),
  },
  { pattern: /^\/roleManagement\/directory\/roleDefinitions$/, permissions: ROLE_READ, handle: (t, _m, q) => ({ status: 200, body: t.roleDefinitions.map((d) => select(d, q)) }) },
  {
    pattern: /^\/roleManagement\/directory\/roleAssignments$/,
    permissions: ROLE_READ,
    handle: (t, _m, q) => roleFilter(t.activeAssignments.map((a) => ({ id: a.id, principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId })), q),
  },
  { pattern: /^\/roleManagement\/directory\/roleAssignmentScheduleInstances$/, permissions: ROLE_READ, handle: (t, _m, q) => pimLicensed(t) ?? roleFilter(t.activeAssignments, q) },
  { pattern: /^\/roleManagement\/directory\/roleEligibilityScheduleInstances$/, permissions: ROLE_READ, handle: (t, _m, q) => pimLicensed(t) ?? roleFilter(t.eligibleAssignments, q) },
  { pattern: /^\/policies\/authorizationPolicy$/, permissions: POLICY_READ, handle: (t) => ({ status: 200, body: { '@odata.type': '#microsoft.graph.authorizationPolicy', ...t.authorizationPolicy } }) },
  {
    pattern: /^\/policies\/authenticationMethodsPolicy\/authenticationMethodConfigurations\/([^/]+)$/,
    permissions: [...POLICY_READ, 'Policy.Read.AuthenticationMethod'],
    handle: (t, m) => {
      const config = t.methodConfigurations[m[1]!.toLowerCase() as 'fido2' | 'x509certificate'];
      return config ? { status: 200, body: config } : notFound(m[1]!);
    },
  },
];
