import type { ConditionalAccessGuestsOrExternalUsers, ConditionalAccessPolicy } from '../graph/graph-types.js';
import { worst, type CheckResult, type CheckStatus, type Subject } from './check-result.js';

/**
 * What an account is, as Conditional Access sees it (learn.microsoft.com/entra/identity/conditional-access/
 * concept-conditional-access-users-groups): its id, its userType (guest conditions reach only a
 * Guest), its groups (policies apply to nested members), and the built-in roles it holds actively
 * at directory scope (role template ids; roles scoped to an administrative unit and PIM
 * eligibility do not count).
 */
export interface Principal {
  id: string;
  userType: string | null;
  groups: Map<string, string>;
  roles: Map<string, string>;
}

export interface OffendingPolicy {
  id: string;
  displayName: string;
  state: ConditionalAccessPolicy['state'];
  /** Grant is Block. */
  blocks: boolean;
  /** Block for all resources with no other condition: every sign-in of the account is refused. */
  blocksEverySignIn: boolean;
  /** Whether the policy targets the account today, and through what. */
  appliesThrough: string | null;
  /** The resources the policy covers (all resources, Office 365, 2 applications, a user action). */
  resources: string;
  /** The conditions that narrow it (client apps, platforms, locations, risk, device filter); empty: none. */
  conditions: string[];
  status: CheckStatus;
}

const lower = (ids: readonly string[] | null | undefined) => (ids ?? []).map((id) => id.toLowerCase());

/** includeUsers/excludeUsers 'GuestsOrExternalUsers' (all guest types) or a guestsOrExternalUsers condition naming internal guests. */
function reachesGuest(users: readonly string[], condition: ConditionalAccessGuestsOrExternalUsers | null | undefined, principal: Principal): boolean {
  if (principal.userType?.toLowerCase() !== 'guest') return false;
  if (users.includes('guestsorexternalusers')) return true;
  return (condition?.guestOrExternalUserTypes ?? '').toLowerCase().split(',').map((t) => t.trim()).includes('internalguest');
}

/** How a policy's user condition reaches the principal (`group X (id)`), or null. */
function reaches(list: { users?: string[] | undefined; groups?: string[] | undefined; roles?: string[] | undefined; guests?: ConditionalAccessGuestsOrExternalUsers | null | undefined }, principal: Principal, allUsers: boolean): string | null {
  const users = lower(list.users);
  if (allUsers && users.includes('all')) return 'All users';
  if (users.includes(principal.id)) return 'the account itself';
  const group = lower(list.groups).find((g) => principal.groups.has(g));
  if (group) return `group ${principal.groups.get(group)} (${group})`;
  const role = lower(list.roles).find((r) => principal.roles.has(r));
  if (role) return `role ${principal.roles.get(role)}`;
  if (reachesGuest(users, list.guests, principal)) return 'guest users (its userType is Guest)';
  return null;
}

const APPLICATION_NAMES: Record<string, string> = {
  office365: 'Office 365',
  microsoftadminportals: 'Microsoft Admin Portals',
  '797f4846-ba00-4fd7-ba43-dac1f8f63013': 'Windows Azure Service Management API',
};
const USER_ACTIONS: Record<string, string> = {
  'urn:user:registersecurityinfo': 'user action: register security information',
  'urn:user:registerdevice': 'user action: register or join devices',
};

function applicationList(ids: readonly string[]): string {
  const named = ids.map((id) => APPLICATION_NAMES[id.toLowerCase()] ?? id);
  return named.length <= 3 ? named.join(', ') : `${named.slice(0, 3).join(', ')} and ${named.length - 3} more`;
}

