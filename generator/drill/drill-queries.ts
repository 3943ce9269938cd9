import { kqlLiteral, kqlString } from '../render/kql-literal.js';

/**
 * The drill's queries. Their shape is fixed; the account, rule ids, playbook and window reach
 * them only through the KQL-literal helper. Each is validated by Kusto.Language against the
 * workspace tables in the tests and answered by the emulated query endpoint with the offline
 * evaluator.
 */
export interface DrillQueryInput {
  accountObjectId: string;
  userPrincipalName: string;
  /** GUIDs of our analytics rules (lower case). */
  ruleGuids: string[];
  playbookName: string;
  automationRuleNames: string[];
  /** The window, e.g. 2h. */
  since: string;
}

export interface DrillQueries {
  signIns: string;
  alerts: string;
  incidents: string;
  health: string;
}

/** `2h` -> `2h`, checked: a KQL timespan literal made only of digits and a unit. */
function timespan(since: string): string {
  if (!/^[1-9]\d{0,4}[mhd]$/.test(since)) throw new Error(`not a duration: ${since}`);
  return since;
}

export function drillQueries(input: DrillQueryInput): DrillQueries {
  const window = timespan(input.since);
  const account = `let AccountId = ${kqlString(input.accountObjectId.toLowerCase())};\nlet AccountUpn = ${kqlString(input.userPrincipalName.toLowerCase())};`;
  const rules = `let RuleGuids = ${kqlLiteral(input.ruleGuids.map((g) => g.toLowerCase()))};`;
  return {
    signIns: `${account}
union
    (SigninLogs | extend SignInType = "interactive"),
    (AADNonInteractiveUserSignInLogs | extend SignInType = "non-interactive")
| where TimeGenerated > ago(${window})
| where tolower(UserId) == AccountId or tolower(UserPrincipalName) == AccountUpn
| project TimeGenerated, SignInType, ResultType, ResultDescription, IPAddress, Location, AppDisplayName, ClientAppUsed,
    AuthenticationRequirement, ConditionalAccessStatus, CorrelationId, Id
| order by TimeGenerated asc`,
    alerts: `${account}
${rules}
SecurityAlert
| where TimeGenerated > ago(${window})
| extend RuleIds = todynamic(tostring(todynamic(ExtendedProperties)["Analytic Rule Ids"]))
| mv-expand RuleGuid = RuleIds to typeof(string)
| where tolower(RuleGuid) in (RuleGuids)
| extend AboutAccount = tolower(Entities) contains AccountId or tolower(Entities) contains AccountUpn
| summarize arg_max(TimeGenerated, AlertName, AlertSeverity, ProviderName, StartTime, AboutAccount, RuleGuid) by SystemAlertId
| order by TimeGenerated asc`,
    incidents: `${rules}
SecurityIncident
| where TimeGenerated > ago(${window})
| summarize arg_max(TimeGenerated, IncidentNumber, Title, Severity, Status, CreatedTime, IncidentUrl, AlertIds, Comments,
    RelatedAnalyticRuleIds) by IncidentName
| mv-expand RuleId = RelatedAnalyticRuleIds to typeof(string)
| extend RuleGuid = tolower(extract("([0-9a-fA-F-]{36})$", 1, RuleId))
| where RuleGuid in (RuleGuids)
| summarize arg_max(TimeGenerated, IncidentNumber, Title, Severity, Status, CreatedTime, IncidentUrl, AlertIds, Comments) by IncidentName
| order by CreatedTime asc`,
    health: `let PlaybookName = ${kqlString(input.playbookName)};
let AutomationRuleNames = ${kqlLiteral(input.automationRuleNames)};
SentinelHealth
| where TimeGenerated > ago(${window})
| where SentinelResourceType in ("Playbook", "Automation rule")
| where SentinelResourceName == PlaybookName or SentinelResourceName in (AutomationRuleNames) or tostring(ExtendedProperties) contains PlaybookName
| project TimeGenerated, SentinelResourceType, SentinelResourceName, OperationName, Status, Description, ExtendedProperties
| order by TimeGenerated asc`,
  };
}
