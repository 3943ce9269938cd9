import { formatPath, type Finding } from '../findings.js';
import { didYouMean } from '../suggest.js';
import { locate, type YamlSource } from '../yaml-source.js';
import type { Manifest } from './types.js';

/** Checks a schema-valid manifest for what a schema cannot express. */
export function checkManifestSemantics(manifest: Manifest, source: YamlSource, knownRuleIds: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const at = (segments: (string | number)[], key = false) => ({
    path: formatPath(segments),
    location: { file: source.file, ...locate(source, segments, { key }) },
  });

  findDuplicates(manifest.accounts.map((a) => a.objectId.toLowerCase()), (first, again) =>
    findings.push({
      severity: 'error',
      code: 'manifest/duplicate-account',
      ...at(['accounts', again, 'objectId']),
      message: `accounts[${again}].objectId ${manifest.accounts[again]!.objectId} is the same account as accounts[${first}] (line ${locate(source, ['accounts', first, 'objectId']).line})`,
      hint: 'List each break-glass account once.',
    }),
  );
  findDuplicates(manifest.accounts.map((a) => a.userPrincipalName.toLowerCase()), (first, again) =>
    findings.push({
      severity: 'error',
      code: 'manifest/duplicate-account',
      ...at(['accounts', again, 'userPrincipalName']),
      message: `accounts[${again}].userPrincipalName ${manifest.accounts[again]!.userPrincipalName} is already used by accounts[${first}] (line ${locate(source, ['accounts', first, 'userPrincipalName']).line})`,
      hint: 'Each account has its own user principal name; check for a copy-paste slip.',
    }),
  );

  const groupId = manifest.exclusionGroup.objectId.toLowerCase();
  manifest.accounts.forEach((account, i) => {
    if (account.objectId.toLowerCase() === groupId) {
      findings.push({
        severity: 'error',
        code: 'manifest/group-is-account',
        ...at(['exclusionGroup', 'objectId']),
        message: `exclusionGroup.objectId is the object id of accounts[${i}]`,
        hint: "Use the object id of the Conditional Access exclusion group (Entra ID > Groups > the group > Object ID).",
      });
    }
    if (!/\.onmicrosoft\.(com|us|cn)$/i.test(account.userPrincipalName)) {
      findings.push({
        severity: 'notice',
        code: 'manifest/upn-not-onmicrosoft',
        ...at(['accounts', i, 'userPrincipalName']),
        message: `accounts[${i}].userPrincipalName ${account.userPrincipalName} is not on the tenant's *.onmicrosoft.com domain`,
        hint: 'Microsoft recommends cloud-only break-glass accounts on the *.onmicrosoft.com domain, so they do not depend on federation or a custom domain.',
      });
    }
  });

  if (manifest.accounts.length < 2) {
    findings.push({
      severity: 'warning',
      code: 'manifest/single-account',
      ...at(['accounts']),
      message: `only ${manifest.accounts.length} break-glass account is listed; Microsoft recommends two or more`,
      hint: 'Add a second emergency access account (so one lost credential does not lock you out), or pass --allow-warnings to accept this.',
    });
  }

  findDuplicates(manifest.workspaces.map((w) => (w.name ?? w.workspaceName).toLowerCase()), (first, again) =>
    findings.push({
      severity: 'error',
      code: 'manifest/duplicate-workspace',
      ...at(['workspaces', again]),
      message: `workspaces[${again}] has the same name as workspaces[${first}]`,
      hint: 'Give each workspace a distinct `name` so --workspace can pick it.',
    }),
  );

  for (const ruleId of Object.keys(manifest.rules ?? {})) {
    if (!knownRuleIds.includes(ruleId)) {
      findings.push({
        severity: 'error',
        code: 'manifest/unknown-rule',
        ...at(['rules', ruleId], true),
        message: `rules.${ruleId}: there is no rule with id '${ruleId}'.${didYouMean(ruleId, knownRuleIds)}`,
        hint: `Rule ids: ${knownRuleIds.join(', ')}.`,
      });
    }
  }
  return findings;
}

function findDuplicates(values: readonly string[], report: (first: number, again: number) => void): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, i) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, i);
    else report(first, i);
  });
}
