import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID, ODATA, type AuthenticationMethod, type AuthenticationMethodConfiguration, type DirectoryObject, type RoleDefinition } from '../graph/graph-types.js';
import { DEFAULT_VALIDATION_INTERVAL_DAYS, type Manifest } from '../manifest/types.js';
import { caExclusion, type Principal } from './ca-exclusion.js';
import { days, isoDate, unknownResult, type CheckResult, type Subject } from './check-result.js';
import { isType, type AccountReads, type Read, type TenantReads } from './read-tenant.js';

/** A test is "due" this many days before the interval runs out (the reminder playbook uses the same). */
export const DUE_WITHIN_DAYS = 14;
/** CISA SCuBA MS.AAD.7.1v1: at least 2 and at most 8 Global Administrators (Microsoft's own guidance: more than one, fewer than five). */
export const GLOBAL_ADMIN_RANGE = { min: 2, max: 8 } as const;

const TENANT: Subject = { kind: 'tenant' };

/** Every check, from what was read. Pure: the reads and the clock come in. */
export function evaluatePosture(manifest: Manifest, reads: TenantReads): CheckResult[] {
  const group: Subject = { kind: 'group', displayName: manifest.exclusionGroup.displayName };
  return [...tenantChecks(manifest, reads), ...groupChecks(manifest, reads, group), ...reads.accounts.flatMap((a) => accountChecks(manifest, reads, a))];
}

function tenantChecks(manifest: Manifest, reads: TenantReads): CheckResult[] {
  const out: CheckResult[] = [];
  const sspr = reads.authorizationPolicy.result;
  if (!sspr.ok) out.push(unknownResult('tenant/sspr-admins', TENANT, reads.authorizationPolicy, 'self-service password reset for administrators'));
  else if (sspr.value.allowedToUseSSPR) {
    out.push({ id: 'tenant/sspr-admins', subject: TENANT, status: 'fail', message: 'administrators may reset their own password (authorizationPolicy.allowedToUseSSPR is true): whoever holds a break-glass account\'s phone or mailbox can take it over', fix: 'Set allowedToUseSSPR to false (Update-MgPolicyAuthorizationPolicy -AllowedToUseSspr:$false); scoping SSPR to a group does not cover administrators.' });
  } else out.push({ id: 'tenant/sspr-admins', subject: TENANT, status: 'pass', message: 'administrators cannot reset their own password (allowedToUseSSPR is false)' });

  const fido2 = reads.fido2.result;
  if (!fido2.ok) out.push(unknownResult('tenant/fido2-policy', TENANT, reads.fido2, 'FIDO2 authentication method policy'));
  else if (fido2.value.state !== 'enabled') out.push({ id: 'tenant/fido2-policy', subject: TENANT, status: 'fail', message: 'the FIDO2 (passkey) method is disabled in the authentication methods policy: the accounts\' security keys cannot be used', fix: 'Entra admin center > Authentication methods > Passkey (FIDO2): enable it for the exclusion group (or all users).' });
  else out.push({ id: 'tenant/fido2-policy', subject: TENANT, status: 'pass', message: 'the FIDO2 (passkey) method is enabled' });

  const admins = reads.globalAdmins.result;
  if (!admins.ok) out.push(unknownResult('tenant/global-admin-count', TENANT, reads.globalAdmins, 'Global Administrator count'));
  else {
    const users = new Set<string>();
    const unread: string[] = [];
    for (const assignment of admins.value) {
      if (assignment.directoryScopeId !== '/') continue;
      const members = reads.globalAdminGroups.get(assignment.principalId);
      if (!members) users.add(assignment.principalId.toLowerCase());
      else if (members.result.ok) for (const m of members.result.value) if (isType(m, ODATA.user)) users.add(m.id.toLowerCase());
      else unread.push(assignment.principalId);
    }
    const n = users.size;
    const counted = `${n} principal${n === 1 ? '' : 's'} hold${n === 1 ? 's' : ''} Global Administrator (active assignments, group members counted; PIM-eligible ones are not)`;
    if (unread.length > 0) out.push(unknownResult('tenant/global-admin-count', TENANT, reads.globalAdminGroups.get(unread[0]!)!, 'Global Administrator count'));
    else if (n < GLOBAL_ADMIN_RANGE.min || n > GLOBAL_ADMIN_RANGE.max) {
      out.push({ id: 'tenant/global-admin-count', subject: TENANT, status: 'warn', message: `${counted}: outside ${GLOBAL_ADMIN_RANGE.min} to ${GLOBAL_ADMIN_RANGE.max}`, fix: n < GLOBAL_ADMIN_RANGE.min ? 'Keep at least two Global Administrators (the break-glass accounts count).' : 'Move day-to-day administrators to least-privileged roles or PIM-eligible assignments.', data: { count: n } });
    } else out.push({ id: 'tenant/global-admin-count', subject: TENANT, status: 'pass', message: `${counted}: within ${GLOBAL_ADMIN_RANGE.min} to ${GLOBAL_ADMIN_RANGE.max}`, data: { count: n } });
  }
  void manifest;
  return out;
}

