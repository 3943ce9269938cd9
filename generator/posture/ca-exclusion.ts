import type { ConditionalAccessPolicy } from '../graph/graph-types.js';
import { worst, type CheckResult, type CheckStatus, type Subject } from './check-result.js';

/** What an account is, as Conditional Access sees it: its id, its groups (nested too), its roles (template ids). */
export interface Principal {
  id: string;
  groups: Map<string, string>;
  roles: Map<string, string>;
}

export interface OffendingPolicy {
  id: string;
  displayName: string;
  state: ConditionalAccessPolicy['state'];
  /** Grant is Block: a policy that locks the account out outright. */
  blocks: boolean;
  /** Whether the policy targets the account today, and through what. */
  appliesThrough: string | null;
  status: CheckStatus;
}

const lower = (ids: readonly string[] | undefined) => (ids ?? []).map((id) => id.toLowerCase());

/** How a policy's user condition reaches the principal (`through group X`), or null. */
function reaches(list: { users?: string[]; groups?: string[]; roles?: string[] }, principal: Principal, allUsers: boolean): string | null {
  const users = lower(list.users);
  if (allUsers && users.includes('all')) return 'All users';
  if (users.includes(principal.id)) return 'the account itself';
  const group = lower(list.groups).find((g) => principal.groups.has(g));
  if (group) return `group ${principal.groups.get(group)} (${group})`;
  const role = lower(list.roles).find((r) => principal.roles.has(r));
  if (role) return `role ${principal.roles.get(role)}`;
  return null;
}

/**
 * Policies that target users and are on, or on in report-only mode. A workload-identity policy
 * (clientApplications, with includeUsers ['None']) targets service principals only.
 */
function userPolicies(policies: readonly ConditionalAccessPolicy[]): ConditionalAccessPolicy[] {
  return policies.filter((p) => {
    const users = p.conditions.users;
    if (p.state === 'disabled' || !users) return false;
    return (users.includeUsers ?? []).some((u) => u.toLowerCase() !== 'none') || (users.includeGroups?.length ?? 0) > 0 || (users.includeRoles?.length ?? 0) > 0;
  });
}

/**
 * Every enabled policy must exclude the account: directly, through the exclusion group or any
 * group it is in (nested too), or through a role it holds. A policy that does not exclude it fails
 * when it targets the account today, warns when it is report-only or does not target it yet (a
 * membership change would). Policies whose grant is Block come first: they lock the account out.
 */
export function caExclusion(policies: readonly ConditionalAccessPolicy[], principal: Principal, subject: Subject): CheckResult {
  const considered = userPolicies(policies);
  const offending: OffendingPolicy[] = [];
  const excludedThrough = new Map<string, number>();
  for (const policy of considered) {
    const users = policy.conditions.users!;
    const exclusion = reaches({ users: users.excludeUsers, groups: users.excludeGroups, roles: users.excludeRoles }, principal, false);
    if (exclusion) {
      excludedThrough.set(exclusion, (excludedThrough.get(exclusion) ?? 0) + 1);
      continue;
    }
    const appliesThrough = reaches({ users: users.includeUsers, groups: users.includeGroups, roles: users.includeRoles }, principal, true);
    const blocks = (policy.grantControls?.builtInControls ?? []).some((c) => c.toLowerCase() === 'block');
    const status: CheckStatus = policy.state === 'enabled' && appliesThrough ? 'fail' : 'warn';
    offending.push({ id: policy.id, displayName: policy.displayName, state: policy.state, blocks, appliesThrough, status });
  }
  offending.sort((a, b) => Number(b.blocks) - Number(a.blocks) || Number(b.status === 'fail') - Number(a.status === 'fail') || a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  const how = [...excludedThrough.entries()].map(([through, n]) => `${n} through ${through}`).join(', ');
  const id = 'account/ca-excluded';
  if (offending.length === 0) {
    return { id, subject, status: 'pass', message: considered.length === 0 ? 'no enabled or report-only Conditional Access policy targets users' : `excluded from all ${considered.length} enabled and report-only Conditional Access policies (${how})`, data: { policiesConsidered: considered.length, offendingPolicies: [] } };
  }
  const status = worst(offending.map((p) => p.status));
  const blocking = offending.filter((p) => p.blocks && p.status === 'fail').length;
  return {
    id,
    subject,
    status,
    message: `not excluded from ${offending.length} of ${considered.length} Conditional Access policies${blocking > 0 ? `, ${blocking} of them blocking sign-in outright` : ''}`,
    fix: 'Add the exclusion group (or the account) to Users > Exclude of each policy listed; Block policies first.',
    details: offending.map(
      (p) =>
        `${p.blocks ? '[Block] ' : ''}${p.displayName} (${p.id}): ${p.state === 'enabledForReportingButNotEnforced' ? 'report-only' : 'enabled'}, ${p.appliesThrough ? `targets the account through ${p.appliesThrough}` : 'does not target the account today'}`,
    ),
    data: { policiesConsidered: considered.length, offendingPolicies: offending },
  };
}
