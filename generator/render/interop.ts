import { stringify } from 'yaml';
import type { Manifest } from '../manifest/types.js';

/**
 * The same accounts and group for the tools users run beside this one, so they stop reporting
 * the break-glass accounts' by-design exclusions as findings.
 */

/**
 * Maester (maester365/maester): `GlobalSettings.EmergencyAccessAccounts` of maester-config.json,
 * entries `{ Type: User|Group, Id, UserPrincipalName }` as its config wizard writes them and
 * Test-MtCaEmergencyAccessExists reads them.
 */
export function maesterConfig(manifest: Manifest): string {
  const accounts = [
    ...manifest.accounts.map((a) => ({ Type: 'User', Id: a.objectId, UserPrincipalName: a.userPrincipalName })),
    { Type: 'Group', Id: manifest.exclusionGroup.objectId },
  ];
  return `${JSON.stringify({ GlobalSettings: { EmergencyAccessAccounts: accounts } }, null, 2)}\n`;
}

/**
 * ScubaGear (cisagov/ScubaGear): the policies whose `CapExclusions` it honours and the one whose
 * `RoleExclusions` it honours (MS.AAD.7.4v1, permanent active assignments of highly privileged
 * roles), per docs/configuration/configuration.md and the policyExclusionMappings of
 * ScubaConfigSchema.json. The phishing-resistant MFA policy is MS.AAD.3.2v1 up to release 1.8.0
 * and MS.AAD.3.2v2 after it ("Decouple Entra Id policy check 3.2 from 3.1", cisagov/ScubaGear#1972):
 * both are written, so either release honours the exclusion; the validator of each accepts the
 * other's id (an id it has no mapping for is not checked).
 */
export const SCUBAGEAR_CAP_EXCLUSION_POLICIES = ['MS.AAD.1.1v1', 'MS.AAD.2.1v1', 'MS.AAD.2.3v1', 'MS.AAD.3.1v1', 'MS.AAD.3.2v1', 'MS.AAD.3.2v2', 'MS.AAD.3.6v1', 'MS.AAD.3.7v1', 'MS.AAD.3.8v1', 'MS.AAD.3.9v1'] as const;
export const SCUBAGEAR_ROLE_EXCLUSION_POLICIES = ['MS.AAD.7.4v1'] as const;

/** Text for a YAML comment line: a display name may hold a line break, which would end the comment. */
function commentText(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}

export function scubaGearConfig(manifest: Manifest): string {
  const users = manifest.accounts.map((a) => a.objectId);
  const aad: Record<string, unknown> = {};
  for (const id of SCUBAGEAR_CAP_EXCLUSION_POLICIES) aad[id] = { CapExclusions: { Users: users, Groups: [manifest.exclusionGroup.objectId] } };
  for (const id of SCUBAGEAR_ROLE_EXCLUSION_POLICIES) aad[id] = { RoleExclusions: { Users: users, Groups: [] } };
  const header = `# ScubaGear configuration (Invoke-SCuBA -ConfigFilePath): the break-glass accounts of
# ${manifest.accounts.map((a) => a.userPrincipalName).join(', ')}
# and the exclusion group ${commentText(manifest.exclusionGroup.displayName)} as approved exclusions from the
# Conditional Access checks (CapExclusions) and the permanent-assignment check (RoleExclusions).
# Written by breakglass render from the manifest; merge the Aad section into your own config file.
`;
  return `${header}${stringify({ ProductNames: ['aad'], Aad: aad }, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