/** The resources a policy covers, or null when it covers none (includeApplications ['None'] and nothing else). */
function resourcesOf(policy: ConditionalAccessPolicy): { text: string; all: boolean } | null {
  const apps = policy.conditions.applications;
  // Graph always returns `applications`; a policy without it is taken to cover everything.
  if (!apps) return { text: 'all resources', all: true };
  const include = apps.includeApplications ?? [];
  const exclude = apps.excludeApplications ?? [];
  const parts: string[] = [];
  let all = false;
  if (lower(include).includes('all')) {
    all = true;
    parts.push(exclude.length > 0 ? `all resources except ${applicationList(exclude)}` : 'all resources');
  } else {
    const some = include.filter((id) => id.toLowerCase() !== 'none');
    if (some.length > 0) parts.push(`${some.length === 1 ? 'the application' : `${some.length} applications:`} ${applicationList(some)}${exclude.length > 0 ? ` (except ${applicationList(exclude)})` : ''}`);
  }
  for (const action of apps.includeUserActions ?? []) parts.push(USER_ACTIONS[action.toLowerCase()] ?? `user action ${action}`);
  const contexts = apps.includeAuthenticationContextClassRefs ?? [];
  if (contexts.length > 0) parts.push(`authentication context ${contexts.join(', ')}`);
  return parts.length === 0 ? null : { text: parts.join('; '), all: all && exclude.length === 0 };
}

/** The conditions beyond users and resources that narrow when a policy applies. */
function narrowingConditions(policy: ConditionalAccessPolicy): string[] {
  const c = policy.conditions;
  const out: string[] = [];
  const clientApps = (c.clientAppTypes ?? []).filter((t) => t.toLowerCase() !== 'all');
  if (clientApps.length > 0) out.push(`client apps ${clientApps.join(', ')}`);
  const platforms = (c.platforms?.includePlatforms ?? []).filter((p) => p.toLowerCase() !== 'all');
  if (platforms.length > 0 || (c.platforms?.excludePlatforms?.length ?? 0) > 0) out.push(`platforms ${platforms.length > 0 ? platforms.join(', ') : 'all'}${c.platforms?.excludePlatforms?.length ? ` except ${c.platforms.excludePlatforms.join(', ')}` : ''}`);
  const locations = (c.locations?.includeLocations ?? []).filter((l) => l.toLowerCase() !== 'all');
  if (locations.length > 0 || (c.locations?.excludeLocations?.length ?? 0) > 0) out.push(`locations ${locations.length > 0 ? locations.join(', ') : 'any'}${c.locations?.excludeLocations?.length ? ` except ${c.locations.excludeLocations.join(', ')}` : ''}`);
  if ((c.signInRiskLevels?.length ?? 0) > 0) out.push(`sign-in risk ${c.signInRiskLevels!.join(', ')}`);
  if ((c.userRiskLevels?.length ?? 0) > 0) out.push(`user risk ${c.userRiskLevels!.join(', ')}`);
  if (c.devices?.deviceFilter?.rule) out.push(`device filter (${c.devices.deviceFilter.mode ?? 'include'}: ${c.devices.deviceFilter.rule})`);
  if (c.authenticationFlows?.transferMethods) out.push(`authentication flows ${c.authenticationFlows.transferMethods}`);
  return out;
}

/**
 * Policies that target users and are on, or on in report-only mode. A workload-identity policy
 * (clientApplications, with includeUsers ['None']) targets service principals only.
 */
function userPolicies(policies: readonly ConditionalAccessPolicy[]): ConditionalAccessPolicy[] {
  return policies.filter((p) => {
    const users = p.conditions.users;
    if (p.state === 'disabled' || !users) return false;
    return (users.includeUsers ?? []).some((u) => u.toLowerCase() !== 'none') || (users.includeGroups?.length ?? 0) > 0 || (users.includeRoles?.length ?? 0) > 0 || Boolean(users.includeGuestsOrExternalUsers?.guestOrExternalUserTypes);
  });
}

/** Guest conditions only: the policy cannot reach a member account (Microsoft's guidance keeps break-glass accounts members). */
function guestsOnly(policy: ConditionalAccessPolicy): boolean {
  const u = policy.conditions.users!;
  const plain = lower(u.includeUsers).filter((x) => x !== 'none' && x !== 'guestsorexternalusers');
  return plain.length === 0 && (u.includeGroups?.length ?? 0) === 0 && (u.includeRoles?.length ?? 0) === 0;
}

/**
 * Every enabled policy must exclude the account: directly, through the exclusion group or any
 * group it is in (nested too), or through a role it holds. A policy that does not exclude it fails
 * when it targets the account today, warns when it is report-only or does not target it yet (a
 * membership change would). Policies that cannot apply to the account (guests only for a member,
 * no resource at all) are set aside and counted. Block policies come first, those that block every
 * sign-in (all resources, no other condition) before those narrowed to some apps or conditions.
 */
