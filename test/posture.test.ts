import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID } from '../generator/graph/graph-types.js';
import { GraphEmulator, type GraphTenant } from './emulator/graph-emulator.js';
import { AAGUID, ADMIN, BG1, BG2, daysAgo, EXCLUSION_GROUP, healthyTenant, POLICY, PRIVILEGED_ROLE_ADMIN_TEMPLATE } from './emulator/graph-tenants.js';
import { EXAMPLE_MANIFEST } from './helpers/harness.js';
import { spawnCli } from './helpers/spawn-cli.js';

let graph: GraphEmulator;
beforeAll(async () => {
  graph = new GraphEmulator();
  await graph.start();
});
afterAll(async () => {
  await graph.stop();
});

interface JsonCheck {
  id: string;
  status: string;
  message: string;
  subject: { kind: string; userPrincipalName?: string };
  details?: string[];
  fix?: string;
  data?: Record<string, unknown>;
  location: { file: string; line: number };
}

/** Runs posture against a tenant built by `change` from the healthy one. */
async function posture(change: (t: GraphTenant) => void = () => {}, args: string[] = ['--format', 'json']) {
  const tenant = healthyTenant();
  change(tenant);
  graph.add(tenant);
  const run = await spawnCli(['posture', '--manifest', EXAMPLE_MANIFEST, ...args], graph.env(tenant.id));
  return { ...run, tenant, json: () => JSON.parse(run.stdout) as { summary: Record<string, number>; checks: JsonCheck[]; notChecked: string[] } };
}