function groupChecks(manifest: Manifest, reads: TenantReads, subject: Subject): CheckResult[] {
  const expected = manifest.exclusionGroup;
  const group = reads.group.result;
  if (!group.ok) {
    if (group.error.status === 404) {
      return [{ id: 'group/exists', subject, status: 'fail', message: `there is no group with object id ${expected.objectId}: policies that exclude "${expected.displayName}" exclude nobody`, fix: 'Create a role-assignable security group, add the accounts, exclude it from every Conditional Access policy, and put its object id in the manifest.' }];
    }
    return [unknownResult('group/exists', subject, reads.group, 'exclusion group')];
  }
  const out: CheckResult[] = [];
  const g = group.value;
  const problems: string[] = [];
  if (g.groupTypes?.some((t) => t.toLowerCase() === 'dynamicmembership')) problems.push(`its membership is dynamic (${g.membershipRule ?? 'a rule'}): a change to any user's attributes can add or drop an exclusion`);
  if (g.onPremisesSyncEnabled) problems.push('it is synchronized from on-premises Active Directory: on-premises administrators control who is excluded');
  if (problems.length > 0) out.push({ id: 'group/exists', subject, status: 'fail', message: `the exclusion group "${g.displayName}" exists, but ${problems.join('; ')}`, fix: 'Use a cloud-only, assigned-membership, role-assignable security group.' });
  else if (g.displayName !== expected.displayName) out.push({ id: 'group/exists', subject, status: 'warn', message: `the exclusion group exists, named "${g.displayName}" in Entra ID and "${expected.displayName}" in the manifest`, fix: 'Update exclusionGroup.displayName in the manifest (alerts and the workbook show it).' });
  else out.push({ id: 'group/exists', subject, status: 'pass', message: `the exclusion group "${g.displayName}" exists (cloud-only, assigned membership)` });

  const members = reads.groupMembers.result;
  if (!members.ok) out.push(unknownResult('group/members', subject, reads.groupMembers, 'exclusion group membership'));
  else {
    const wanted = new Set(manifest.accounts.map((a) => a.objectId.toLowerCase()));
    const present = new Set(members.value.map((m) => m.id.toLowerCase()));
    const missing = manifest.accounts.filter((a) => !present.has(a.objectId.toLowerCase()));
    const extra = members.value.filter((m) => !wanted.has(m.id.toLowerCase()));
    const details = [
      ...missing.map((a) => `missing: ${a.userPrincipalName} (${a.objectId}): policies that exclude only the group still apply to it`),
      ...extra.map((m) => `extra: ${describe(m)}: escapes every policy that excludes the group`),
    ];
    if (details.length === 0) out.push({ id: 'group/members', subject, status: 'pass', message: `its members are exactly the ${manifest.accounts.length} break-glass accounts` });
    else out.push({ id: 'group/members', subject, status: 'fail', message: `its members are not exactly the manifest's accounts (${missing.length} missing, ${extra.length} extra)`, fix: 'Remove every member that is not a break-glass account (nested groups included) and add the missing accounts.', details, data: { missing: missing.map((a) => a.objectId), extra: extra.map((m) => ({ id: m.id, type: m['@odata.type'], displayName: m.displayName ?? null, userPrincipalName: m.userPrincipalName ?? null })) } });
  }

  const memberOf = reads.groupMemberOf.result;
  if (g.isAssignableToRole) out.push({ id: 'group/protected', subject, status: 'pass', message: 'it is role-assignable: only Privileged Role Administrators and Global Administrators can change its members' });
  else if (!memberOf.ok) out.push(unknownResult('group/protected', subject, reads.groupMemberOf, 'administrative units of the exclusion group'));
  else {
    const units = memberOf.value.filter((o) => isType(o, ODATA.administrativeUnit));
    const restricted = units.find((u) => u.isMemberManagementRestricted === true);
    const unreadable = units.filter((u) => u.isMemberManagementRestricted === undefined || u.isMemberManagementRestricted === null);
    if (restricted) out.push({ id: 'group/protected', subject, status: 'pass', message: `it is in the restricted management administrative unit "${restricted.displayName}"` });
    // Without AdministrativeUnit.Read.All Graph lists the units "with limited information": the
    // type and id only, every other property null (learn.microsoft.com/graph/api/group-list-memberof).
    else if (unreadable.length > 0) out.push({ id: 'group/protected', subject, status: 'unknown', message: `it is not role-assignable and is in administrative unit${unreadable.length === 1 ? '' : 's'} ${unreadable.map((u) => (u.displayName ? `"${u.displayName}" (${u.id})` : u.id)).join(', ')}, whose isMemberManagementRestricted the identity cannot read (Graph returns administrative units with limited information without AdministrativeUnit.Read.All)`, fix: 'Grant the application permission AdministrativeUnit.Read.All (admin consent) so posture can tell whether the unit restricts management, or check the unit in the Entra admin center.', data: { permission: 'AdministrativeUnit.Read.All', administrativeUnits: unreadable.map((u) => u.id) } });
    else out.push({ id: 'group/protected', subject, status: 'fail', message: 'it is neither role-assignable nor in a restricted management administrative unit: any Groups Administrator, User Administrator or owner can add a member, and that member escapes every policy', fix: 'Recreate it as a role-assignable group (isAssignableToRole cannot be changed later), or put it in a restricted management administrative unit.' });
  }

  const owners = reads.groupOwners.result;
  if (!owners.ok) out.push(unknownResult('group/owners', subject, reads.groupOwners, 'owners of the exclusion group'));
  else {
    const accounts = new Set(manifest.accounts.map((a) => a.objectId.toLowerCase()));
    const others = owners.value.filter((o) => !accounts.has(o.id.toLowerCase()));
    if (owners.value.length === 0) out.push({ id: 'group/owners', subject, status: 'pass', message: 'it has no owners' });
    else if (others.length === 0) out.push({ id: 'group/owners', subject, status: 'pass', message: `its owners are break-glass accounts only (${owners.value.map(describe).join(', ')})` });
    else out.push({ id: 'group/owners', subject, status: 'warn', message: `${others.length} owner${others.length === 1 ? '' : 's'} can change its members`, fix: 'Remove the owners; the group is managed by Privileged Role Administrators.', details: others.map((o) => `owner: ${describe(o)}`), data: { owners: others.map((o) => ({ id: o.id, type: o['@odata.type'], displayName: o.displayName ?? null, userPrincipalName: o.userPrincipalName ?? null })) } });
  }
  return out;
}

