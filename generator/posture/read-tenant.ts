import type { GraphClient, GraphResult } from '../graph/graph-client.js';
import {
  GLOBAL_ADMINISTRATOR_TEMPLATE_ID,
  GRAPH_VERSION,
  type AuthenticationMethod,
  type AuthenticationMethodConfiguration,
  type AuthorizationPolicy,
  type ConditionalAccessPolicy,
  type DirectoryObject,
  type Group,
  type RoleAssignment,
  type RoleAssignmentScheduleInstance,
  type RoleDefinition,
  type RoleEligibilityScheduleInstance,
  type User,
  ODATA,
} from '../graph/graph-types.js';
import type { Manifest, ManifestAccount } from '../manifest/types.js';

/**
 * Everything posture reads from Microsoft Graph, each read with the least-privileged application
 * permission its v1.0 reference page names, so a refusal (403) can name it. Read-only: GET only.
 */
export const PERMISSIONS = {
  policy: 'Policy.Read.All',
  user: 'User.Read.All',
  groupMember: 'GroupMember.Read.All',
  methods: 'UserAuthenticationMethod.Read.All',
  roles: 'RoleManagement.Read.Directory',
  auditLog: 'AuditLog.Read.All',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export interface Read<T> {
  permission: Permission;
  result: GraphResult<T>;
}

export interface AccountReads {
  account: ManifestAccount;
  index: number;
  user: Read<User>;
  /** signInActivity, read on its own: it needs AuditLog.Read.All and an Entra ID P1/P2 licence. */
  signIn: Read<User>;
  /** Groups, directory roles and administrative units the account is in, nested ones included. */
  memberOf: Read<DirectoryObject[]>;
  methods: Read<AuthenticationMethod[]>;
  /** Active role assignments as PIM sees them (assignmentType, endDateTime). */
  activeRoles: Read<RoleAssignmentScheduleInstance[]>;
  eligibleRoles: Read<RoleEligibilityScheduleInstance[]>;
  /** Only when the PIM reads above are refused for want of a licence: plain role assignments. */
  plainRoles?: Read<RoleAssignment[]>;
}

export interface TenantReads {
  readAt: Date;
  policies: Read<ConditionalAccessPolicy[]>;
  group: Read<Group>;
  groupMembers: Read<DirectoryObject[]>;
  groupOwners: Read<DirectoryObject[]>;
  groupMemberOf: Read<DirectoryObject[]>;
  roleDefinitions: Read<RoleDefinition[]>;
  authorizationPolicy: Read<AuthorizationPolicy>;
  fido2: Read<AuthenticationMethodConfiguration>;
  x509: Read<AuthenticationMethodConfiguration>;
  globalAdmins: Read<RoleAssignment[]>;
  /** Members of groups that hold Global Administrator, by group id. */
  globalAdminGroups: Map<string, Read<DirectoryObject[]>>;
  accounts: AccountReads[];
}

const v = (path: string) => `/${GRAPH_VERSION}${path}`;

/** Graph answers a tenant without Entra ID P2 (or Governance) this way on PIM's schedule APIs. */
export function isLicenceRefusal(result: GraphResult<unknown>): boolean {
  return !result.ok && (result.error.status === 400 || result.error.status === 403) && /licen[cs]e|\bP2\b|premium/i.test(result.error.message);
}

export async function readTenant(graph: GraphClient, manifest: Manifest, now: Date): Promise<TenantReads> {
  const read = async <T>(permission: Permission, result: Promise<GraphResult<T>>): Promise<Read<T>> => ({ permission, result: await result });
  const groupId = encodeURIComponent(manifest.exclusionGroup.objectId);
  const [policies, group, groupMembers, groupOwners, groupMemberOf, roleDefinitions, authorizationPolicy, fido2, x509, globalAdmins, accounts] = await Promise.all([
    read(PERMISSIONS.policy, graph.list<ConditionalAccessPolicy>(v('/identity/conditionalAccess/policies'))),
    read(PERMISSIONS.groupMember, graph.get<Group>(v(`/groups/${groupId}?$select=id,displayName,isAssignableToRole,securityEnabled,groupTypes,membershipRule,onPremisesSyncEnabled`))),
    read(PERMISSIONS.groupMember, graph.list<DirectoryObject>(v(`/groups/${groupId}/transitiveMembers?$select=id,displayName,userPrincipalName`))),
    read(PERMISSIONS.groupMember, graph.list<DirectoryObject>(v(`/groups/${groupId}/owners?$select=id,displayName,userPrincipalName`))),
    read(PERMISSIONS.groupMember, graph.list<DirectoryObject>(v(`/groups/${groupId}/memberOf?$select=id,displayName,isMemberManagementRestricted`))),
    read(PERMISSIONS.roles, graph.list<RoleDefinition>(v('/roleManagement/directory/roleDefinitions?$select=id,displayName,templateId,isBuiltIn'))),
    read(PERMISSIONS.policy, graph.get<AuthorizationPolicy>(v('/policies/authorizationPolicy'))),
    read(PERMISSIONS.policy, graph.get<AuthenticationMethodConfiguration>(v('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2'))),
    read(PERMISSIONS.policy, graph.get<AuthenticationMethodConfiguration>(v('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/x509Certificate'))),
    read(PERMISSIONS.roles, graph.list<RoleAssignment>(v(`/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GLOBAL_ADMINISTRATOR_TEMPLATE_ID}'`))),
    Promise.all(manifest.accounts.map((account, index) => readAccount(graph, account, index))),
  ]);
  // A group that holds Global Administrator counts with its members.
  const globalAdminGroups = new Map<string, Read<DirectoryObject[]>>();
  if (globalAdmins.result.ok) {
    const principals = [...new Set(globalAdmins.result.value.map((a) => a.principalId))];
    const memberReads = await Promise.all(
      principals
        .filter((id) => !manifest.accounts.some((a) => a.objectId.toLowerCase() === id.toLowerCase()))
        .map(async (id) => [id, await read(PERMISSIONS.groupMember, graph.list<DirectoryObject>(v(`/groups/${encodeURIComponent(id)}/transitiveMembers?$select=id,userPrincipalName`)))] as const),
    );
    // A principal that is not a group answers 404 here: it is a user or a service principal.
    for (const [id, members] of memberReads) if (members.result.ok || members.result.error.status !== 404) globalAdminGroups.set(id, members);
  }
  return { readAt: now, policies, group, groupMembers, groupOwners, groupMemberOf, roleDefinitions, authorizationPolicy, fido2, x509, globalAdmins, globalAdminGroups, accounts };
}

async function readAccount(graph: GraphClient, account: ManifestAccount, index: number): Promise<AccountReads> {
  const id = encodeURIComponent(account.objectId);
  const principal = `$filter=principalId eq '${account.objectId.toLowerCase()}'`;
  const [user, signIn, memberOf, methods, activeRoles, eligibleRoles] = await Promise.all([
    graph.get<User>(v(`/users/${id}?$select=id,userPrincipalName,displayName,accountEnabled,onPremisesSyncEnabled,onPremisesImmutableId,userType,authorizationInfo`)),
    graph.get<User>(v(`/users/${id}?$select=id,signInActivity`)),
    graph.list<DirectoryObject>(v(`/users/${id}/transitiveMemberOf?$select=id,displayName,roleTemplateId`)),
    graph.list<AuthenticationMethod>(v(`/users/${id}/authentication/methods`)),
    graph.list<RoleAssignmentScheduleInstance>(v(`/roleManagement/directory/roleAssignmentScheduleInstances?${principal}`)),
    graph.list<RoleEligibilityScheduleInstance>(v(`/roleManagement/directory/roleEligibilityScheduleInstances?${principal}`)),
  ]);
  const reads: AccountReads = {
    account,
    index,
    user: { permission: PERMISSIONS.user, result: user },
    signIn: { permission: PERMISSIONS.auditLog, result: signIn },
    memberOf: { permission: PERMISSIONS.user, result: memberOf },
    methods: { permission: PERMISSIONS.methods, result: methods },
    activeRoles: { permission: PERMISSIONS.roles, result: activeRoles },
    eligibleRoles: { permission: PERMISSIONS.roles, result: eligibleRoles },
  };
  if (isLicenceRefusal(activeRoles)) {
    reads.plainRoles = { permission: PERMISSIONS.roles, result: await graph.list<RoleAssignment>(v(`/roleManagement/directory/roleAssignments?${principal}`)) };
  }
  return reads;
}

export function isType(object: { '@odata.type'?: string }, type: string): boolean {
  return object['@odata.type']?.toLowerCase() === type.toLowerCase();
}

export { ODATA };