export function caExclusion(policies: readonly ConditionalAccessPolicy[], principal: Principal, subject: Subject): CheckResult {
  const userTargeted = userPolicies(policies);
  const offending: OffendingPolicy[] = [];
  const excludedThrough = new Map<string, number>();
  const notApplicable = new Map<string, number>();
  const setAside = (why: string) => notApplicable.set(why, (notApplicable.get(why) ?? 0) + 1);
  for (const policy of userTargeted) {
    const users = policy.conditions.users!;
    const resources = resourcesOf(policy);
    if (!resources) {
      setAside('no resource (applications: None)');
      continue;
    }
    const exclusion = reaches({ users: users.excludeUsers, groups: users.excludeGroups, roles: users.excludeRoles, guests: users.excludeGuestsOrExternalUsers }, principal, false);
    if (exclusion) {
      excludedThrough.set(exclusion, (excludedThrough.get(exclusion) ?? 0) + 1);
      continue;
    }
    const appliesThrough = reaches({ users: users.includeUsers, groups: users.includeGroups, roles: users.includeRoles, guests: users.includeGuestsOrExternalUsers }, principal, true);
    if (!appliesThrough && guestsOnly(policy) && principal.userType?.toLowerCase() !== 'guest') {
      setAside('guests and external users only');
      continue;
    }
    const blocks = (policy.grantControls?.builtInControls ?? []).some((c) => c.toLowerCase() === 'block');
    const conditions = narrowingConditions(policy);
    const status: CheckStatus = policy.state === 'enabled' && appliesThrough ? 'fail' : 'warn';
    offending.push({ id: policy.id, displayName: policy.displayName, state: policy.state, blocks, blocksEverySignIn: blocks && resources.all && conditions.length === 0, appliesThrough, resources: resources.text, conditions, status });
  }
  offending.sort(
    (a, b) =>
      Number(b.blocksEverySignIn) - Number(a.blocksEverySignIn) ||
      Number(b.blocks) - Number(a.blocks) ||
      Number(b.status === 'fail') - Number(a.status === 'fail') ||
      a.displayName.localeCompare(b.displayName) ||
      a.id.localeCompare(b.id),
  );
  const considered = userTargeted.length - [...notApplicable.values()].reduce((a, b) => a + b, 0);
  const how = [...excludedThrough.entries()].map(([through, n]) => `${n} through ${through}`).join(', ');
  const asideText = [...notApplicable.entries()].map(([why, n]) => `${n} cover${n === 1 ? 's' : ''} ${why}`).join(', ');
  const aside = notApplicable.size > 0 ? `; ${asideText}, so cannot apply to it` : '';
  const data = { policiesConsidered: considered, notApplicable: Object.fromEntries(notApplicable) };
  const id = 'account/ca-excluded';
  if (offending.length === 0) {
    return { id, subject, status: 'pass', message: considered === 0 ? `no enabled or report-only Conditional Access policy can apply to the account${aside}` : `excluded from all ${considered} enabled and report-only Conditional Access policies (${how})${aside}`, data: { ...data, offendingPolicies: [] } };
  }
  const status = worst(offending.map((p) => p.status));
  const blocking = offending.filter((p) => p.blocks && p.status === 'fail');
  const everything = blocking.filter((p) => p.blocksEverySignIn).length;
  return {
    id,
    subject,
    status,
    message: `not excluded from ${offending.length} of ${considered} Conditional Access policies${blocking.length > 0 ? `, ${blocking.length} of them blocking sign-in${everything > 0 ? ` (${everything} every sign-in, for all resources and conditions)` : ' (for some resources or conditions)'}` : ''}${aside}`,
    fix: 'Add the exclusion group (or the account) to Users > Exclude of each policy listed; Block policies first.',
    details: offending.map(
      (p) =>
        `${p.blocks ? '[Block] ' : ''}${p.displayName} (${p.id}): ${p.state === 'enabledForReportingButNotEnforced' ? 'report-only' : 'enabled'}, ${p.appliesThrough ? `targets the account through ${p.appliesThrough}` : 'does not target the account today'}; ${p.resources}${p.conditions.length > 0 ? `; only when ${p.conditions.join('; ')}` : ''}`,
    ),
    data: { ...data, offendingPolicies: offending },
  };
}