function describe(o: DirectoryObject): string {
  const kind = o['@odata.type'].replace('#microsoft.graph.', '');
  return `${kind} ${o.userPrincipalName ?? o.displayName ?? ''} (${o.id})`.replace('  ', ' ');
}

/** The role the manifest says the account holds, as a role definition id (a template id for built-in roles). */
function requiredRole(account: AccountReads['account'], definitions: Read<RoleDefinition[]>): { id: string; name: string } | { missing: string } | undefined {
  if (account.kind === 'global-admin') return { id: GLOBAL_ADMINISTRATOR_TEMPLATE_ID, name: 'Global Administrator' };
  if (!definitions.result.ok) return undefined;
  const wanted = (account.role ?? '').toLowerCase();
  const found = definitions.result.value.find((d) => d.displayName.toLowerCase() === wanted);
  return found ? { id: (found.templateId ?? found.id).toLowerCase(), name: found.displayName } : { missing: account.role ?? '' };
}

function accountChecks(manifest: Manifest, reads: TenantReads, a: AccountReads): CheckResult[] {
  const subject: Subject = { kind: 'account', index: a.index, userPrincipalName: a.account.userPrincipalName };
  const user = a.user.result;
  if (!user.ok) {
    if (user.error.status === 404) return [{ id: 'account/exists', subject, status: 'fail', message: `there is no user with object id ${a.account.objectId}: the account was deleted or the id is wrong`, fix: 'Restore it from deleted users within 30 days, or correct objectId in the manifest.' }];
    return [unknownResult('account/exists', subject, a.user, 'the account')];
  }
  const u = user.value;
  const out: CheckResult[] = [];
  out.push(u.accountEnabled === false ? { id: 'account/exists', subject, status: 'fail', message: 'the account exists but is disabled (accountEnabled is false): it cannot sign in', fix: 'Enable it (Entra admin center > Users > the account > Edit properties > Account enabled).' } : { id: 'account/exists', subject, status: 'pass', message: 'the account exists and is enabled' });
  out.push(
    u.userPrincipalName.toLowerCase() === a.account.userPrincipalName.toLowerCase()
      ? { id: 'account/upn', subject, status: 'pass', message: 'its user principal name matches the manifest' }
      : { id: 'account/upn', subject, status: 'fail', message: `Entra ID knows it as ${u.userPrincipalName}, the manifest as ${a.account.userPrincipalName}: rules that match on the UPN miss its sign-ins`, fix: 'Put the current userPrincipalName in the manifest (or rename the account back) and push.' },
  );
  const synced = u.onPremisesSyncEnabled === true || Boolean(u.onPremisesImmutableId);
  out.push(
    synced
      ? { id: 'account/cloud-only', subject, status: 'fail', message: `it is synchronized from on-premises (${u.onPremisesSyncEnabled ? 'onPremisesSyncEnabled is true' : ''}${u.onPremisesSyncEnabled && u.onPremisesImmutableId ? ', ' : ''}${u.onPremisesImmutableId ? `onPremisesImmutableId ${u.onPremisesImmutableId}` : ''}): an on-premises compromise or outage takes it too`, fix: 'Use a cloud-only account (*.onmicrosoft.com), not one synchronized by Entra Connect.' }
      : { id: 'account/cloud-only', subject, status: 'pass', message: 'it is cloud-only (not synchronized, no on-premises immutable id)' },
  );
  out.push(roleCheck(a, reads, subject));
  out.push(...methodChecks(a, reads, subject));
  out.push(validationCheck(manifest, a, reads.readAt, subject));
  const principal = principalOf(a, reads);
  if (!reads.policies.result.ok) out.push(unknownResult('account/ca-excluded', subject, reads.policies, 'Conditional Access exclusion'));
  else if (!principal) out.push(unknownResult('account/ca-excluded', subject, a.memberOf.result.ok ? a.activeRoles : a.memberOf, 'Conditional Access exclusion (the groups and roles of the account)'));
  else out.push(caExclusion(reads.policies.result.value, principal, subject));
  out.push(fido2Targeting(reads.fido2, a, subject));
  return out;
}