function check(checks: JsonCheck[], id: string, upn?: string): JsonCheck {
  const found = checks.find((c) => c.id === id && (upn === undefined || c.subject.userPrincipalName === upn));
  if (!found) throw new Error(`no check ${id} ${upn ?? ''} among ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

describe('breakglass posture against the Microsoft Graph emulator', () => {
  it('passes every check on a healthy tenant, read-only, and says what Graph cannot tell', async () => {
    const run = await posture(() => {}, []);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS\s+bg-emergency-01@contoso\.onmicrosoft\.com\s+account\/ca-excluded\s+excluded from all 3 enabled and report-only Conditional Access policies \(3 through group CA-Exclusion-EmergencyAccess/m);
    expect(run.stdout).toMatch(/^PASS\s+tenant\s+tenant\/global-admin-count\s+3 principals hold Global Administrator/m);
    expect(run.stdout).toMatch(/\d+ passed, 0 warnings, 0 failed, 0 not checked/);
    expect(run.stdout).toContain('Microsoft Graph cannot tell:');
    expect(run.stdout).not.toContain('\u001b[');
    const calls = graph.callsOf(run.tenant.id);
    expect(calls.length).toBeGreaterThan(20);
    expect(calls.every((c) => c.path.startsWith('/v1.0/'))).toBe(true);
  });

  it('JSON gives every check with its manifest line; 9 checks per account, 4 of the group and 3 of the tenant', async () => {
    const run = await posture();
    expect(run.code).toBe(0);
    const json = run.json();
    expect(json.checks.filter((c) => c.subject.kind === 'account')).toHaveLength(18);
    expect(json.checks.filter((c) => c.subject.kind === 'group')).toHaveLength(4);
    expect(json.checks.filter((c) => c.subject.kind === 'tenant')).toHaveLength(3);
    expect(json.summary).toEqual({ pass: 25, warn: 0, fail: 0, unknown: 0 });
    expect(check(json.checks, 'account/role', BG2.upn).location).toEqual({ file: 'examples/accounts.yaml', line: 19, column: 5 });
    expect(check(json.checks, 'group/members').location.line).toBe(26);
  });
});

describe('each check fails on a tenant built to break it', () => {
  it('Conditional Access: Block policies first (those blocking every sign-in before those narrowed by a condition), by name and id, with what each covers; report-only warns; a policy that does not target the account yet warns', async () => {
    const run = await posture((t) => {
      t.policies.push(
        { id: '0a0a0a0a-0000-4000-8000-0000000000aa', displayName: 'Require MFA for admins', state: 'enabled', conditions: { users: { includeRoles: [GLOBAL_ADMINISTRATOR_TEMPLATE_ID], excludeUsers: [], excludeGroups: [] } }, grantControls: { builtInControls: ['mfa'] } },
        { id: '0b0b0b0b-0000-4000-8000-0000000000bb', displayName: 'Block unknown countries', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeUsers: [BG2.id] }, locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } }, grantControls: { builtInControls: ['block'] } },
        { id: '0c0c0c0c-0000-4000-8000-0000000000cc', displayName: 'Sign-in frequency (report-only)', state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'] } }, grantControls: null },
        { id: '0d0d0d0d-0000-4000-8000-0000000000dd', displayName: 'Finance app MFA', state: 'enabled', conditions: { users: { includeGroups: ['99999999-0000-4000-8000-000000000099'] }, applications: { includeApplications: ['Office365'] } }, grantControls: { builtInControls: ['mfa'] } },
        { id: '0e0e0e0e-0000-4000-8000-0000000000ee', displayName: 'Block all access (pilot)', state: 'enabled', conditions: { users: { includeUsers: ['All'] } }, grantControls: { builtInControls: ['block'] } },
      );
    });
    expect(run.code).toBe(1);
    const ca = check(run.json().checks, 'account/ca-excluded', BG1.upn);
    expect(ca.status).toBe('fail');
    expect(ca.message).toBe('not excluded from 5 of 8 Conditional Access policies, 2 of them blocking sign-in (1 every sign-in, for all resources and conditions)');
    expect(ca.details).toEqual([
      '[Block] Block all access (pilot) (0e0e0e0e-0000-4000-8000-0000000000ee): enabled, targets the account through All users; all resources',
      '[Block] Block unknown countries (0b0b0b0b-0000-4000-8000-0000000000bb): enabled, targets the account through All users; all resources; only when locations any except AllTrusted',
      'Require MFA for admins (0a0a0a0a-0000-4000-8000-0000000000aa): enabled, targets the account through role Global Administrator; all resources',
      'Finance app MFA (0d0d0d0d-0000-4000-8000-0000000000dd): enabled, does not target the account today; the application Office 365',
      'Sign-in frequency (report-only) (0c0c0c0c-0000-4000-8000-0000000000cc): report-only, targets the account through All users; all resources',
    ]);
    expect((ca.data!['offendingPolicies'] as { id: string; blocks: boolean; blocksEverySignIn: boolean; status: string }[]).map((p) => [p.id, p.blocks, p.blocksEverySignIn, p.status])).toEqual([
      ['0e0e0e0e-0000-4000-8000-0000000000ee', true, true, 'fail'],
      ['0b0b0b0b-0000-4000-8000-0000000000bb', true, false, 'fail'],
      ['0a0a0a0a-0000-4000-8000-0000000000aa', false, false, 'fail'],
      ['0d0d0d0d-0000-4000-8000-0000000000dd', false, false, 'warn'],
      ['0c0c0c0c-0000-4000-8000-0000000000cc', false, false, 'warn'],
    ]);
    // bg-02 is excluded from the country Block policy directly: that counts.
    const bg2 = check(run.json().checks, 'account/ca-excluded', BG2.upn);
    expect(bg2.details).toHaveLength(4);
    expect(bg2.details!.some((d) => d.includes('Block unknown countries'))).toBe(false);
    // The healthy tenant's legacy-authentication Block excludes the group; had it not, it would not be "every sign-in".
    expect(bg2.message).toContain('1 of them blocking sign-in (1 every sign-in');
  });

  it('Conditional Access: an exclusion through a nested group or a role counts; report-only alone only warns', async () => {
    const nested = '77777777-0000-4000-8000-000000000077';
    const run = await posture((t) => {
      t.groups.push({ id: nested, displayName: 'All exclusions', isAssignableToRole: true, groupTypes: [], members: [EXCLUSION_GROUP], owners: [] });
      t.policies[0]!.conditions.users = { includeUsers: ['All'], excludeGroups: [nested] };
      t.policies[1]!.conditions.users = { includeUsers: ['All'], excludeRoles: [GLOBAL_ADMINISTRATOR_TEMPLATE_ID] };
      t.policies[2]!.conditions.users = { includeUsers: ['All'] };
    });
    expect(run.code).toBe(0);
    const ca = check(run.json().checks, 'account/ca-excluded', BG1.upn);
    expect(ca.status).toBe('warn');
    expect(ca.details).toEqual([`Require compliant device (report-only) (${POLICY.reportOnly}): report-only, targets the account through All users; all resources`]);
    expect(ca.message).toContain('not excluded from 1 of 3');
  });

  it('Conditional Access counts what Conditional Access counts: a role held only at administrative-unit scope excludes nothing; guest-only and no-resource policies cannot reach a member, but do reach a Guest', async () => {
    const run = await posture((t) => {
      // Privileged Role Administrator, active, but scoped to an administrative unit: Conditional Access ignores it.
      t.activeAssignments.push({ id: 'au-scoped', principalId: BG1.id, roleDefinitionId: PRIVILEGED_ROLE_ADMIN_TEMPLATE, directoryScopeId: '/administrativeUnits/au000000-0000-4000-8000-000000000009', startDateTime: daysAgo(30), endDateTime: null, assignmentType: 'Assigned', memberType: 'Direct' });
      t.users.find((u) => u.id === BG2.id)!.userType = 'Guest';
      t.policies.push(
        { id: '1a1a1a1a-0000-4000-8000-0000000001aa', displayName: 'Block guests', state: 'enabled', conditions: { users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: 'internalGuest,b2bCollaborationGuest' } } }, grantControls: { builtInControls: ['block'] } },
        { id: '1b1b1b1b-0000-4000-8000-0000000001bb', displayName: 'Terms of use for guests (legacy)', state: 'enabled', conditions: { users: { includeUsers: ['GuestsOrExternalUsers'] } }, grantControls: { builtInControls: ['mfa'] } },
        { id: '1c1c1c1c-0000-4000-8000-0000000001cc', displayName: 'Placeholder (no resources)', state: 'enabled', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['None'] } }, grantControls: { builtInControls: ['block'] } },
        { id: '1d1d1d1d-0000-4000-8000-0000000001dd', displayName: 'Require compliant device except role admins', state: 'enabled', conditions: { users: { includeUsers: ['All'], excludeRoles: [PRIVILEGED_ROLE_ADMIN_TEMPLATE] } }, grantControls: { builtInControls: ['compliantDevice'] } },
      );
    });
    const bg1 = check(run.json().checks, 'account/ca-excluded', BG1.upn);
    expect(bg1.status).toBe('fail');
    expect(bg1.details).toEqual(['Require compliant device except role admins (1d1d1d1d-0000-4000-8000-0000000001dd): enabled, targets the account through All users; all resources']);
    expect(bg1.message).toBe('not excluded from 1 of 4 Conditional Access policies; 2 cover guests and external users only, 1 covers no resource (applications: None), so cannot apply to it');
    const bg2 = check(run.json().checks, 'account/ca-excluded', BG2.upn);
    expect(bg2.details).toEqual([
      '[Block] Block guests (1a1a1a1a-0000-4000-8000-0000000001aa): enabled, targets the account through guest users (its userType is Guest); all resources',
      'Require compliant device except role admins (1d1d1d1d-0000-4000-8000-0000000001dd): enabled, targets the account through All users; all resources',
      'Terms of use for guests (legacy) (1b1b1b1b-0000-4000-8000-0000000001bb): enabled, targets the account through guest users (its userType is Guest); all resources',
    ]);
  });

  it('exclusion group: missing, extra and nested members, not protected, owners', async () => {
    const run = await posture((t) => {
      const g = t.groups[0]!;
      g.members = [BG1.id, ADMIN.id, '88888888-0000-4000-8000-000000000088'];
      g.isAssignableToRole = false;
      g.owners = [ADMIN.id];
      t.groups.push({ id: '88888888-0000-4000-8000-000000000088', displayName: 'Helpdesk', isAssignableToRole: false, groupTypes: [], members: [], owners: [] });
      t.administrativeUnits.push({ id: 'au000000-0000-4000-8000-000000000001', displayName: 'Tier 0', isMemberManagementRestricted: false, members: [EXCLUSION_GROUP] });
      t.permissions.push('AdministrativeUnit.Read.All');
    });
    expect(run.code).toBe(1);
    const checks = run.json().checks;
    expect(check(checks, 'group/members').details).toEqual([
      `missing: ${BG2.upn} (${BG2.id}): policies that exclude only the group still apply to it`,
      `extra: user ${ADMIN.upn} (${ADMIN.id}): escapes every policy that excludes the group`,
      'extra: group Helpdesk (88888888-0000-4000-8000-000000000088): escapes every policy that excludes the group',
    ]);
    expect(check(checks, 'group/protected').status).toBe('fail');
    expect(check(checks, 'group/owners')).toMatchObject({ status: 'warn', details: [`owner: user ${ADMIN.upn} (${ADMIN.id})`] });
  });

  it('exclusion group: a restricted management administrative unit protects it (read with AdministrativeUnit.Read.All; without it Graph lists the unit with limited information); a deleted group fails', async () => {
    const rmau = (t: GraphTenant) => {
      t.groups[0]!.isAssignableToRole = false;
      t.administrativeUnits.push({ id: 'au000000-0000-4000-8000-000000000002', displayName: 'Break-glass RMAU', isMemberManagementRestricted: true, members: [EXCLUSION_GROUP] });
    };
    const restricted = await posture((t) => {
      rmau(t);
      t.permissions.push('AdministrativeUnit.Read.All');
    });
    expect(check(restricted.json().checks, 'group/protected').message).toBe('it is in the restricted management administrative unit "Break-glass RMAU"');
    const unreadable = await posture(rmau);
    expect(check(unreadable.json().checks, 'group/protected')).toMatchObject({
      status: 'unknown',
      message: 'it is not role-assignable and is in administrative unit au000000-0000-4000-8000-000000000002, whose isMemberManagementRestricted the identity cannot read (Graph returns administrative units with limited information without AdministrativeUnit.Read.All)',
      data: { permission: 'AdministrativeUnit.Read.All' },
    });
    const gone = await posture((t) => void t.groups.splice(0, 1));
    expect(gone.code).toBe(1);
    expect(check(gone.json().checks, 'group/exists').message).toContain(`there is no group with object id ${EXCLUSION_GROUP}`);
  });

  it('accounts: deleted, disabled, renamed, synced', async () => {
    const run = await posture((t) => {
      t.users = t.users.filter((u) => u.id !== BG2.id);
      const u = t.users.find((x) => x.id === BG1.id)!;
      u.accountEnabled = false;
      u.userPrincipalName = 'breakglass-renamed@contoso.onmicrosoft.com';
      u.onPremisesSyncEnabled = true;
      u.onPremisesImmutableId = 'Qk1TTkE9PQ==';
    });
    const checks = run.json().checks;
    expect(check(checks, 'account/exists', BG2.upn)).toMatchObject({ status: 'fail', message: `there is no user with object id ${BG2.id}: the account was deleted or the id is wrong` });
    expect(checks.filter((c) => c.subject.userPrincipalName === BG2.upn)).toHaveLength(1);
    expect(check(checks, 'account/exists', BG1.upn).status).toBe('fail');
    expect(check(checks, 'account/upn', BG1.upn).message).toContain('Entra ID knows it as breakglass-renamed@contoso.onmicrosoft.com');
    expect(check(checks, 'account/cloud-only', BG1.upn).message).toContain('onPremisesImmutableId Qk1TTkE9PQ==');
  });

  it('roles: expiring, PIM-activated, eligible only, through a group, missing; a privileged-role account is checked for its named role', async () => {
    const run = await posture((t) => {
      const a1 = t.activeAssignments.find((a) => a.principalId === BG1.id)!;
      a1.endDateTime = '2030-01-01T00:00:00Z';
      const a2 = t.activeAssignments.find((a) => a.principalId === BG2.id)!;
      a2.assignmentType = 'Activated';
      a2.endDateTime = '2030-01-01T08:00:00Z';
    });
    const checks = run.json().checks;
    expect(check(checks, 'account/role', BG1.upn).message).toBe('holds Global Administrator only until 2030-01-01T00:00:00Z (an active assignment with an end date)');
    expect(check(checks, 'account/role', BG2.upn).message).toContain('only through a PIM activation ending 2030-01-01T08:00:00Z');

    const eligible = await posture((t) => {
      t.activeAssignments = t.activeAssignments.filter((a) => a.principalId !== BG1.id);
      t.eligibleAssignments.push({ id: 'el-1', principalId: BG1.id, roleDefinitionId: GLOBAL_ADMINISTRATOR_TEMPLATE_ID, directoryScopeId: '/', endDateTime: null, memberType: 'Direct' });
      t.activeAssignments.find((a) => a.principalId === BG2.id)!.memberType = 'Group';
    });
    expect(check(eligible.json().checks, 'account/role', BG1.upn).message).toContain('is only PIM-eligible for Global Administrator');
    expect(check(eligible.json().checks, 'account/role', BG2.upn)).toMatchObject({ status: 'warn' });
  });

  it('methods: no passkey, weaker methods named (phone, Authenticator, active TAP), an expired TAP does not count, a TAP not yet valid does', async () => {
    const run = await posture((t) => {
      t.methods[BG1.id] = [
        { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: 'p1' },
        { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'ph1', phoneType: 'mobile', phoneNumber: '+1 4255550199', smsSignInState: 'notEnabled' },
        { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'ma1', displayName: 'iPhone 15' },
        { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap1', isUsable: true, lifetimeInMinutes: 60, startDateTime: '2026-01-01T00:00:00Z', methodUsabilityReason: 'EnabledByPolicy' },
      ];
      t.methods[BG2.id]!.push({ '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap2', isUsable: false, lifetimeInMinutes: 60, methodUsabilityReason: 'Expired' });
    });
    const checks = run.json().checks;
    expect(check(checks, 'account/phishing-resistant', BG1.upn).status).toBe('fail');
    expect(check(checks, 'account/weak-methods', BG1.upn).details).toEqual([
      'phone (SMS or voice call): mobile +1 4255550199',
      'Microsoft Authenticator (push or passwordless phone sign-in): iPhone 15',
      'an active Temporary Access Pass (from 2026-01-01T00:00:00Z, 60 minutes)',
    ]);
    expect(check(checks, 'account/weak-methods', BG2.upn).status).toBe('pass');
    // temporaryAccessPassAuthenticationMethod: isUsable is false until startDateTime (NotYetValid), then the pass works.
    const scheduled = await posture((t) => void t.methods[BG2.id]!.push({ '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap3', isUsable: false, lifetimeInMinutes: 480, startDateTime: '2030-06-01T08:00:00Z', methodUsabilityReason: 'NotYetValid' }));
    expect(check(scheduled.json().checks, 'account/weak-methods', BG2.upn)).toMatchObject({ status: 'fail', details: ['a Temporary Access Pass that becomes usable at 2030-06-01T08:00:00Z (480 minutes; methodUsabilityReason NotYetValid)'] });
  });

  it('methods: a passkey the FIDO2 key restrictions refuse does not count (they apply to sign-in, not only registration)', async () => {
    const run = await posture((t) => void (t.methodConfigurations.fido2.keyRestrictions = { isEnforced: true, enforcementType: 'allow', aaGuids: [AAGUID.yubikey5Nfc] }));
    expect(run.code).toBe(1);
    const checks = run.json().checks;
    expect(check(checks, 'account/phishing-resistant', BG1.upn).status).toBe('pass');
    expect(check(checks, 'account/phishing-resistant', BG2.upn)).toMatchObject({
      status: 'fail',
      message: `its FIDO2 passkeys cannot sign in: the FIDO2 policy's key restrictions refuse FIDO2 passkey YubiKey 5C (safe B) (YubiKey 5C) (AAGUID ${AAGUID.yubikey5c}), and it has no certificate-based sign-in`,
    });
    expect(check(checks, 'account/phishing-resistant', BG2.upn).fix).toContain('add these AAGUIDs to the allow list');
    // One key allowed, one blocked: the account still gets in, but the key in the other safe would not work.
    const blocked = await posture((t) => {
      t.methodConfigurations.fido2.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [AAGUID.yubikey5c.toUpperCase()] };
      t.methods[BG1.id]!.push({ '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: 'k2', displayName: 'YubiKey 5C (safe C)', model: 'YubiKey 5C', aaGuid: AAGUID.yubikey5c });
    });
    expect(check(blocked.json().checks, 'account/phishing-resistant', BG1.upn)).toMatchObject({ status: 'warn', data: { refusedKeys: [{ id: 'k2', aaGuid: AAGUID.yubikey5c }] } });
  });

  it('validation: overdue with the date, due soon warns, never signed in fails', async () => {
    const run = await posture((t) => {
      t.users.find((u) => u.id === BG1.id)!.signInActivity = { lastSignInDateTime: daysAgo(120), lastSuccessfulSignInDateTime: daysAgo(120) };
      t.users.find((u) => u.id === BG2.id)!.signInActivity = { lastSuccessfulSignInDateTime: null, lastSignInDateTime: daysAgo(2) };
    });
    const checks = run.json().checks;
    const overdue = check(checks, 'account/validation', BG1.upn);
    expect(overdue.message).toMatch(/^validation overdue since \d{4}-\d\d-\d\d: last successful interactive sign-in no later than \d{4}-\d\d-\d\d \(120 days ago, interval 90 days\)$/);
    expect(check(checks, 'account/validation', BG2.upn).message).toContain('records no successful sign-in');
    const soon = await posture((t) => void (t.users.find((u) => u.id === BG1.id)!.signInActivity = { lastSignInDateTime: daysAgo(85), lastSuccessfulSignInDateTime: daysAgo(85) }), ['--format', 'json', '--detailed-exitcode']);
    expect(soon.code).toBe(2);
    expect(check(soon.json().checks, 'account/validation', BG1.upn)).toMatchObject({ status: 'warn' });
    // A token refresh yesterday is a successful sign-in, not a test: the last interactive attempt bounds the date.
    const refreshed = await posture((t) => void (t.users.find((u) => u.id === BG1.id)!.signInActivity = { lastSignInDateTime: daysAgo(100), lastNonInteractiveSignInDateTime: daysAgo(1), lastSuccessfulSignInDateTime: daysAgo(1) }));
    const bounded = check(refreshed.json().checks, 'account/validation', BG1.upn);
    expect(bounded).toMatchObject({ status: 'fail', data: { intervalDays: 90 } });
    expect(bounded.message).toContain('(100 days ago, interval 90 days)');
    const neverInteractive = await posture((t) => void (t.users.find((u) => u.id === BG1.id)!.signInActivity = { lastSignInDateTime: null, lastSuccessfulSignInDateTime: daysAgo(3) }));
    expect(check(neverInteractive.json().checks, 'account/validation', BG1.upn).message).toContain('records no interactive sign-in');
  });

  it('tenant: SSPR for administrators, FIDO2 disabled or excluding the accounts, Global Administrator count', async () => {
    const run = await posture((t) => {
      t.authorizationPolicy.allowedToUseSSPR = true;
      t.methodConfigurations.fido2.excludeTargets = [{ targetType: 'group', id: EXCLUSION_GROUP }];
      t.activeAssignments = t.activeAssignments.filter((a) => a.principalId === BG1.id || a.principalId === BG2.id);
      t.activeAssignments.push(...Array.from({ length: 8 }, (_, i) => ({ id: `ga-${i}`, principalId: `1000000${i}-0000-4000-8000-000000000000`, roleDefinitionId: GLOBAL_ADMINISTRATOR_TEMPLATE_ID, directoryScopeId: '/', endDateTime: null, assignmentType: 'Assigned' as const, memberType: 'Direct' as const })));
    });
    const checks = run.json().checks;
    expect(check(checks, 'tenant/sspr-admins').status).toBe('fail');
    expect(check(checks, 'account/fido2-policy', BG1.upn).message).toBe('the FIDO2 method policy excludes the account (through CA-Exclusion-EmergencyAccess): its keys cannot be used');
    expect(check(checks, 'tenant/global-admin-count')).toMatchObject({ status: 'warn', data: { count: 10 } });
    const disabled = await posture((t) => void (t.methodConfigurations.fido2.state = 'disabled'));
    expect(check(disabled.json().checks, 'tenant/fido2-policy').status).toBe('fail');
  });

  it('a privileged-role account is checked for its named role', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tempDir } = await import('./helpers/harness.js');
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    await writeFile(manifest, (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('    displayName: Emergency access 02\n    kind: global-admin', '    displayName: Emergency access 02\n    kind: privileged-role\n    role: Privileged Role Administrator'));
    const tenant = healthyTenant();
    tenant.activeAssignments.find((a) => a.principalId === BG2.id)!.roleDefinitionId = PRIVILEGED_ROLE_ADMIN_TEMPLATE;
    graph.add(tenant);
    const run = await spawnCli(['posture', '--manifest', manifest, '--format', 'json'], graph.env(tenant.id));
    expect(check((JSON.parse(run.stdout) as { checks: JsonCheck[] }).checks, 'account/role', BG2.upn).message).toBe('holds Privileged Role Administrator permanently (active, assigned directly, no end date)');
  });
});

