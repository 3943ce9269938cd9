import { formatPath, type Finding } from '../findings.js';
import { didYouMean } from '../suggest.js';
import { locate, type YamlSource } from '../yaml-source.js';
import { builtInRole, closestRole } from './directory-roles.js';
import type { Manifest } from './types.js';

/**
 * Namespaces many others use too: the nil and max UUIDs (RFC 9562), GUIDs of one repeated digit
 * (placeholders), and RFC 9562's own name-based namespaces (DNS, URL, OID, X.500). Rule ids made
 * in them are the same as everyone else's who did the same.
 */
const WELL_KNOWN_NAMESPACES: Record<string, string> = {
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8': "RFC 9562's DNS namespace",
  '6ba7b811-9dad-11d1-80b4-00c04fd430c8': "RFC 9562's URL namespace",
  '6ba7b812-9dad-11d1-80b4-00c04fd430c8': "RFC 9562's OID namespace",
  '6ba7b814-9dad-11d1-80b4-00c04fd430c8': "RFC 9562's X.500 namespace",
};

/** Why an id namespace is one that others use too, or undefined when it is the user's own. */
export function sharedNamespace(guid: string): string | undefined {
  const id = guid.toLowerCase();
  const digits = id.replace(/-/g, '');
  if (/^(.)\1*$/.test(digits)) return digits[0] === '0' ? 'the all-zero (nil) GUID' : digits[0] === 'f' ? 'the all-f (max) GUID' : 'a placeholder of one repeated digit';
  return WELL_KNOWN_NAMESPACES[id];
}

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

  const shared = sharedNamespace(manifest.idNamespace);
  if (shared) {
    findings.push({
      severity: 'warning',
      code: 'manifest/shared-namespace',
      ...at(['idNamespace']),
      message: `idNamespace ${manifest.idNamespace} is ${shared}: every rule id made from it is the same as in anyone else's content that uses it`,
      hint: 'Make a namespace of your own once (node -e "console.log(crypto.randomUUID())") and never change it afterwards.',
    });
  }

  manifest.accounts.forEach((account, i) => {
    if (account.kind !== 'privileged-role' || account.role === undefined || builtInRole(account.role)) return;
    const guess = closestRole(account.role);
    findings.push({
      severity: 'notice',
      code: 'manifest/unknown-role',
      ...at(['accounts', i, 'role']),
      message: `accounts[${i}].role '${account.role}' is not a Microsoft Entra built-in role${guess ? `. Did you mean '${guess}'?` : ''}`,
      hint: 'Fine if it is a custom role of your tenant; otherwise use the built-in role\'s name as the Entra admin center shows it (the list: schemas/entra-built-in-roles.json).',
    });
  });

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
