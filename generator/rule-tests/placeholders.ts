import type { Manifest, ManifestAccount } from '../manifest/types.js';

/** Why a case cannot run against this manifest (it names an account the manifest does not have). */
export class MissingReference extends Error {}
/** A placeholder that is not written correctly: an error in the rule file. */
export class BadPlaceholder extends Error {}

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const ACCOUNT = /^accounts\[(\d+|last|\*|kind=(global-admin|privileged-role))\]\.(objectId|userPrincipalName|displayName|role|upnPrefix|upnSuffix|deletedUserPrincipalName)$/;
const GROUP = /^exclusionGroup\.(objectId|displayName)$/;
const FILTERS: Record<string, (value: string) => string> = { lower: (v) => v.toLowerCase(), upper: (v) => v.toUpperCase() };

/**
 * Replaces `${...}` placeholders in every string of a test case value (deeply) with the manifest's
 * values, so one case runs against any manifest: `${accounts[0].objectId}`, `${accounts[last]...}`,
 * `${accounts[kind=privileged-role].userPrincipalName|lower}`, `${exclusionGroup.objectId}`, and
 * every account as JSON strings, for a list inside JSON text: `[${accounts[*].objectId|json}]`.
 */
export function resolvePlaceholders<T>(value: T, manifest: Manifest): T {
  return resolve(value, manifest) as T;
}

function resolve(value: unknown, manifest: Manifest): unknown {
  if (typeof value === 'string') return value.includes('${') ? value.replace(PLACEHOLDER, (_, expression: string) => placeholderValue(expression.trim(), manifest)) : value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, manifest));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, manifest)]));
  return value;
}

function placeholderValue(expression: string, manifest: Manifest): string {
  const [reference = '', ...filters] = expression.split('|').map((part) => part.trim());
  const all = reference.startsWith('accounts[*].');
  if (all && filters.at(-1) !== 'json') throw new BadPlaceholder(`\${${expression}}: accounts[*] stands for every account; end it with |json to write them as JSON strings, e.g. [\${accounts[*].objectId|json}]`);
  const values = all ? manifest.accounts.map((_, i) => referenceValue(reference.replace('[*]', `[${i}]`), manifest)) : [referenceValue(reference, manifest)];
  const transformed = values.map((value) => {
    for (const filter of all ? filters.slice(0, -1) : filters) {
      const apply = FILTERS[filter];
      if (!apply) throw new BadPlaceholder(`\${${expression}}: unknown filter '${filter}' (filters: ${Object.keys(FILTERS).join(', ')}, and json after accounts[*])`);
      value = apply(value);
    }
    return value;
  });
  // Inside a JSON string the quotes must stay escaped, so the list is written as the text between [ and ].
  return all ? transformed.map((v) => JSON.stringify(v)).join(',') : transformed[0]!;
}

function pickAccount(accounts: readonly ManifestAccount[], selector: string, kind: string | undefined): ManifestAccount {
  const account = kind ? accounts.find((a) => a.kind === kind) : selector === 'last' ? accounts.at(-1) : accounts[Number(selector)];
  if (account) return account;
  throw new MissingReference(kind ? `the manifest has no ${kind} account` : `the manifest has no account ${selector === 'last' ? 'at all' : `at position ${selector}`}`);
}

function referenceValue(reference: string, manifest: Manifest): string {
  const group = GROUP.exec(reference);
  if (group) return group[1] === 'objectId' ? manifest.exclusionGroup.objectId.toLowerCase() : manifest.exclusionGroup.displayName;
  const match = ACCOUNT.exec(reference);
  if (!match) {
    throw new BadPlaceholder(`\${${reference}} is not a manifest reference (write e.g. \${accounts[0].objectId}, \${accounts[last].userPrincipalName}, \${accounts[kind=global-admin].upnSuffix}, \${exclusionGroup.objectId})`);
  }
  const [, selector = '', kind, field = ''] = match;
  const account = pickAccount(manifest.accounts, selector, kind);
  const [prefix = '', suffix = ''] = account.userPrincipalName.split('@');
  switch (field) {
    case 'deletedUserPrincipalName':
      // Entra renames a deleted user: the object id without dashes goes before the UPN.
      return `${account.objectId.toLowerCase().replace(/-/g, '')}${account.userPrincipalName}`;
    case 'upnPrefix':
      return prefix;
    case 'upnSuffix':
      return suffix;
    case 'displayName':
      return account.displayName ?? '';
    case 'role':
      if (account.role === undefined) throw new MissingReference(`account ${account.userPrincipalName} has no role`);
      return account.role;
    default:
      // Entra writes object ids in lower case in every log record.
      return field === 'objectId' ? account.objectId.toLowerCase() : account.userPrincipalName;
  }
}
