/**
 * What `breakglass init` needs to know, read from flags such as `--account OBJECTID=UPN`. Each
 * reader names the flag and the value that is wrong; the manifest schema checks the rest once the
 * text is written.
 */
import schema from '../../schemas/manifest.schema.json' with { type: 'json' };
import { parsePhoneNumber } from '../manifest/phone-number.js';
import type { ExclusionGroup, ManifestAccount, SmsRecipient, Workspace } from '../manifest/types.js';

export interface InitFlags {
  accounts: string[];
  group?: string;
  emails: string[];
  sms: string[];
  workspaceIds: string[];
  tenantId?: string;
  force: boolean;
}

export interface InitAnswers {
  idNamespace: string;
  tenantId?: string;
  accounts: ManifestAccount[];
  exclusionGroup: ExclusionGroup;
  emails: string[];
  sms: SmsRecipient[];
  workspaces: Workspace[];
}

export class InitInputError extends Error {}

// The same patterns the manifest schema applies, so an answer is refused when it is typed.
const UPN = new RegExp(schema.definitions.account.properties.userPrincipalName.pattern);
const UPN_MAX = schema.definitions.account.properties.userPrincipalName.maxLength;
const EMAIL = new RegExp(schema.properties.notifications.properties.email.items.properties.address.pattern);
const GUID = new RegExp(schema.definitions.guid.pattern);
const RESOURCE_GROUP = new RegExp(schema.properties.workspaces.items.properties.resourceGroup.pattern);
const WORKSPACE_NAME = new RegExp(schema.properties.workspaces.items.properties.workspaceName.pattern);
const DISPLAY_TEXT_MAX = schema.definitions.displayText.maxLength;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

function splitPair(flag: string, value: string, shape: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new InitInputError(`--${flag} ${value}: expected ${shape}`);
  return [value.slice(0, at).trim(), value.slice(at + 1).trim()];
}

/** An object id as typed at a prompt. */
export function readObjectId(text: string): string {
  if (!isGuid(text)) throw new InitInputError(`'${text}' is not an object id (a GUID)`);
  return text.toLowerCase();
}

export function readUpn(text: string): string {
  if (text.length > UPN_MAX) throw new InitInputError(`'${text}' has ${text.length} characters; a user principal name has at most ${UPN_MAX}`);
  if (!UPN.test(text)) throw new InitInputError(`'${text}' is not a user principal name (name@domain, letters, digits and ' . - _ ! # ^ ~ before the @)`);
  return text;
}

/** `OBJECTID=UPN` for a Global Administrator; `OBJECTID=UPN=ROLE` for an account that holds another privileged role. */
export function readAccount(value: string): ManifestAccount {
  const [objectId, rest] = splitPair('account', value, 'OBJECTID=UPN or OBJECTID=UPN=ROLE, e.g. 34bbde15-5585-4333-a9d6-fd1b529ab024=bg-01@contoso.onmicrosoft.com');
  // A UPN has no '=', so a second one starts the role.
  const at = rest.indexOf('=');
  const userPrincipalName = at < 0 ? rest : rest.slice(0, at).trim();
  const role = at < 0 ? undefined : rest.slice(at + 1).trim();
  if (role === '') throw new InitInputError(`--account ${value}: expected OBJECTID=UPN=ROLE, the role after the second '='`);
  if (role !== undefined && role.length > DISPLAY_TEXT_MAX) throw new InitInputError(`--account ${value}: the role has ${role.length} characters; at most ${DISPLAY_TEXT_MAX}`);
  if (!isGuid(objectId)) throw new InitInputError(`--account ${value}: '${objectId}' is not an object id (a GUID)`);
  if (userPrincipalName.length > UPN_MAX || !UPN.test(userPrincipalName)) throw new InitInputError(`--account ${value}: '${userPrincipalName}' is not a user principal name (name@domain, letters, digits and ' . - _ ! # ^ ~ before the @)`);
  const account = { objectId: objectId.toLowerCase(), userPrincipalName };
  return role === undefined ? { ...account, kind: 'global-admin' } : { ...account, kind: 'privileged-role', role };
}

export function readGroup(value: string): ExclusionGroup {
  const [objectId, displayName] = splitPair('group', value, 'OBJECTID=NAME, e.g. 8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73=CA-Exclusion-EmergencyAccess');
  if (!isGuid(objectId)) throw new InitInputError(`--group ${value}: '${objectId}' is not an object id (a GUID)`);
  return { objectId: objectId.toLowerCase(), displayName: readDisplayName(displayName) };
}

/** A role name as typed at a prompt: the manifest keeps at most 256 characters. */
export function readRoleName(text: string): string {
  if (text.length > DISPLAY_TEXT_MAX) throw new InitInputError(`the role has ${text.length} characters; at most ${DISPLAY_TEXT_MAX}`);
  return text;
}

/** A display name as the manifest keeps it: 1 to 256 characters. */
export function readDisplayName(text: string): string {
  const name = text.trim();
  if (name === '') throw new InitInputError('give a name');
  if (name.length > DISPLAY_TEXT_MAX) throw new InitInputError(`the name has ${name.length} characters; at most ${DISPLAY_TEXT_MAX}`);
  return name;
}

/** A phone number in international form, kept as country code and national number. */
export function readSms(value: string): SmsRecipient {
  const parsed = parsePhoneNumber(value);
  if ('problem' in parsed) throw new InitInputError(`--sms ${value}: ${parsed.problem}`);
  return parsed;
}

const WORKSPACE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/?$/i;

export function readWorkspaceId(value: string): Workspace {
  const match = WORKSPACE_ID.exec(value.trim());
  if (!match) throw new InitInputError(`--workspace-id ${value}: expected /subscriptions/SUBSCRIPTION/resourceGroups/GROUP/providers/Microsoft.OperationalInsights/workspaces/NAME (the workspace's Resource ID, under Properties in the portal)`);
  const [, subscriptionId, resourceGroup, workspaceName] = match;
  if (!isGuid(subscriptionId!)) throw new InitInputError(`--workspace-id ${value}: the subscription '${subscriptionId}' is not a GUID`);
  if (!RESOURCE_GROUP.test(resourceGroup!)) throw new InitInputError(`--workspace-id ${value}: '${resourceGroup}' is not a resource group name (1 to 90 letters, digits, _ . - ( ))`);
  if (!WORKSPACE_NAME.test(workspaceName!)) throw new InitInputError(`--workspace-id ${value}: '${workspaceName}' is not a workspace name (4 to 63 letters, digits and hyphens, starting and ending with a letter or digit)`);
  return { name: workspaceName!, subscriptionId: subscriptionId!.toLowerCase(), resourceGroup: resourceGroup!, workspaceName: workspaceName! };
}

export function readEmail(value: string): string {
  const address = value.trim();
  if (!EMAIL.test(address)) throw new InitInputError(`--email ${value}: not an e-mail address`);
  return address;
}

export function readTenantId(value: string): string {
  if (!isGuid(value.trim())) throw new InitInputError(`--tenant-id ${value}: not a GUID`);
  return value.trim().toLowerCase();
}

/** The flags that are still needed, for the message when nobody can be asked. */
export function missingFlags(flags: InitFlags): string[] {
  const missing: string[] = [];
  if (flags.accounts.length === 0) missing.push('--account OBJECTID=UPN[=ROLE] (two or more)');
  if (flags.group === undefined) missing.push('--group OBJECTID=NAME');
  if (flags.emails.length === 0) missing.push('--email ADDRESS');
  if (flags.workspaceIds.length === 0) missing.push('--workspace-id RESOURCE-ID');
  return missing;
}