describe('Graph refusals, throttling and paging', () => {
  it('a missing permission names it and the check that needed it; the other checks still run', async () => {
    const run = await posture((t) => void (t.permissions = t.permissions.filter((p) => p !== 'UserAuthenticationMethod.Read.All' && p !== 'Policy.Read.All')));
    expect(run.code).toBe(1);
    const checks = run.json().checks;
    const methods = check(checks, 'account/phishing-resistant', BG1.upn);
    expect(methods.status).toBe('unknown');
    expect(methods.message).toContain('the identity lacks the Microsoft Graph permission UserAuthenticationMethod.Read.All');
    expect(methods.message).toContain(`GET /v1.0/users/${BG1.id}/authentication/methods answered 403 Authorization_RequestDenied`);
    expect(check(checks, 'account/ca-excluded', BG1.upn).message).toContain('Policy.Read.All');
    expect(check(checks, 'account/role', BG1.upn).status).toBe('pass');
    expect(check(checks, 'group/members').status).toBe('pass');
  });

  it('no Entra ID P1/P2: sign-in activity and PIM are said to need a licence, roles fall back to plain assignments', async () => {
    const run = await posture((t) => void (t.licences = { entraIdP1: false, entraIdP2: false }));
    const checks = run.json().checks;
    expect(check(checks, 'account/validation', BG1.upn)).toMatchObject({ status: 'unknown' });
    expect(check(checks, 'account/validation', BG1.upn).message).toContain('needs a licence the tenant lacks');
    expect(check(checks, 'account/role', BG1.upn).message).toBe('holds Global Administrator tenant-wide (PIM is not licensed in this tenant, so the assignment is permanent)');
  });

  it('waits for Retry-After on 429 and 503, then reads on; every page of a paged list is read', async () => {
    const tenant = healthyTenant();
    graph.add(tenant);
    graph.faults.push({ path: /conditionalAccess\/policies$/, fault: { kind: '429', retryAfterSeconds: 3 }, times: 1 }, { path: /authorizationPolicy$/, fault: { kind: '503' }, times: 1 });
    const run = await spawnCli(['posture', '--manifest', EXAMPLE_MANIFEST, '--format', 'json'], graph.env(tenant.id));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const calls = graph.callsOf(tenant.id).filter((c) => c.path.includes('conditionalAccess/policies'));
    expect(calls.map((c) => c.status)).toEqual([429, 200, 200, 200]);
    // Retry-After: 3 with BREAKGLASS_RETRY_AFTER_UNIT_MS=10: at least 30 ms between the 429 and the retry.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(30);
    expect(calls.slice(2).every((c) => c.path.includes('%24skiptoken=') || c.path.includes('$skiptoken='))).toBe(true);
  });

  it('--format sarif points each finding at the manifest line of its account or group', async () => {
    const run = await posture((t) => {
      t.methods[BG2.id] = [{ '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'ph', phoneType: 'mobile', phoneNumber: '+1 4255550100' }];
      t.groups[0]!.owners = [ADMIN.id];
    }, ['--format', 'sarif']);
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.stdout) as { runs: { results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const results = sarif.runs[0]!.results;
    const at = (ruleId: string) => results.filter((r) => r.ruleId === ruleId).map((r) => [r.level, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine]);
    expect(at('posture/account/phishing-resistant')).toEqual([['error', 'examples/accounts.yaml', 19]]);
    expect(at('posture/account/weak-methods')).toEqual([['error', 'examples/accounts.yaml', 19]]);
    expect(at('posture/group/owners')).toEqual([['warning', 'examples/accounts.yaml', 26]]);
    expect(results.every((r) => r.ruleId.startsWith('posture/'))).toBe(true);
  });
});
