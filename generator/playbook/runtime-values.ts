/**
 * Logic App expressions for the incident values a message names. They are evaluated when the
 * playbook runs; the generator only writes them.
 */
const INCIDENT = "triggerBody()?['object']?['properties']";

export const INCIDENT_FIELDS = ['title', 'severity', 'status', 'incidentNumber', 'incidentUrl', 'createdTimeUtc'] as const;
export type IncidentField = (typeof INCIDENT_FIELDS)[number];

/** Names of workflow actions that messages and the comment refer to. */
export const ACTIONS = {
  ruleNames: 'Rule_names',
  breakGlassAccounts: 'Break_glass_accounts',
  incidentComments: 'Incident_comments',
  recentNotifications: 'Notifications_in_window',
  notifiedRecently: 'Notified_recently',
  accountEntities: 'Account_entities',
  ipEntities: 'IP_entities',
  accountNames: 'Account_names',
  ipAddresses: 'IP_addresses',
  email: 'Send_email',
  sms: 'Send_SMS',
  teams: 'Post_to_Teams',
  comment: 'Add_comment_to_incident',
} as const;

export const RUNTIME = {
  incident: (field: IncidentField) => `${INCIDENT}?['${field}']`,
  incidentArmId: "triggerBody()?['object']?['id']",
  relatedEntities: `coalesce(${INCIDENT}?['relatedEntities'], createArray())`,
  ruleName: `outputs('${ACTIONS.ruleNames}')?[toLower(last(split(string(first(coalesce(${INCIDENT}?['relatedAnalyticRuleIds'], createArray('')))), '/')))]`,
  accounts: `join(body('${ACTIONS.accountNames}'), ', ')`,
  ipAddresses: `join(body('${ACTIONS.ipAddresses}'), ', ')`,
  createdTime: `formatDateTime(${INCIDENT}?['createdTimeUtc'], 'yyyy-MM-dd HH:mm')`,
  status: (action: string) => `actions('${action}')?['status']`,
};

/** In HTML messages a value from the incident (it may carry log text) is encoded before use. */
export function htmlEncoded(expression: string): string {
  return `replace(replace(replace(replace(string(${expression}), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')`;
}