/**
 * The account as Conditional Access sees it. Roles: only built-in roles held actively at directory
 * scope count ("other role types aren't supported, including administrative unit-scoped roles",
 * learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups):
 * directory roles from transitiveMemberOf, PIM's active instances, or, without PIM, the plain
 * assignments.
 */
function principalOf(a: AccountReads, reads: TenantReads): Principal | undefined {
  if (!a.memberOf.result.ok) return undefined;
  const groups = new Map<string, string>();
  const roles = new Map<string, string>();
  for (const o of a.memberOf.result.value) {
    if (isType(o, ODATA.group)) groups.set(o.id.toLowerCase(), o.displayName ?? o.id);
    if (isType(o, ODATA.directoryRole) && o.roleTemplateId) roles.set(o.roleTemplateId.toLowerCase(), o.displayName ?? o.roleTemplateId);
  }
  const names = new Map((reads.roleDefinitions.result.ok ? reads.roleDefinitions.result.value : []).map((d) => [(d.templateId ?? d.id).toLowerCase(), d.displayName]));
  const assignments = a.plainRoles ? (a.plainRoles.result.ok ? a.plainRoles.result.value : []) : a.activeRoles.result.ok ? a.activeRoles.result.value : [];
  for (const r of assignments) {
    if (r.directoryScopeId !== '/') continue;
    roles.set(r.roleDefinitionId.toLowerCase(), names.get(r.roleDefinitionId.toLowerCase()) ?? r.roleDefinitionId);
  }
  const userType = a.user.result.ok ? (a.user.result.value.userType ?? null) : null;
  return { id: a.account.objectId.toLowerCase(), userType, groups, roles };
}

