/** The accounts manifest as the user writes it (after schema validation). */
export type AccountKind = 'global-admin' | 'privileged-role';
export type RuleKind = 'nrt' | 'scheduled';
export type Severity = 'Informational' | 'Low' | 'Medium' | 'High';
export type AccountSource = 'inline' | 'watchlist';
export type Cloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface ManifestAccount {
  objectId: string;
  userPrincipalName: string;
  displayName?: string;
  kind: AccountKind;
  /** Required for `privileged-role` accounts: the directory role they hold. */
  role?: string;
}

export interface ExclusionGroup {
  objectId: string;
  displayName: string;
}

export interface EmailRecipient {
  address: string;
  name?: string;
}

export interface SmsRecipient {
  countryCode: string;
  phoneNumber: string;
  name?: string;
}

export interface TeamsChannel {
  teamId: string;
  channelId: string;
}

export interface Notifications {
  email: EmailRecipient[];
  sms?: SmsRecipient[];
  teams?: TeamsChannel;
}

export interface Workspace {
  /** Short name used by `--workspace`; defaults to workspaceName. */
  name?: string;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  cloud?: Cloud;
}

export interface RuleOverride {
  enabled?: boolean;
  severity?: Severity;
  kind?: RuleKind;
  queryFrequency?: string;
  queryPeriod?: string;
}

export interface PlaybookSettings {
  name?: string;
  automationRuleOrder?: number;
  acsEndpoint?: string;
  smsFromNumber?: string;
}

export interface WatchlistSettings {
  alias: string;
}

export interface Manifest {
  /** Namespace (a GUID) from which every rule's stable GUID is derived. */
  idNamespace: string;
  tenantId?: string;
  accountSource?: AccountSource;
  watchlist?: WatchlistSettings;
  validationIntervalDays?: number;
  accounts: ManifestAccount[];
  exclusionGroup: ExclusionGroup;
  /** Other groups the accounts are members of (a role-assignable group that gives them their role). */
  accountGroups?: ExclusionGroup[];
  notifications: Notifications;
  workspaces: Workspace[];
  playbook?: PlaybookSettings;
  rules?: Record<string, RuleOverride>;
}

export const DEFAULT_WATCHLIST_ALIAS = 'BreakGlassAccounts';
export const DEFAULT_VALIDATION_INTERVAL_DAYS = 90;
export const DEFAULT_PLAYBOOK_NAME = 'BreakGlass-Notify';
export const DEFAULT_AUTOMATION_RULE_ORDER = 1;
