import { randomUUID } from 'node:crypto';
import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID, type AuthenticationMethodConfiguration } from '../../generator/graph/graph-types.js';
import type { GraphTenant } from './graph-emulator.js';

/** The accounts and group of examples/accounts.yaml. */
export const BG1 = { id: '34bbde15-5585-4333-a9d6-fd1b529ab024', upn: 'bg-emergency-01@contoso.onmicrosoft.com' };
export const BG2 = { id: '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', upn: 'bg-emergency-02@contoso.onmicrosoft.com' };
export const EXCLUSION_GROUP = '8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73';
export const ADMIN = { id: '5f0c1e2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f', upn: 'adele.admin@contoso.onmicrosoft.com' };
export const PRIVILEGED_ROLE_ADMIN_TEMPLATE = 'e8611ab8-c189-46e8-94e1-60213ab1f814';

/** Authenticator attestation GUIDs of two security key models, as their vendor publishes them. */
export const AAGUID = { yubikey5Nfc: '2fc0579f-8113-47ea-b116-bb5a8db9202a', yubikey5c: 'ee882879-721c-4913-9775-3dfcce97072a' };

const DAY = 86_400_000;
export const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

export const POLICY = {
  blockLegacy: 'b10c4e6a-0000-4000-8000-00000000b10c',
  mfaAll: 'a11f0a00-0000-4000-8000-000000000a11',
  reportOnly: 'c0ffee00-0000-4000-8000-0000000000c0',
};

/** A tenant that passes every check: the ground the failing tenants are built from. */
export function healthyTenant(): GraphTenant {
  const id = randomUUID();
  const exclude = { excludeUsers: [], excludeGroups: [EXCLUSION_GROUP], excludeRoles: [] };
  const method = (type: string, extra: Record<string, unknown> = {}) => ({ '@odata.type': `#microsoft.graph.${type}`, id: randomUUID(), ...extra });
  const account = (a: { id: string; upn: string }, name: string) => ({ id: a.id, userPrincipalName: a.upn, displayName: name, accountEnabled: true, onPremisesSyncEnabled: null, onPremisesImmutableId: null, userType: 'Member', authorizationInfo: { certificateUserIds: [] }, signInActivity: { lastSignInDateTime: daysAgo(10), lastNonInteractiveSignInDateTime: null, lastSuccessfulSignInDateTime: daysAgo(10) } });
  const assigned = (principalId: string, roleDefinitionId = GLOBAL_ADMINISTRATOR_TEMPLATE_ID) => ({ id: randomUUID(), principalId, roleDefinitionId, directoryScopeId: '/', startDateTime: daysAgo(400), endDateTime: null, assignmentType: 'Assigned' as const, memberType: 'Direct' as const });
  return {
    id,
    users: [account(BG1, 'Emergency access 01'), account(BG2, 'Emergency access 02'), { ...account(ADMIN, 'Adele Admin'), signInActivity: { lastSuccessfulSignInDateTime: daysAgo(1) } }],
    groups: [{ id: EXCLUSION_GROUP, displayName: 'CA-Exclusion-EmergencyAccess', isAssignableToRole: true, securityEnabled: true, groupTypes: [], membershipRule: null, onPremisesSyncEnabled: null, members: [BG1.id, BG2.id], owners: [] }],
    administrativeUnits: [],
    policies: [
      { id: POLICY.blockLegacy, displayName: 'Block legacy authentication', state: 'enabled', conditions: { users: { includeUsers: ['All'], ...exclude }, applications: { includeApplications: ['All'] }, clientAppTypes: ['exchangeActiveSync', 'other'], clientApplications: null }, grantControls: { operator: 'OR', builtInControls: ['block'] } },
      { id: POLICY.mfaAll, displayName: 'Require MFA for all users', state: 'enabled', conditions: { users: { includeUsers: ['All'], ...exclude }, clientApplications: null }, grantControls: { operator: 'OR', builtInControls: ['mfa'] } },
      { id: POLICY.reportOnly, displayName: 'Require compliant device (report-only)', state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'], ...exclude }, clientApplications: null }, grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } },
      { id: 'd15ab1ed-0000-4000-8000-00000000d15a', displayName: 'Old pilot policy (disabled)', state: 'disabled', conditions: { users: { includeUsers: ['All'], excludeUsers: [], excludeGroups: [], excludeRoles: [] }, clientApplications: null }, grantControls: { operator: 'OR', builtInControls: ['block'] } },
      { id: 'e0e0e0e0-0000-4000-8000-0000000e0e0e', displayName: 'Workload identities: block outside named locations', state: 'enabled', conditions: { users: { includeUsers: ['None'], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] }, clientApplications: { includeServicePrincipals: ['ServicePrincipalsInMyTenant'], excludeServicePrincipals: [] } }, grantControls: { operator: 'OR', builtInControls: ['block'] } },
    ],
    roleDefinitions: [
      { id: GLOBAL_ADMINISTRATOR_TEMPLATE_ID, displayName: 'Global Administrator', templateId: GLOBAL_ADMINISTRATOR_TEMPLATE_ID, isBuiltIn: true },
      { id: PRIVILEGED_ROLE_ADMIN_TEMPLATE, displayName: 'Privileged Role Administrator', templateId: PRIVILEGED_ROLE_ADMIN_TEMPLATE, isBuiltIn: true },
      { id: 'fdd7a751-b60b-444a-984c-02652fe8fa1c', displayName: 'Groups Administrator', templateId: 'fdd7a751-b60b-444a-984c-02652fe8fa1c', isBuiltIn: true },
    ],
    activeAssignments: [assigned(BG1.id), assigned(BG2.id), assigned(ADMIN.id)],
    eligibleAssignments: [],
    methods: {
      [BG1.id]: [method('passwordAuthenticationMethod', { createdDateTime: daysAgo(400) }), method('fido2AuthenticationMethod', { displayName: 'YubiKey 5 NFC (safe A)', model: 'YubiKey 5 NFC', aaGuid: AAGUID.yubikey5Nfc, attestationCertificates: [], attestationLevel: 'attested', createdDateTime: daysAgo(400) })],
      [BG2.id]: [method('passwordAuthenticationMethod', { createdDateTime: daysAgo(400) }), method('fido2AuthenticationMethod', { displayName: 'YubiKey 5C (safe B)', model: 'YubiKey 5C', aaGuid: AAGUID.yubikey5c, attestationCertificates: [], attestationLevel: 'attested', createdDateTime: daysAgo(400) })],
    },
    authorizationPolicy: { id: 'authorizationPolicy', allowedToUseSSPR: false },
    methodConfigurations: {
      fido2: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', id: 'Fido2', state: 'enabled', isSelfServiceRegistrationAllowed: true, isAttestationEnforced: true, keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] }, includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }], excludeTargets: [] } as AuthenticationMethodConfiguration,
      x509certificate: { '@odata.type': '#microsoft.graph.x509CertificateAuthenticationMethodConfiguration', id: 'X509Certificate', state: 'disabled', includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }], excludeTargets: [] },
    },
    permissions: ['Policy.Read.All', 'User.Read.All', 'GroupMember.Read.All', 'UserAuthenticationMethod.Read.All', 'RoleManagement.Read.Directory', 'AuditLog.Read.All'],
    licences: { entraIdP1: true, entraIdP2: true },
  };
}