function roleCheck(a: AccountReads, reads: TenantReads, subject: Subject): CheckResult {
  const id = 'account/role';
  const role = requiredRole(a.account, reads.roleDefinitions);
  if (!role) return unknownResult(id, subject, reads.roleDefinitions, `the role ${a.account.role}`);
  if ('missing' in role) return { id, subject, status: 'fail', message: `the tenant has no role named "${role.missing}"`, fix: 'Correct accounts[].role in the manifest: the role\'s display name as Entra ID shows it.' };
  const matches = (r: { roleDefinitionId: string; directoryScopeId: string }) => r.roleDefinitionId.toLowerCase() === role.id && r.directoryScopeId === '/';
  if (a.plainRoles) {
    if (!a.plainRoles.result.ok) return unknownResult(id, subject, a.plainRoles, `the ${role.name} assignment`);
    return a.plainRoles.result.value.some(matches)
      ? { id, subject, status: 'pass', message: `holds ${role.name} tenant-wide (PIM is not licensed in this tenant, so the assignment is permanent)` }
      : { id, subject, status: 'fail', message: `does not hold ${role.name} tenant-wide`, fix: `Assign ${role.name} to the account directly, at directory scope.` };
  }
  if (!a.activeRoles.result.ok) return unknownResult(id, subject, a.activeRoles, `the ${role.name} assignment`);
  const active = a.activeRoles.result.value.filter(matches);
  const permanent = active.find((r) => r.assignmentType === 'Assigned' && !r.endDateTime && r.memberType === 'Direct');
  if (permanent) return { id, subject, status: 'pass', message: `holds ${role.name} permanently (active, assigned directly, no end date)` };
  const expiring = active.find((r) => r.assignmentType === 'Assigned' && r.endDateTime);
  if (expiring) return { id, subject, status: 'fail', message: `holds ${role.name} only until ${expiring.endDateTime} (an active assignment with an end date)`, fix: `Make the ${role.name} assignment permanent: PIM > Assignments > Active > Update > Permanently assigned.`, data: { endDateTime: expiring.endDateTime } };
  const activated = active.find((r) => r.assignmentType === 'Activated');
  if (activated) return { id, subject, status: 'fail', message: `holds ${role.name} only through a PIM activation ending ${activated.endDateTime ?? 'soon'}: it is eligible, not permanently active`, fix: `Assign ${role.name} as a permanent active assignment; an emergency must not depend on PIM activation.` };
  const viaGroup = active.find((r) => r.assignmentType === 'Assigned' && !r.endDateTime);
  if (viaGroup) return { id, subject, status: 'warn', message: `holds ${role.name} permanently, but through a group (memberType ${viaGroup.memberType}), not directly`, fix: `Assign ${role.name} to the account directly: whoever manages that group can take the role away.` };
  if (!a.eligibleRoles.result.ok) return unknownResult(id, subject, a.eligibleRoles, `the ${role.name} eligibility`);
  const eligible = a.eligibleRoles.result.value.find(matches);
  if (eligible) return { id, subject, status: 'fail', message: `is only PIM-eligible for ${role.name}${eligible.endDateTime ? ` (eligibility ends ${eligible.endDateTime})` : ''}: in an emergency, activation itself may be what is broken`, fix: `Convert the eligibility to a permanent active assignment of ${role.name}.` };
  return { id, subject, status: 'fail', message: `does not hold ${role.name} tenant-wide`, fix: `Assign ${role.name} to the account permanently (active, no end date, directory scope).` };
}

