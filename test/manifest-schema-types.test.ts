import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import schema from '../schemas/manifest.schema.json' with { type: 'json' };
import type { AccountKind, AccountSource, Cloud, ExclusionGroup, Manifest, ManifestAccount, Notifications, PlaybookSettings, RuleKind, RuleOverride, Severity, SmsRecipient, TeamsChannel, Workspace, EmailRecipient, WatchlistSettings } from '../generator/manifest/types.js';

// The JSON Schema checks what users write; the TypeScript types are what the code reads. This file
// keeps them in step: the compiler makes each fixture below carry exactly the keys of its type
// (every optional one included), and the tests make the schema agree key by key.

type DeepRequired<T> = T extends readonly (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** Exactly the required keys of T: the compiler rejects a missing or an extra one. */
type RequiredKeySet<T> = Record<RequiredKeys<T>, true>;

const FULL: DeepRequired<Manifest> = {
  idNamespace: '6f1c2a7e-0b5d-4e8a-9f3c-2d7b8e4a1c90',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  accountSource: 'watchlist',
  watchlist: { alias: 'BreakGlassAccounts' },
  validationIntervalDays: 90,
  accounts: [{ objectId: '34bbde15-5585-4333-a9d6-fd1b529ab024', userPrincipalName: 'bg-01@contoso.com', displayName: 'Emergency 01', kind: 'privileged-role', role: 'Privileged Role Administrator' }],
  exclusionGroup: { objectId: '8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73', displayName: 'CA-Exclusion' },
  accountGroups: [{ objectId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', displayName: 'Role-GlobalAdmins-BreakGlass' }],
  notifications: {
    email: [{ address: 'soc@contoso.com', name: 'SOC' }],
    sms: [{ countryCode: '1', phoneNumber: '4255550100', name: 'On call' }],
    teams: { teamId: '0b9e8f7a-6c5d-4e3b-a2f1-0e9d8c7b6a54', channelId: '19:abc@thread.tacv2' },
  },
  workspaces: [{ name: 'prod', subscriptionId: '1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6', resourceGroup: 'rg', workspaceName: 'law-prod', cloud: 'AzureUSGovernment' }],
  playbook: { name: 'BreakGlass-Notify', automationRuleOrder: 1, acsEndpoint: 'https://acs.communication.azure.com', smsFromNumber: '+18005550100' },
  rules: { 'signin-success': { enabled: true, severity: 'High', kind: 'scheduled', queryFrequency: '5m', queryPeriod: '1h' } },
};

const REQUIRED: Record<string, Record<string, true>> = {
  '': { idNamespace: true, accounts: true, exclusionGroup: true, notifications: true, workspaces: true } satisfies RequiredKeySet<Manifest>,
  'accounts[]': { objectId: true, userPrincipalName: true, kind: true } satisfies RequiredKeySet<ManifestAccount>,
  exclusionGroup: { objectId: true, displayName: true } satisfies RequiredKeySet<ExclusionGroup>,
  'accountGroups[]': { objectId: true, displayName: true } satisfies RequiredKeySet<ExclusionGroup>,
  notifications: { email: true } satisfies RequiredKeySet<Notifications>,
  'notifications.email[]': { address: true } satisfies RequiredKeySet<EmailRecipient>,
  'notifications.sms[]': { countryCode: true, phoneNumber: true } satisfies RequiredKeySet<SmsRecipient>,
  'notifications.teams': { teamId: true, channelId: true } satisfies RequiredKeySet<TeamsChannel>,
  'workspaces[]': { subscriptionId: true, resourceGroup: true, workspaceName: true } satisfies RequiredKeySet<Workspace>,
  playbook: {} satisfies RequiredKeySet<PlaybookSettings>,
  watchlist: { alias: true } satisfies RequiredKeySet<WatchlistSettings>,
  // A map from rule id to override: no key is required.
  rules: {},
  'rules{}': {} satisfies RequiredKeySet<RuleOverride>,
};

const ENUMS: Record<string, Record<string, true>> = {
  accountSource: { inline: true, watchlist: true } satisfies Record<AccountSource, true>,
  'accounts[].kind': { 'global-admin': true, 'privileged-role': true } satisfies Record<AccountKind, true>,
  'workspaces[].cloud': { AzureCloud: true, AzureUSGovernment: true, AzureChinaCloud: true } satisfies Record<Cloud, true>,
  'rules{}.severity': { Informational: true, Low: true, Medium: true, High: true } satisfies Record<Severity, true>,
  'rules{}.kind': { nrt: true, scheduled: true } satisfies Record<RuleKind, true>,
};

interface SchemaNode {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
}

function resolve(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  return resolve((schema.definitions as Record<string, SchemaNode>)[name]!);
}

/** Every object, enum and property of the schema, by path (`accounts[]`, `rules{}` for map values). */
function walk(node: SchemaNode, path: string, visit: (path: string, node: SchemaNode) => void): void {
  const n = resolve(node);
  visit(path, n);
  for (const [key, child] of Object.entries(n.properties ?? {})) walk(child, path === '' ? key : `${path}.${key}`, visit);
  if (n.items) walk(n.items, `${path}[]`, visit);
  if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}{}`, visit);
}

/** The same paths, read off the typed fixture. */
function fixturePaths(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  out.set(path, value);
  if (Array.isArray(value)) for (const item of value) fixturePaths(item, `${path}[]`, out);
  else if (value !== null && typeof value === 'object') {
    const isMap = path === 'rules';
    for (const [key, child] of Object.entries(value)) fixturePaths(child, isMap ? `${path}{}` : path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

describe('the manifest schema and the Manifest type', () => {
  const fixture = fixturePaths(FULL, '', new Map());

  it('the schema accepts a manifest with every property of the type set', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(FULL) ? [] : validate.errors).toEqual([]);
  });

  it('every property the schema allows is a property of the type, and the other way round', () => {
    const schemaPaths: string[] = [];
    walk(schema as SchemaNode, '', (path) => schemaPaths.push(path));
    // `$schema` is there for editors (the yaml-language-server line); the code never reads it.
    const fromSchema = schemaPaths.filter((p) => p !== '$schema').sort();
    expect(fromSchema).toEqual([...fixture.keys()].sort());
  });

  it('what the schema requires is what the type does not mark optional', () => {
    const required: Record<string, string[]> = {};
    walk(schema as SchemaNode, '', (path, node) => {
      if (node.type === 'object' || node.properties) required[path] = [...(node.required ?? [])].sort();
    });
    expect(required).toEqual(Object.fromEntries(Object.entries(REQUIRED).map(([path, keys]) => [path, Object.keys(keys).sort()])));
  });

  it('every enum of the schema lists exactly the members of its TypeScript union', () => {
    const enums: Record<string, string[]> = {};
    walk(schema as SchemaNode, '', (path, node) => {
      if (node.enum) enums[path] = (node.enum as string[]).slice().sort();
    });
    expect(enums).toEqual(Object.fromEntries(Object.entries(ENUMS).map(([path, members]) => [path, Object.keys(members).sort()])));
  });
});
