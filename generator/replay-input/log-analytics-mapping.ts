/**
 * How the Entra ID records people export become the Log Analytics rows the rules read: one place
 * for every name, so the mapping functions, the README and the tests agree.
 *
 * Sources (Microsoft Learn):
 * - Azure Monitor Logs reference, tables SigninLogs, AADNonInteractiveUserSignInLogs and AuditLogs
 *   (the columns, schemas/log-analytics-tables.json);
 * - Microsoft Graph v1.0, resources signIn and directoryAudit (the same records by the API, and in
 *   the Entra admin center's JSON download);
 * - Microsoft Entra, "Microsoft Entra activity logs schema" and "What are the identity logs you can
 *   stream to an endpoint?" (diagnostic-settings categories, properties named as in Graph);
 * - Azure Monitor, "Resource logs" (the top-level fields time, category, operationName,
 *   resultType, ... of every record sent to a storage account or an event hub).
 * In Log Analytics the Graph property names are PascalCased (userPrincipalName becomes
 * UserPrincipalName) except for the renames below; nested JSON keeps its camelCase keys.
 */

/** Diagnostic-settings category of an Entra ID log -> the Log Analytics table it lands in. */
export const CATEGORY_TABLES: Readonly<Record<string, string>> = {
  SignInLogs: 'SigninLogs',
  NonInteractiveUserSignInLogs: 'AADNonInteractiveUserSignInLogs',
  AuditLogs: 'AuditLogs',
  ServicePrincipalSignInLogs: 'AADServicePrincipalSignInLogs',
  ManagedIdentitySignInLogs: 'AADManagedIdentitySignInLogs',
  ProvisioningLogs: 'AADProvisioningLogs',
  ADFSSignInLogs: 'ADFSSignInLogs',
  RiskyUsers: 'AADRiskyUsers',
  UserRiskEvents: 'AADUserRiskEvents',
  MicrosoftGraphActivityLogs: 'MicrosoftGraphActivityLogs',
};

/** The category a sign-in row carries in Log Analytics, per table. */
export const TABLE_CATEGORIES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(CATEGORY_TABLES).map(([category, table]) => [table, category]));

/** Sign-in properties (Graph signIn, diagnostic properties) whose column is not the PascalCased name. */
export const SIGN_IN_COLUMNS: Readonly<Record<string, string>> = {
  id: 'Id',
  ipAddress: 'IPAddress',
  location: 'LocationDetails',
  appliedConditionalAccessPolicies: 'ConditionalAccessPolicies',
  resourceId: 'ResourceIdentity',
  riskEventTypes_v2: 'RiskEventTypes_V2',
};

/** Audit properties (Graph directoryAudit, diagnostic properties) whose column is not the PascalCased name. */
export const AUDIT_COLUMNS: Readonly<Record<string, string>> = {
  id: 'Id',
  operationType: 'AADOperationType',
};

/** Top-level fields of a diagnostic-settings record -> columns (matched without regard to case). */
export const DIAGNOSTIC_COLUMNS: Readonly<Record<string, string>> = {
  time: 'TimeGenerated',
  resourceid: 'ResourceId',
  operationname: 'OperationName',
  operationversion: 'OperationVersion',
  tenantid: 'AADTenantId',
  resulttype: 'ResultType',
  resultsignature: 'ResultSignature',
  resultdescription: 'ResultDescription',
  durationms: 'DurationMs',
  correlationid: 'CorrelationId',
  identity: 'Identity',
  level: 'Level',
  location: 'Location',
};

/**
 * The Entra admin center's sign-in CSV download (Sign-in logs > Download > CSV): column header ->
 * Log Analytics column. Headers are matched trimmed and without regard to case (some end in a
 * space). Location, Status, the device and the error code columns are combined below.
 */
export const ENTRA_SIGN_IN_CSV_COLUMNS: Readonly<Record<string, string>> = {
  'request id': 'Id',
  'user agent': 'UserAgent',
  'correlation id': 'CorrelationId',
  'user id': 'UserId',
  user: 'UserDisplayName',
  username: 'UserPrincipalName',
  'user type': 'UserType',
  'cross tenant access type': 'CrossTenantAccessType',
  'incoming token type': 'IncomingTokenType',
  'authentication protocol': 'AuthenticationProtocol',
  'unique token identifier': 'UniqueTokenIdentifier',
  application: 'AppDisplayName',
  'application id': 'AppId',
  resource: 'ResourceDisplayName',
  'resource id': 'ResourceIdentity',
  'resource tenant id': 'ResourceTenantId',
  'home tenant id': 'HomeTenantId',
  'ip address': 'IPAddress',
  'failure reason': 'ResultDescription',
  'client app': 'ClientAppUsed',
  'authentication requirement': 'AuthenticationRequirement',
  'sign-in identifier': 'SignInIdentifier',
  'session id': 'SessionId',
  'autonomous system number': 'AutonomousSystemNumber',
  'flagged for review': 'FlaggedForReview',
  'token issuer type': 'TokenIssuerType',
  'token issuer name': 'TokenIssuerName',
  latency: 'ProcessingTimeInMilliseconds',
  'conditional access': 'ConditionalAccessStatus',
};

/** The Entra admin center's audit CSV download: header -> column (targets and details are rebuilt below). */
export const ENTRA_AUDIT_CSV_COLUMNS: Readonly<Record<string, string>> = {
  correlationid: 'CorrelationId',
  service: 'LoggedByService',
  category: 'Category',
  activity: 'OperationName',
  resultreason: 'ResultReason',
};