const WEAK: Record<string, string> = {
  [ODATA.phone]: 'phone (SMS or voice call)',
  [ODATA.authenticator]: 'Microsoft Authenticator (push or passwordless phone sign-in)',
  [ODATA.softwareOath]: 'software OATH token (one-time codes)',
  [ODATA.temporaryAccessPass]: 'an active Temporary Access Pass',
};
const LESSER: Record<string, string> = {
  [ODATA.email]: 'e-mail one-time passcode (self-service password reset)',
  [ODATA.external]: 'an external authentication method',
  [ODATA.qrCodePin]: 'QR code + PIN',
};

function methodLabel(m: AuthenticationMethod): string {
  const type = m['@odata.type'].toLowerCase();
  if (type === ODATA.phone.toLowerCase()) return `${WEAK[ODATA.phone]}: ${m.phoneType ?? 'phone'} ${m.phoneNumber ?? ''}`.trim();
  if (type === ODATA.temporaryAccessPass.toLowerCase()) {
    return m.isUsable === true ? `${WEAK[ODATA.temporaryAccessPass]} (from ${m.startDateTime ?? 'now'}, ${m.lifetimeInMinutes ?? '?'} minutes)` : `a Temporary Access Pass that becomes usable at ${m.startDateTime ?? 'its start time'} (${m.lifetimeInMinutes ?? '?'} minutes; methodUsabilityReason NotYetValid)`;
  }
  const known = Object.entries({ ...WEAK, ...LESSER }).find(([t]) => t.toLowerCase() === type)?.[1];
  return `${known ?? type.replace('#microsoft.graph.', '')}${m.displayName ? `: ${m.displayName}` : ''}`;
}

/**
 * Whether the FIDO2 policy's key restrictions let this key sign in. They apply "for both
 * registration and authentication": a key whose AAGUID is blocked, or not on an allow list, "can no
 * longer be used for sign-in" (learn.microsoft.com/entra/identity/authentication/how-to-enable-passkey-fido2,
 * key restriction policy). Undefined when the policy could not be read or the key has no AAGUID.
 */
function keyAllowed(fido2: Read<AuthenticationMethodConfiguration>, key: AuthenticationMethod): boolean | undefined {
  if (!fido2.result.ok) return undefined;
  const restrictions = fido2.result.value.keyRestrictions;
  if (!restrictions?.isEnforced) return true;
  const aaGuid = key.aaGuid?.toLowerCase();
  if (!aaGuid) return undefined;
  const listed = (restrictions.aaGuids ?? []).some((g) => g.toLowerCase() === aaGuid);
  return restrictions.enforcementType === 'block' ? !listed : listed;
}

function keyLabel(m: AuthenticationMethod): string {
  return `FIDO2 passkey ${m.displayName ?? ''}${m.model ? ` (${m.model})` : ''}`.replace('  ', ' ').trim();
}

