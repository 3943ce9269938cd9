/**
 * The Microsoft Graph v1.0 resources posture reads, with only the properties it uses (names and
 * types as in the v1.0 reference, learn.microsoft.com/graph/api/resources/...). The emulator in
 * test/emulator/ builds its responses from these types too.
 */
export const GRAPH_VERSION = 'v1.0';
/** The Global Administrator role's template id: the same in every tenant. */
export const GLOBAL_ADMINISTRATOR_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';

export type ConditionalAccessPolicyState = 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';

/** conditionalAccessGuestsOrExternalUsers: `guestOrExternalUserTypes` is a comma-separated list (internalGuest, b2bCollaborationGuest, ...). */
export interface ConditionalAccessGuestsOrExternalUsers {
  guestOrExternalUserTypes?: string | null;
  externalTenants?: unknown;
}

/** conditionalAccessUsers */
export interface ConditionalAccessUsers {
  includeUsers?: string[];
  excludeUsers?: string[];
  includeGroups?: string[];
  excludeGroups?: string[];
  includeRoles?: string[];
  excludeRoles?: string[];
  includeGuestsOrExternalUsers?: ConditionalAccessGuestsOrExternalUsers | null;
  excludeGuestsOrExternalUsers?: ConditionalAccessGuestsOrExternalUsers | null;
}

/** conditionalAccessApplications */
export interface ConditionalAccessApplications {
  /** Application ids, or `All`, `None`, `Office365`, `MicrosoftAdminPortals`. */
  includeApplications?: string[];
  excludeApplications?: string[];
  /** `urn:user:registersecurityinfo`, `urn:user:registerdevice`. */
  includeUserActions?: string[];
  includeAuthenticationContextClassRefs?: string[];
  applicationFilter?: unknown;
}

/** conditionalAccessPolicy and its conditionalAccessConditionSet (the conditions posture describes). */
export interface ConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: ConditionalAccessPolicyState;
  conditions: {
    users?: ConditionalAccessUsers | null;
    applications?: ConditionalAccessApplications | null;
    clientApplications?: { includeServicePrincipals?: string[]; excludeServicePrincipals?: string[] } | null;
    /** all, browser, mobileAppsAndDesktopClients, exchangeActiveSync, easSupported, other. */
    clientAppTypes?: string[];
    platforms?: { includePlatforms?: string[]; excludePlatforms?: string[] } | null;
    locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
    signInRiskLevels?: string[];
    userRiskLevels?: string[];
    devices?: { deviceFilter?: { mode?: string; rule?: string } | null } | null;
    authenticationFlows?: { transferMethods?: string } | null;
  };
  grantControls?: { operator?: string; builtInControls?: string[]; authenticationStrength?: { id?: string; displayName?: string } | null } | null;
}

/** group */
export interface Group {
  id: string;
  displayName: string;
  isAssignableToRole?: boolean | null;
  securityEnabled?: boolean;
  groupTypes?: string[];
  membershipRule?: string | null;
  onPremisesSyncEnabled?: boolean | null;
}

/** directoryObject as returned by members, owners, memberOf and transitiveMemberOf. */
export interface DirectoryObject {
  '@odata.type': string;
  id: string;
  displayName?: string | null;
  userPrincipalName?: string;
  /** administrativeUnit */
  isMemberManagementRestricted?: boolean | null;
  /** directoryRole */
  roleTemplateId?: string;
}

/** signInActivity */
export interface SignInActivity {
  lastSignInDateTime?: string | null;
  lastNonInteractiveSignInDateTime?: string | null;
  lastSuccessfulSignInDateTime?: string | null;
}

/** user */
export interface User {
  id: string;
  userPrincipalName: string;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  onPremisesSyncEnabled?: boolean | null;
  onPremisesImmutableId?: string | null;
  userType?: string | null;
  authorizationInfo?: { certificateUserIds?: string[] } | null;
  signInActivity?: SignInActivity | null;
}

/** authenticationMethod and its derived types (only the properties posture reads). */
export interface AuthenticationMethod {
  '@odata.type': string;
  id: string;
  displayName?: string | null;
  createdDateTime?: string | null;
  /** fido2AuthenticationMethod */
  model?: string | null;
  aaGuid?: string | null;
  /** phoneAuthenticationMethod */
  phoneType?: string;
  phoneNumber?: string;
  smsSignInState?: string;
  /** temporaryAccessPassAuthenticationMethod */
  isUsable?: boolean;
  lifetimeInMinutes?: number;
  startDateTime?: string | null;
  methodUsabilityReason?: string;
  /** emailAuthenticationMethod */
  emailAddress?: string;
}

/** unifiedRoleDefinition */
export interface RoleDefinition {
  id: string;
  displayName: string;
  templateId?: string;
  isBuiltIn?: boolean;
}

/** unifiedRoleAssignment */
export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** unifiedRoleEligibilityScheduleInstance (and the base of the assignment one) */
export interface RoleEligibilityScheduleInstance extends RoleAssignment {
  startDateTime?: string | null;
  endDateTime?: string | null;
  memberType: 'Direct' | 'Group' | 'Inherited';
}

/** unifiedRoleAssignmentScheduleInstance */
export interface RoleAssignmentScheduleInstance extends RoleEligibilityScheduleInstance {
  /** Assigned (an assignment) or Activated (an eligible assignment, activated for a while). */
  assignmentType: 'Assigned' | 'Activated';
}

/** authorizationPolicy */
export interface AuthorizationPolicy {
  id: string;
  allowedToUseSSPR: boolean;
}

/** authenticationMethodTarget (includeTarget / excludeTarget) */
export interface AuthenticationMethodTarget {
  targetType: 'user' | 'group';
  /** A group id, or `all_users`. */
  id: string;
  isRegistrationRequired?: boolean;
}

/** fido2KeyRestrictions: which authenticator models (AAGUIDs) may register and sign in. */
export interface Fido2KeyRestrictions {
  isEnforced?: boolean | null;
  enforcementType?: 'allow' | 'block' | string | null;
  aaGuids?: string[] | null;
}

/** fido2AuthenticationMethodConfiguration and x509CertificateAuthenticationMethodConfiguration */
export interface AuthenticationMethodConfiguration {
  '@odata.type': string;
  id: string;
  state: 'enabled' | 'disabled';
  includeTargets?: AuthenticationMethodTarget[];
  excludeTargets?: { targetType: 'user' | 'group'; id: string }[];
  /** fido2AuthenticationMethodConfiguration only. */
  keyRestrictions?: Fido2KeyRestrictions | null;
}

export const ODATA = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  directoryRole: '#microsoft.graph.directoryRole',
  administrativeUnit: '#microsoft.graph.administrativeUnit',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
  fido2: '#microsoft.graph.fido2AuthenticationMethod',
  password: '#microsoft.graph.passwordAuthenticationMethod',
  phone: '#microsoft.graph.phoneAuthenticationMethod',
  authenticator: '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
  softwareOath: '#microsoft.graph.softwareOathAuthenticationMethod',
  temporaryAccessPass: '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
  email: '#microsoft.graph.emailAuthenticationMethod',
  windowsHello: '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod',
  platformCredential: '#microsoft.graph.platformCredentialAuthenticationMethod',
  qrCodePin: '#microsoft.graph.qrCodePinAuthenticationMethod',
  external: '#microsoft.graph.externalAuthenticationMethod',
  fido2Configuration: '#microsoft.graph.fido2AuthenticationMethodConfiguration',
  x509Configuration: '#microsoft.graph.x509CertificateAuthenticationMethodConfiguration',
} as const;