function methodChecks(a: AccountReads, reads: TenantReads, subject: Subject): CheckResult[] {
  if (!a.methods.result.ok) return [unknownResult('account/phishing-resistant', subject, a.methods, 'phishing-resistant method'), unknownResult('account/weak-methods', subject, a.methods, 'weaker methods')];
  const methods = a.methods.result.value;
  const fido2 = methods.filter((m) => isType(m, ODATA.fido2));
  const refused = fido2.filter((m) => keyAllowed(reads.fido2, m) === false);
  const keys = fido2.filter((m) => !refused.includes(m));
  const certificate = certificateSignIn(a, reads);
  const out: CheckResult[] = [];
  const refusedText = refused.map((m) => `${keyLabel(m)} (AAGUID ${m.aaGuid})`).join('; ');
  const restriction = reads.fido2.result.ok ? reads.fido2.result.value.keyRestrictions : undefined;
  const refusedFix = `Passkey (FIDO2) > Configure > key restrictions (${restriction?.enforcementType ?? 'allow'} list): ${restriction?.enforcementType === 'block' ? 'remove these AAGUIDs from the block list' : 'add these AAGUIDs to the allow list'}, or register keys of an allowed model.`;
  if (keys.length > 0 || certificate) {
    const what = [...keys.map(keyLabel), ...(certificate ? [certificate] : [])];
    if (refused.length > 0) out.push({ id: 'account/phishing-resistant', subject, status: 'warn', message: `has a phishing-resistant method: ${what.join('; ')}; but the FIDO2 policy's key restrictions refuse ${refusedText} for sign-in`, fix: refusedFix, data: { refusedKeys: refused.map((m) => ({ id: m.id, aaGuid: m.aaGuid ?? null })) } });
    else out.push({ id: 'account/phishing-resistant', subject, status: 'pass', message: `has a phishing-resistant method: ${what.join('; ')}` });
  } else if (refused.length > 0) {
    out.push({ id: 'account/phishing-resistant', subject, status: 'fail', message: `its FIDO2 passkeys cannot sign in: the FIDO2 policy's key restrictions refuse ${refusedText}, and it has no certificate-based sign-in`, fix: refusedFix, data: { refusedKeys: refused.map((m) => ({ id: m.id, aaGuid: m.aaGuid ?? null })) } });
  } else {
    const hello = methods.some((m) => isType(m, ODATA.windowsHello) || isType(m, ODATA.platformCredential));
    out.push({ id: 'account/phishing-resistant', subject, status: 'fail', message: `has no FIDO2 passkey and no certificate-based sign-in${hello ? ' (it has Windows Hello or a platform credential, phishing-resistant but bound to one device that may be unreachable in an emergency)' : ''}`, fix: 'Register two FIDO2 security keys for the account and keep them in separate safes.' });
  }
  // A Temporary Access Pass counts while usable, and before its start time too (NotYetValid): it
  // becomes usable without anyone acting (temporaryAccessPassAuthenticationMethod, methodUsabilityReason).
  const usable = (m: AuthenticationMethod) => !isType(m, ODATA.temporaryAccessPass) || m.isUsable === true || m.methodUsabilityReason?.toLowerCase() === 'notyetvalid';
  const weak = methods.filter((m) => Object.keys(WEAK).some((t) => isType(m, t)) && usable(m));
  const lesser = methods.filter((m) => Object.keys(LESSER).some((t) => isType(m, t)));
  if (weak.length > 0) out.push({ id: 'account/weak-methods', subject, status: 'fail', message: `has ${weak.length} weaker method${weak.length === 1 ? '' : 's'} a help desk or attacker could use instead of the key`, fix: 'Delete these methods (Entra admin center > the account > Authentication methods); keep only FIDO2 keys (and the password).', details: [...weak, ...lesser].map(methodLabel), data: { methods: [...weak, ...lesser].map((m) => ({ type: m['@odata.type'], id: m.id })) } });
  else if (lesser.length > 0) out.push({ id: 'account/weak-methods', subject, status: 'warn', message: `has ${lesser.length} other method${lesser.length === 1 ? '' : 's'} besides its keys`, fix: 'Delete methods the account does not need.', details: lesser.map(methodLabel), data: { methods: lesser.map((m) => ({ type: m['@odata.type'], id: m.id })) } });
  else out.push({ id: 'account/weak-methods', subject, status: 'pass', message: 'has no phone, SMS, Authenticator, OATH code or usable or scheduled Temporary Access Pass' });
  return out;
}

/** Certificate-based sign-in as far as Graph shows it: the x509 method targets the account and it has certificateUserIds. */
function certificateSignIn(a: AccountReads, reads: TenantReads): string | undefined {
  const user = a.user.result.ok ? a.user.result.value : undefined;
  const ids = user?.authorizationInfo?.certificateUserIds ?? [];
  if (ids.length === 0 || !reads.x509.result.ok || !a.memberOf.result.ok) return undefined;
  if (!targets(reads.x509.result.value, a.account.objectId, a.memberOf.result.value).included) return undefined;
  return `certificate-based authentication (certificateUserIds ${ids.join(', ')}; Graph cannot see whether the certificate or smart card exists)`;
}

function targets(config: AuthenticationMethodConfiguration, userId: string, memberOf: readonly DirectoryObject[]): { included: boolean; excludedBy?: string } {
  const mine = new Set([userId.toLowerCase(), ...memberOf.filter((o) => isType(o, ODATA.group)).map((o) => o.id.toLowerCase())]);
  const names = new Map(memberOf.map((o) => [o.id.toLowerCase(), o.displayName ?? o.id]));
  const excluded = (config.excludeTargets ?? []).find((t) => mine.has(t.id.toLowerCase()) || t.id === 'all_users');
  const included = config.state === 'enabled' && (config.includeTargets ?? []).some((t) => t.id === 'all_users' || mine.has(t.id.toLowerCase()));
  return excluded ? { included: false, excludedBy: names.get(excluded.id.toLowerCase()) ?? excluded.id } : { included };
}

function fido2Targeting(fido2: Read<AuthenticationMethodConfiguration>, a: AccountReads, subject: Subject): CheckResult {
  const id = 'account/fido2-policy';
  if (!fido2.result.ok) return unknownResult(id, subject, fido2, 'FIDO2 method policy targeting');
  if (!a.memberOf.result.ok) return unknownResult(id, subject, a.memberOf, 'FIDO2 method policy targeting (the groups of the account)');
  const config = fido2.result.value;
  if (config.state !== 'enabled') return { id, subject, status: 'fail', message: 'the FIDO2 method is disabled for the whole tenant', fix: 'Enable Passkey (FIDO2) in the authentication methods policy.' };
  const t = targets(config, a.account.objectId, a.memberOf.result.value);
  if (t.excludedBy) return { id, subject, status: 'fail', message: `the FIDO2 method policy excludes the account (through ${t.excludedBy}): its keys cannot be used`, fix: 'Remove that group from Passkey (FIDO2) > Exclude.' };
  if (!t.included) return { id, subject, status: 'fail', message: 'the FIDO2 method policy does not include the account (neither all users nor a group it is in)', fix: 'Add the exclusion group (or all users) to Passkey (FIDO2) > Include.' };
  return { id, subject, status: 'pass', message: 'the FIDO2 method policy includes the account and does not exclude it' };
}

/**
 * signInActivity has no "last successful interactive sign-in": lastSignInDateTime is the last
 * interactive attempt, successful or not, and lastSuccessfulSignInDateTime the last success,
 * interactive or not (learn.microsoft.com/graph/api/resources/signinactivity). The last successful
 * interactive sign-in (a test) is no later than either, so the earlier of the two is what a test
 * is known not to be newer than: overdue by that date is overdue for certain.
 */
function validationCheck(manifest: Manifest, a: AccountReads, now: Date, subject: Subject): CheckResult {
  const id = 'account/validation';
  const interval = manifest.validationIntervalDays ?? DEFAULT_VALIDATION_INTERVAL_DAYS;
  if (!a.signIn.result.ok) return unknownResult(id, subject, a.signIn, 'last successful sign-in');
  const activity = a.signIn.result.value.signInActivity;
  const success = activity?.lastSuccessfulSignInDateTime ?? null;
  const interactive = activity?.lastSignInDateTime ?? null;
  const facts = { lastSuccessfulSignIn: success, lastInteractiveSignIn: interactive, intervalDays: interval };
  const fix = 'Sign in with the account as a test (README: The 90-day drill), then run breakglass drill.';
  if (!success) return { id, subject, status: 'fail', message: 'validation overdue: Entra ID records no successful sign-in (lastSuccessfulSignInDateTime is empty; Graph records it since December 2023)', fix, data: facts };
  if (!interactive) return { id, subject, status: 'fail', message: 'validation overdue: Entra ID records no interactive sign-in (lastSignInDateTime is empty; Graph keeps it since April 2020): the successful sign-ins were non-interactive', fix, data: facts };
  const at = new Date(Math.min(Date.parse(success), Date.parse(interactive)));
  const due = new Date(at.getTime() + interval * 86_400_000);
  const age = days(now.getTime() - at.getTime());
  const left = days(due.getTime() - now.getTime());
  const data = { ...facts, testedNoLaterThan: at.toISOString(), dueDate: isoDate(due) };
  const tested = `last successful interactive sign-in no later than ${isoDate(at)}`;
  if (due.getTime() < now.getTime()) return { id, subject, status: 'fail', message: `validation overdue since ${isoDate(due)}: ${tested} (${age} days ago, interval ${interval} days)`, fix: 'Test the account now (README: The 90-day drill) and record the evidence with breakglass drill.', data };
  if (left <= DUE_WITHIN_DAYS) return { id, subject, status: 'warn', message: `validation due by ${isoDate(due)} (in ${left} days): ${tested}`, fix: 'Plan the test sign-in before the due date.', data };
  return { id, subject, status: 'pass', message: `${tested} (${age} days ago); next test due by ${isoDate(due)}`, data };
}
