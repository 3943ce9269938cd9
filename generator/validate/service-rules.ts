/**
 * The validations Microsoft Sentinel applies to Scheduled and NRT analytics rules, as ONE table.
 * `validate` reports every violation at its place in the rule file or manifest; the Resource
 * Manager emulator of the tests refuses a PUT that breaks any of them with HTTP 400 and the
 * service's message. Both read this table, so the emulator refuses exactly what we check.
 *
 * Sources (see ../shared/specs/SENTINEL-RULE-VALIDATIONS.md for the revisions read):
 * - V: the service's model-validation attributes as published in Azure/Azure-Sentinel,
 *   `.script/tests/detectionTemplateSchemaValidation/Models/...` (message texts quoted from there);
 * - S: the REST contract, Microsoft.SecurityInsights 2025-10-01-preview `AlertRules.json`.
 * Where neither source gives the service's wording, `wording: 'ours'` says the text is ours.
 */
import { isoDurationMinutes } from '../render/durations.js';
import { tacticsOfTechnique } from './attack-techniques.js';

export type AlertRuleKindName = 'Scheduled' | 'NRT';
export type BodyPath = readonly (string | number)[];

export interface Violation {
  /** The service's message (what the emulator answers). */
  message: string;
  /** Where in the request body, e.g. ['properties', 'alertDetailsOverride', 'alertDescriptionFormat']. */
  path: BodyPath;
  /** The values involved, for validate's message (the service's message does not always name them). */
  detail?: string;
  /**
   * Where the service's own walk meets this violation, among the violations of one attribute
   * (compared element by element): an attribute that loops over entries returns the first error
   * it meets, e.g. mapping 0's missing identifier before mapping 1's field count.
   */
  rank?: readonly number[];
}

export interface ServiceRule {
  /** Stable id; validate's findings carry `sentinel/<id>`. */
  id: string;
  /** The validation attribute it belongs to: the service reports the first error of each attribute only. */
  attribute: string;
  kinds: readonly AlertRuleKindName[];
  /** What is checked, in a sentence. */
  rule: string;
  source: string;
  wording: 'service' | 'ours';
  /** What to do about it. */
  hint: string;
  check(properties: Props, kind: AlertRuleKindName): Violation[];
}

type Props = Record<string, unknown>;

const BOTH: readonly AlertRuleKindName[] = ['Scheduled', 'NRT'];
const SCHEDULED: readonly AlertRuleKindName[] = ['Scheduled'];

/** Severities, tactics, entity types... as the REST contract (S) enumerates them. */
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export const ATTACK_TACTICS = ['Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'Exfiltration', 'CommandAndControl', 'Impact', 'PreAttack', 'ImpairProcessControl', 'InhibitResponseFunction'] as const;
export const TRIGGER_OPERATORS = ['GreaterThan', 'LessThan', 'Equal', 'NotEqual'] as const;
export const AGGREGATION_KINDS = ['SingleAlert', 'AlertPerResult'] as const;
export const MATCHING_METHODS = ['AllEntities', 'AnyAlert', 'Selected'] as const;
export const GROUP_BY_ALERT_DETAILS = ['DisplayName', 'Severity'] as const;
export const ALERT_PROPERTIES = ['AlertLink', 'ConfidenceLevel', 'ConfidenceScore', 'ExtendedLinks', 'ProductName', 'ProviderName', 'ProductComponentName', 'RemediationSteps', 'Techniques', 'SubTechniques'] as const;

/**
 * Valid and required identifiers per entity type (V: Models/EntityMappingIdentifiers.cs rev
 * 9a09dab5). `required`: the mappings of one entity must hold all identifiers of at least one of
 * these combinations. Only the types of S's `EntityMappingType` enum are listed (S has no IoTDevice).
 */
export const ENTITY_TYPES: Readonly<Record<string, { identifiers: readonly string[]; required: readonly (readonly string[])[] }>> = {
  Account: { identifiers: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID', 'IsDomainJoined', 'DisplayName', 'ObjectGuid', 'CloudAppAccountId'], required: [['FullName'], ['Sid'], ['Name'], ['AadUserId'], ['PUID'], ['ObjectGuid']] },
  AzureResource: { identifiers: ['ResourceId'], required: [['ResourceId']] },
  CloudApplication: { identifiers: ['AppId', 'Name', 'InstanceName'], required: [['AppId'], ['Name']] },
  DNS: { identifiers: ['DomainName'], required: [['DomainName']] },
  File: { identifiers: ['Directory', 'Name'], required: [['Name']] },
  FileHash: { identifiers: ['Algorithm', 'Value'], required: [['Algorithm', 'Value']] },
  Host: { identifiers: ['DnsDomain', 'NTDomain', 'HostName', 'FullName', 'NetBiosName', 'AzureID', 'OMSAgentID', 'OSFamily', 'OSVersion', 'IsDomainJoined'], required: [['FullName'], ['HostName'], ['NetBiosName'], ['AzureID'], ['OMSAgentID']] },
  IP: { identifiers: ['Address'], required: [['Address']] },
  Mailbox: { identifiers: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'], required: [['MailboxPrimaryAddress']] },
  MailCluster: { identifiers: ['NetworkMessageIds', 'CountByDeliveryStatus', 'CountByThreatType', 'CountByProtectionStatus', 'Threats', 'Query', 'QueryTime', 'MailCount', 'IsVolumeAnomaly', 'Source', 'ClusterSourceIdentifier', 'ClusterSourceType', 'ClusterQueryStartTime', 'ClusterQueryEndTime', 'ClusterGroup'], required: [['Query'], ['Source']] },
  MailMessage: { identifiers: ['Recipient', 'Urls', 'Threats', 'Sender', 'P1Sender', 'P1SenderDisplayName', 'P1SenderDomain', 'SenderIP', 'P2Sender', 'P2SenderDisplayName', 'P2SenderDomain', 'ReceivedDate', 'NetworkMessageId', 'InternetMessageId', 'Subject', 'BodyFingerprintBin1', 'BodyFingerprintBin2', 'BodyFingerprintBin3', 'BodyFingerprintBin4', 'BodyFingerprintBin5', 'AntispamDirection', 'DeliveryAction', 'DeliveryLocation', 'Language', 'ThreatDetectionMethods'], required: [['NetworkMessageId'], ['Recipient']] },
  Malware: { identifiers: ['Name', 'Category'], required: [['Name']] },
  Process: { identifiers: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'], required: [['CommandLine'], ['ProcessId']] },
  RegistryKey: { identifiers: ['Hive', 'Key'], required: [['Key'], ['Hive']] },
  RegistryValue: { identifiers: ['Name', 'Value', 'ValueType'], required: [['Name']] },
  SecurityGroup: { identifiers: ['DistinguishedName', 'SID', 'ObjectGuid'], required: [['DistinguishedName'], ['SID'], ['ObjectGuid']] },
  SubmissionMail: { identifiers: ['NetworkMessageId', 'Timestamp', 'Recipient', 'Sender', 'SenderIp', 'Subject', 'ReportType', 'SubmissionId', 'SubmissionDate', 'Submitter'], required: [['SubmissionId'], ['NetworkMessageId'], ['Recipient'], ['Submitter']] },
  URL: { identifiers: ['Url'], required: [['Url']] },
};

/** `{{...}}` as the service counts it (V: MaxAmountOfDynamicContentPlaceHoldersAttribute): every occurrence, empty ones too. */
const SERVICE_PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
export function countPlaceholders(format: string): number {
  return [...format.matchAll(SERVICE_PLACEHOLDER)].length;
}

const COLUMN_NAME = /^[a-zA-Z_]+\w*$/;
const CUSTOM_DETAIL_KEY = /^[a-zA-Z]+\w*$/;
const LEGACY_ENTITY_COLUMNS = ['AccountCustomEntity', 'HostCustomEntity', 'IPCustomEntity', 'URLCustomEntity', 'ProcessCustomEntity', 'FileHashCustomEntity'];
const MIN_MINUTES = 5;
const MAX_MINUTES = 14 * 1440;

const isObject = (v: unknown): v is Props => v !== null && typeof v === 'object' && !Array.isArray(v);
const P = (...rest: (string | number)[]): BodyPath => ['properties', ...rest];
const json = (v: unknown) => JSON.stringify(v);

/** A required property, as Json.NET reports it when the model is read. */
function required(name: string, kinds: readonly AlertRuleKindName[]): ServiceRule {
  return {
    id: `required-${name}`,
    attribute: `required:${name}`,
    kinds,
    rule: `'${name}' must be present`,
    source: 'S: AlertRules.json required properties of ScheduledAlertRuleProperties / NrtAlertRuleProperties',
    wording: 'ours',
    hint: `Set ${name}.`,
    check: (p) => (p[name] === undefined || p[name] === null ? [{ message: `Required property '${name}' not found in JSON.`, path: P(name) }] : []),
  };
}

function stringLength(id: string, name: string, field: string, min: number, max: number, hint: string, source: string): ServiceRule {
  return {
    id,
    attribute: `length:${name}`,
    kinds: BOTH,
    rule: `'${name}' is ${min} to ${max} characters`,
    source,
    wording: 'service',
    hint,
    check: (p) => {
      const v = p[name];
      if (typeof v !== 'string' || (v.length >= min && v.length <= max)) return [];
      const text = min > 0 ? `The field ${field} must be a string with a minimum length of ${min} and a maximum length of ${max}.` : `The field ${field} must be a string with a maximum length of ${max}.`;
      return [{ message: text, path: P(name), detail: `it is ${v.length} characters` }];
    },
  };
}

function enumValue(id: string, path: BodyPath, values: readonly string[], typeName: string, kinds: readonly AlertRuleKindName[], source: string): ServiceRule {
  return {
    id,
    attribute: `enum:${path.join('.')}`,
    kinds,
    rule: `'${path.slice(1).join('.')}' is one of ${values.join(', ')}`,
    source,
    wording: 'ours',
    hint: `Use one of: ${values.join(', ')}.`,
    check: (p) => {
      const v = get(p, path.slice(1));
      return v === undefined || v === null || (typeof v === 'string' && values.includes(v)) ? [] : [{ message: `Error converting value ${json(v)} to type '${typeName}'. Path '${path.join('.')}'.`, path }];
    },
  };
}

function get(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function duration(name: string, p: Props): number | undefined {
  const v = p[name];
  return typeof v === 'string' ? isoDurationMinutes(v) : undefined;
}

function formatRules(field: 'alertDisplayNameFormat' | 'alertDescriptionFormat', pascal: string, max: number): ServiceRule[] {
  const value = (p: Props) => (isObject(p['alertDetailsOverride']) ? p['alertDetailsOverride'][field] : undefined);
  const at = P('alertDetailsOverride', field);
  const source = 'V: Models/AlertDetailsOverride.cs; MaxAmountOfDynamicContentPlaceHoldersAttribute.cs; NonEmptyStringAttribute.cs';
  return [
    {
      id: `${field === 'alertDisplayNameFormat' ? 'alert-name' : 'alert-description'}-placeholders`,
      attribute: `placeholders:${field}`,
      kinds: BOTH,
      rule: `at most 3 {{column}} placeholders in ${field}, every occurrence counted`,
      source,
      wording: 'service',
      hint: 'Keep at most three {{Column}} placeholders (repeats count); put the other values in custom details, which every alert carries.',
      check: (p) => {
        const v = value(p);
        const n = typeof v === 'string' ? countPlaceholders(v) : 0;
        return n > 3 ? [{ message: `You have defined ${n} parameters in '${pascal}'. The maximum allowed is 3.`, path: at }] : [];
      },
    },
    {
      id: `${field === 'alertDisplayNameFormat' ? 'alert-name' : 'alert-description'}-blank`,
      attribute: `nonempty:${field}`,
      kinds: BOTH,
      rule: `${field}, when present, is not empty or blank`,
      source,
      wording: 'service',
      hint: `Write a ${field === 'alertDisplayNameFormat' ? 'title' : 'description'}, or leave the field out.`,
      check: (p) => {
        const v = value(p);
        return typeof v === 'string' && v.trim() === '' ? [{ message: `'${pascal}' must have a non-empty value`, path: at }] : [];
      },
    },
    {
      id: `${field === 'alertDisplayNameFormat' ? 'alert-name' : 'alert-description'}-length`,
      attribute: `length:${field}`,
      kinds: BOTH,
      rule: `${field} is 1 to ${max} characters`,
      source,
      wording: 'service',
      hint: `Write 1 to ${max} characters, or leave the field out.`,
      check: (p) => {
        const v = value(p);
        return typeof v === 'string' && (v.length < 1 || v.length > max) ? [{ message: `The field ${pascal} must be a string with a minimum length of 1 and a maximum length of ${max}.`, path: at, detail: `it is ${v.length} characters` }] : [];
      },
    },
  ];
}

/** The entity-mapping attribute (V: ValidEntityMappingsAttribute.cs), one table row per check, tested in its order. */
function entityMappingRules(): ServiceRule[] {
  const source = 'V: Models/ModelValidationAttributes/ValidEntityMappingsAttribute.cs; Models/EntityMappingIdentifiers.cs';
  const mappings = (p: Props) => (Array.isArray(p['entityMappings']) ? (p['entityMappings'] as unknown[]) : []);
  const each = (p: Props, visit: (m: Props, i: number) => Violation[]): Violation[] =>
    mappings(p).flatMap((m, i) => (isObject(m) ? visit(m, i) : [{ message: `Entity mapping ${i} is not an object.`, path: P('entityMappings', i) }]));
  const fields = (m: Props) => (Array.isArray(m['fieldMappings']) ? (m['fieldMappings'] as unknown[]).filter(isObject) : []);
  const row = (id: string, rule: string, hint: string, check: ServiceRule['check']): ServiceRule => ({ id, attribute: 'entityMappings', kinds: BOTH, rule, source, wording: 'service', hint, check });
  return [
    row('entity-mappings-count', '1 to 10 entity mappings', 'Map at most 10 entities (or leave entityMappings out).', (p) => {
      const n = Array.isArray(p['entityMappings']) ? p['entityMappings'].length : undefined;
      return n !== undefined && (n < 1 || n > 10) ? [{ message: `Invalid length of '${n}' for 'EntityMappings'. 'EntityMappings' length should be between '1' and '10'`, path: P('entityMappings'), rank: [-1] }] : [];
    }),
    row('entity-type', "each entityType is one of S's EntityMappingType", `Use one of: ${Object.keys(ENTITY_TYPES).join(', ')}.`, (p) =>
      each(p, (m, i) => (typeof m['entityType'] === 'string' && m['entityType'] in ENTITY_TYPES ? [] : [{ message: `Error converting value ${json(m['entityType'])} to type 'EntityMappingType'. Path 'properties.entityMappings[${i}].entityType'.`, path: P('entityMappings', i, 'entityType'), rank: [i, -1] }])),
    ),
    row('field-mappings-count', '1 to 3 field mappings per entity', 'Map 1 to 3 identifiers of each entity.', (p) =>
      each(p, (m, i) => {
        const n = Array.isArray(m['fieldMappings']) ? m['fieldMappings'].length : 0;
        return n < 1 || n > 3 ? [{ message: `Invalid length of '${n}' for 'FieldMappings'. 'FieldMappings' length should be between '1' and '3'`, path: P('entityMappings', i, 'fieldMappings'), rank: [i, 0] }] : [];
      }),
    ),
    row('entity-identifier', "each identifier is one of the entity type's", 'Use an identifier of the entity type (listed in the message).', (p) =>
      each(p, (m, i) => {
        const type = ENTITY_TYPES[String(m['entityType'])];
        if (!type) return [];
        return fields(m).flatMap((f, j) =>
          type.identifiers.includes(String(f['identifier'])) ? [] : [{ message: `Invalid identifier '${String(f['identifier'])}' for entity type '${String(m['entityType'])}' encountered. Valid identifiers are: [${type.identifiers.join(', ')}]`, path: P('entityMappings', i, 'fieldMappings', j, 'identifier'), rank: [i, 1, j, 0] }],
        );
      }),
    ),
    row('entity-identifier-unique', 'no identifier twice in one entity', 'Map each identifier once per entity.', (p) =>
      each(p, (m, i) => {
        const seen = new Set<string>();
        return fields(m).flatMap((f, j) => {
          const id = String(f['identifier']);
          if (!seen.has(id)) {
            seen.add(id);
            return [];
          }
          return [{ message: `Identifier '${id}' is defined multiple times. Identifiers used in 'EntityMappings' must be unique.`, path: P('entityMappings', i, 'fieldMappings', j, 'identifier'), rank: [i, 1, j, 1] }];
        });
      }),
    ),
    row('entity-column-length', 'column names are at most 500 characters', 'Use a shorter column name.', (p) =>
      each(p, (m, i) => fields(m).flatMap((f, j) => (typeof f['columnName'] === 'string' && f['columnName'].length > 500 ? [{ message: `Maximum length of ColumnName '${f['columnName']}' exceeded. ColumnName length should be less than or equal to 500.`, path: P('entityMappings', i, 'fieldMappings', j, 'columnName'), rank: [i, 1, j, 2] }] : []))),
    ),
    row('entity-column-name', 'column names match ^[a-zA-Z_]+\\w*$', 'Name the column with letters, digits and _ only, starting with a letter or _ (project it under such a name).', (p) =>
      each(p, (m, i) => fields(m).flatMap((f, j) => (COLUMN_NAME.test(String(f['columnName'] ?? '')) ? [] : [{ message: `The ColumnName '${String(f['columnName'])}' is invalid. The value must start with a letter or underscore, and contain only alphanumeric English characters.`, path: P('entityMappings', i, 'fieldMappings', j, 'columnName'), rank: [i, 1, j, 3] }]))),
    ),
    row('entity-required-identifiers', 'each entity maps one of its required identifier combinations', 'Add one of the required identifiers (listed in the message), e.g. AadUserId for an Account.', (p) =>
      each(p, (m, i) => {
        const type = ENTITY_TYPES[String(m['entityType'])];
        if (!type) return [];
        const used = new Set(fields(m).map((f) => String(f['identifier'])));
        if (type.required.some((combination) => combination.every((id) => used.has(id)))) return [];
        return [{ message: `Missing required identifiers in 'EntityMappings' for type '${String(m['entityType'])}'. Required identifiers are one of the following combinations: ${type.required.map((c) => c.join(', ')).join('; ')}`, path: P('entityMappings', i, 'fieldMappings'), rank: [i, 2] }];
      }),
    ),
  ];
}

function customDetailRules(): ServiceRule[] {
  const entries = (p: Props) => (isObject(p['customDetails']) ? Object.entries(p['customDetails']) : []);
  const row = (id: string, attribute: string, rule: string, source: string, hint: string, check: ServiceRule['check']): ServiceRule => ({ id, attribute, kinds: BOTH, rule, source, wording: 'service', hint, check });
  const first = (violations: Violation[]) => violations.slice(0, 1);
  return [
    row('custom-details-count', 'DictionaryLength', 'at most 20 custom details', 'V: Models/DictionaryLengthAttribute.cs', 'Keep at most 20 custom details.', (p) =>
      entries(p).length > 20 ? [{ message: `Maximum length of CustomDetails exceeded. CustomDetails length should be less than or equal to 20`, path: P('customDetails'), detail: `there are ${entries(p).length}` }] : [],
    ),
    row('custom-details-key-length', 'DictionaryMaxKeyAndValueLengths', 'custom detail keys are at most 20 characters', 'V: Models/ModelValidationAttributes/DictionaryMaxKeyAndValueLengthsAttribute.cs', 'Use a key of at most 20 characters.', (p) =>
      first(entries(p).flatMap(([k], i) => (k.length > 20 ? [{ message: `Maximum length of key '${k}' in CustomDetails exceeded. Max key length should be less than or equal to 20`, path: P('customDetails', k), rank: [i, 0] }] : []))),
    ),
    row('custom-details-value-length', 'DictionaryMaxKeyAndValueLengths', 'custom detail columns are at most 500 characters', 'V: Models/ModelValidationAttributes/DictionaryMaxKeyAndValueLengthsAttribute.cs', 'Use a shorter column name.', (p) =>
      first(entries(p).flatMap(([k, v], i) => (String(v).length > 500 && k.length <= 20 ? [{ message: `Maximum length of value '${String(v)}' in CustomDetails exceeded. Max value length should be less than or equal to 500`, path: P('customDetails', k), rank: [i, 1] }] : []))),
    ),
    row('custom-details-key', 'DictionaryKeyMatchesRegex', 'custom detail keys match ^[a-zA-Z]+\\w*$', 'V: Models/DictionaryKeyMatchesRegexAttribute.cs', 'Start the key with a letter; use letters, digits and _ only.', (p) =>
      first(entries(p).filter(([k]) => !CUSTOM_DETAIL_KEY.test(k)).map(([k]) => ({ message: `The key '${k}' in CustomDetails is invalid. The key must start with a letter and contain only alphanumeric English characters`, path: P('customDetails', k) }))),
    ),
    row('custom-details-column', 'DictionaryValueMatchesRegex', 'custom detail columns match ^[a-zA-Z_]+\\w*$', 'V: Models/DictionaryValueMatchesRegexAttribute.cs', 'Name the column with letters, digits and _ only, starting with a letter or _.', (p) =>
      first(entries(p).filter(([, v]) => !COLUMN_NAME.test(String(v))).map(([k, v]) => ({ message: `The value '${String(v)}' in CustomDetails is invalid. The value must start with a letter or underscore and contain only alphanumeric English characters`, path: P('customDetails', k) }))),
    ),
  ];
}

function techniqueRules(): ServiceRule[] {
  const list = (p: Props, name: string) => (Array.isArray(p[name]) ? (p[name] as unknown[]) : []);
  const source = 'V: Models/ModelValidationAttributes/KillChainTechniquesHelper.cs, NoTechniquesWithoutMatchingTactics.cs; Azure/Azure-Sentinel issue #8960';
  return [
    {
      id: 'technique-format',
      attribute: 'techniques',
      kinds: BOTH,
      rule: "techniques look like T#### (no sub-technique)",
      source,
      wording: 'ours',
      hint: 'Give sub-techniques (T1078.004) in subTechniques; the rule file may list them in relevantTechniques, we split them.',
      check: (p) => list(p, 'techniques').flatMap((t, i) => (typeof t === 'string' && /^T\d{4}$/.test(t) ? [] : [{ message: `The technique ${json(t)} is invalid. The expected format is 'T####'.`, path: P('techniques', i) }])),
    },
    {
      id: 'sub-technique-format',
      attribute: 'subTechniques',
      kinds: BOTH,
      rule: 'subTechniques look like T####.###',
      source,
      wording: 'ours',
      hint: 'Write sub-techniques as T####.###.',
      check: (p) => list(p, 'subTechniques').flatMap((t, i) => (typeof t === 'string' && /^T\d{4}\.\d{3}$/.test(t) ? [] : [{ message: `The sub-technique ${json(t)} is invalid. The expected format is 'T####.###'.`, path: P('subTechniques', i) }])),
    },
    {
      id: 'technique-tactic',
      attribute: 'NoTechniquesWithoutMatchingTactics',
      kinds: BOTH,
      rule: 'every technique is a known ATT&CK (13.1) technique and at least one of its tactics is in tactics',
      source,
      wording: 'service',
      hint: 'Add a tactic the technique belongs to (MITRE ATT&CK), or drop the technique.',
      check: (p) => {
        const tactics = list(p, 'tactics').map(String);
        return [...list(p, 'techniques'), ...list(p, 'subTechniques')].flatMap((t, i) => {
          if (typeof t !== 'string') return [];
          const of = tacticsOfTechnique(t);
          return of.length > 0 && of.some((x) => tactics.includes(x)) ? [] : [{ message: `No valid tactic corresponding to the technique ${t} was provided in the tactics field.`, path: i < list(p, 'techniques').length ? P('techniques', i) : P('subTechniques', i - list(p, 'techniques').length) }];
        });
      },
    },
  ];
}

function scheduleRules(): ServiceRule[] {
  const range = (name: 'queryFrequency' | 'queryPeriod', pascal: string): ServiceRule => ({
    id: `${name === 'queryFrequency' ? 'frequency' : 'period'}-range`,
    attribute: `range:${name}`,
    kinds: SCHEDULED,
    rule: `${name} is 5 minutes to 14 days`,
    source: 'V: ScheduledTemplateInternalModel.cs, RangeTimeSpanIsoFormatAttribute.cs',
    wording: 'service',
    hint: `Choose a ${name} from 5m to 14d.`,
    check: (p) => {
      const v = p[name];
      if (v === undefined || v === null) return [];
      const minutes = duration(name, p);
      if (minutes === undefined) return [{ message: `Error converting value ${json(v)} to type 'System.TimeSpan'. Path 'properties.${name}'.`, path: P(name) }];
      return minutes < MIN_MINUTES || minutes > MAX_MINUTES ? [{ message: `The field ${pascal} must be between PT5M and P14D.`, path: P(name), detail: `${name} is ${String(v)}` }] : [];
    },
  });
  return [
    range('queryFrequency', 'QueryFrequency'),
    range('queryPeriod', 'QueryPeriod'),
    {
      id: 'period-covers-frequency',
      attribute: 'PeriodGreaterThanOrEqualFrequency',
      kinds: SCHEDULED,
      rule: 'queryPeriod is at least queryFrequency',
      source: 'V: Models/ModelValidationAttributes/PeriodGreaterThanOrEqualFrequencyAttribute.cs',
      wording: 'service',
      hint: 'Make queryPeriod at least as long as queryFrequency, or events between runs are never seen.',
      check: (p) => {
        const f = duration('queryFrequency', p);
        const q = duration('queryPeriod', p);
        return f !== undefined && q !== undefined && q < f ? [{ message: "Invalid Properties for Scheduled alert rule: 'queryPeriod' should be greater than or equal to 'queryFrequency'", path: P('queryPeriod'), detail: `queryFrequency ${String(p['queryFrequency'])} is longer than queryPeriod ${String(p['queryPeriod'])}: events between runs would be missed` }] : [];
      },
    },
    {
      id: 'long-period-frequency',
      attribute: 'FrequencyLimitationForLongPeriodQuery',
      kinds: SCHEDULED,
      rule: 'a queryPeriod of 2 days or more needs a queryFrequency of 1 hour or more',
      source: 'V: FrequencyLimitationForLongPeriodQuery (applied to ScheduledTemplateInternalModel)',
      wording: 'ours',
      hint: 'Run the rule hourly or less often, or look back less than 2 days.',
      check: (p) => {
        const f = duration('queryFrequency', p);
        const q = duration('queryPeriod', p);
        return f !== undefined && q !== undefined && q >= 2 * 1440 && f < 60 ? [{ message: "Invalid Properties for Scheduled alert rule: a 'queryPeriod' of 2 days or more requires a 'queryFrequency' of at least 1 hour", path: P('queryFrequency'), detail: `queryPeriod ${String(p['queryPeriod'])}, queryFrequency ${String(p['queryFrequency'])}` }] : [];
      },
    },
    {
      id: 'trigger-threshold',
      attribute: 'range:triggerThreshold',
      kinds: SCHEDULED,
      rule: 'triggerThreshold is an integer from 0 to 10000',
      source: 'V: ScheduledTemplateInternalModel.cs ([Range(0, 10000)])',
      wording: 'service',
      hint: 'Use a threshold from 0 to 10000.',
      check: (p) => {
        const v = p['triggerThreshold'];
        if (v === undefined || v === null) return [];
        return typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10000 ? [{ message: 'The field TriggerThreshold must be between 0 and 10000.', path: P('triggerThreshold'), detail: `triggerThreshold is ${json(v)}` }] : [];
      },
    },
    enumValue('trigger-operator', P('triggerOperator'), TRIGGER_OPERATORS, 'AlertTriggerOperator', SCHEDULED, 'S: AlertRuleTriggerOperator; V: Models/ScheduledTemplateTriggerOperatorConverter.cs'),
    {
      id: 'legacy-entity-columns',
      attribute: 'NewEntityMappings',
      kinds: SCHEDULED,
      rule: 'a query naming AccountCustomEntity, HostCustomEntity, IPCustomEntity, URLCustomEntity, ProcessCustomEntity or FileHashCustomEntity maps that column in entityMappings',
      source: 'V: Models/ModelValidationAttributes/NewEntityMappingsAttribute.cs',
      wording: 'service',
      hint: 'Map the column in entityMappings, or rename it in the query.',
      check: (p) => {
        const query = typeof p['query'] === 'string' ? p['query'] : '';
        const mapped = new Set((Array.isArray(p['entityMappings']) ? p['entityMappings'] : []).filter(isObject).flatMap((m) => (Array.isArray(m['fieldMappings']) ? m['fieldMappings'] : []).filter(isObject).map((f) => f['columnName'])));
        const old = LEGACY_ENTITY_COLUMNS.find((c) => query.includes(c) && !mapped.has(c));
        return old ? [{ message: `An old mapping for entity '${old}' does not have a matching new mapping entry.`, path: P('query') }] : [];
      },
    },
  ];
}

function incidentRules(): ServiceRule[] {
  const source = 'S: AlertRules.json IncidentConfiguration, GroupingConfiguration';
  const config = (p: Props) => (isObject(p['incidentConfiguration']) ? p['incidentConfiguration'] : undefined);
  const grouping = (p: Props) => {
    const c = config(p);
    return c && isObject(c['groupingConfiguration']) ? c['groupingConfiguration'] : undefined;
  };
  const at = (...rest: string[]) => P('incidentConfiguration', ...rest);
  const row = (id: string, rule: string, hint: string, check: ServiceRule['check']): ServiceRule => ({ id, attribute: `incident:${id}`, kinds: BOTH, rule, source, wording: 'ours', hint, check });
  return [
    row('incident-create-required', 'incidentConfiguration, when present, sets createIncident', 'Set incidentConfiguration.createIncident.', (p) => {
      const c = config(p);
      return c && typeof c['createIncident'] !== 'boolean' ? [{ message: "Required property 'createIncident' not found in JSON. Path 'properties.incidentConfiguration'.", path: at('createIncident') }] : [];
    }),
    row('grouping-required', 'groupingConfiguration, when present, sets enabled, reopenClosedIncident, lookbackDuration and matchingMethod', 'Set all four grouping settings.', (p) => {
      const g = grouping(p);
      if (!g) return [];
      return (['enabled', 'reopenClosedIncident', 'lookbackDuration', 'matchingMethod'] as const)
        .filter((k) => g[k] === undefined || g[k] === null)
        .map((k) => ({ message: `Required property '${k}' not found in JSON. Path 'properties.incidentConfiguration.groupingConfiguration'.`, path: at('groupingConfiguration', k) }));
    }),
    row('grouping-lookback', 'lookbackDuration is an ISO 8601 duration', 'Write the look-back as an ISO 8601 duration such as PT5H.', (p) => {
      const v = grouping(p)?.['lookbackDuration'];
      return typeof v === 'string' && isoDurationMinutes(v) === undefined ? [{ message: `Error converting value ${json(v)} to type 'System.TimeSpan'. Path 'properties.incidentConfiguration.groupingConfiguration.lookbackDuration'.`, path: at('groupingConfiguration', 'lookbackDuration') }] : [];
    }),
    row('grouping-matching-method', `matchingMethod is one of ${MATCHING_METHODS.join(', ')}`, `Use one of: ${MATCHING_METHODS.join(', ')}.`, (p) => {
      const v = grouping(p)?.['matchingMethod'];
      return v !== undefined && !(MATCHING_METHODS as readonly unknown[]).includes(v) ? [{ message: `Error converting value ${json(v)} to type 'MatchingMethod'. Path 'properties.incidentConfiguration.groupingConfiguration.matchingMethod'.`, path: at('groupingConfiguration', 'matchingMethod') }] : [];
    }),
    row('grouping-selected', 'matchingMethod Selected needs a non-empty groupByEntities, groupByAlertDetails or groupByCustomDetails', 'Name what to group by, or use AllEntities.', (p) => {
      const g = grouping(p);
      if (!g || g['matchingMethod'] !== 'Selected') return [];
      const some = ['groupByEntities', 'groupByAlertDetails', 'groupByCustomDetails'].some((k) => Array.isArray(g[k]) && (g[k] as unknown[]).length > 0);
      return some ? [] : [{ message: "Grouping by 'Selected' requires at least one of 'groupByEntities', 'groupByAlertDetails' or 'groupByCustomDetails'.", path: at('groupingConfiguration', 'matchingMethod') }];
    }),
    row('grouping-entities', 'groupByEntities holds only entity types the rule maps', 'Group by an entity the rule maps in entityMappings.', (p) => {
      const g = grouping(p);
      const list = g && Array.isArray(g['groupByEntities']) ? (g['groupByEntities'] as unknown[]) : [];
      const mapped = new Set((Array.isArray(p['entityMappings']) ? p['entityMappings'] : []).filter(isObject).map((m) => m['entityType']));
      return list.flatMap((e, i) => (mapped.has(e) ? [] : [{ message: `Entity type ${json(e)} in 'groupByEntities' is not mapped by the rule's entityMappings.`, path: at('groupingConfiguration', 'groupByEntities', String(i)) }]));
    }),
    row('grouping-alert-details', `groupByAlertDetails holds only ${GROUP_BY_ALERT_DETAILS.join(', ')}`, `Use ${GROUP_BY_ALERT_DETAILS.join(' or ')}.`, (p) => {
      const g = grouping(p);
      const list = g && Array.isArray(g['groupByAlertDetails']) ? (g['groupByAlertDetails'] as unknown[]) : [];
      return list.flatMap((e, i) => ((GROUP_BY_ALERT_DETAILS as readonly unknown[]).includes(e) ? [] : [{ message: `Error converting value ${json(e)} to type 'AlertDetail'.`, path: at('groupingConfiguration', 'groupByAlertDetails', String(i)) }]));
    }),
    row('grouping-custom-details', "groupByCustomDetails holds only keys of the rule's customDetails", 'Group by a key of customDetails.', (p) => {
      const g = grouping(p);
      const list = g && Array.isArray(g['groupByCustomDetails']) ? (g['groupByCustomDetails'] as unknown[]) : [];
      const keys = new Set(isObject(p['customDetails']) ? Object.keys(p['customDetails']) : []);
      return list.flatMap((e, i) => (keys.has(String(e)) ? [] : [{ message: `Custom detail ${json(e)} in 'groupByCustomDetails' is not a key of the rule's customDetails.`, path: at('groupingConfiguration', 'groupByCustomDetails', String(i)) }]));
    }),
  ];
}

/** The table. Order is the order the service reports in (attribute by attribute). */
export const SERVICE_RULES: readonly ServiceRule[] = [
  ...(['displayName', 'enabled', 'severity', 'query', 'suppressionEnabled', 'suppressionDuration'] as const).map((n) => required(n, BOTH)),
  ...(['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold'] as const).map((n) => required(n, SCHEDULED)),
  stringLength('display-name-length', 'displayName', 'DisplayName', 0, 256, 'Shorten the rule name to 256 characters.', 'V: Models/AnalyticsTemplateInternalModelBase.cs'),
  stringLength('description-length', 'description', 'Description', 0, 5000, 'Shorten the description: with the managed-by note it must fit in 5000 characters.', 'V: Models/AnalyticsTemplateInternalModelBase.cs'),
  stringLength('query-length', 'query', 'Query', 1, 10000, 'Use accountSource: watchlist so the account lists are not written into the query, or shorten the query.', 'V: Models/QueryBasedTemplateInternalModel.cs'),
  enumValue('severity', P('severity'), SEVERITIES, 'AlertSeverity', BOTH, 'S: common/AlertTypes.json AlertSeverityEnum'),
  {
    id: 'tactic',
    attribute: 'enum:tactics',
    kinds: BOTH,
    rule: "each tactic is one of S's AttackTactic",
    source: 'S: common/AlertTypes.json AttackTactic',
    wording: 'ours',
    hint: `Use tactics from: ${ATTACK_TACTICS.join(', ')}.`,
    check: (p) => (Array.isArray(p['tactics']) ? p['tactics'] : []).flatMap((t, i) => ((ATTACK_TACTICS as readonly unknown[]).includes(t) ? [] : [{ message: `Error converting value ${json(t)} to type 'AttackTactic'. Path 'properties.tactics[${i}]'.`, path: P('tactics', i) }])),
  },
  {
    id: 'suppression-duration',
    attribute: 'format:suppressionDuration',
    kinds: BOTH,
    rule: 'suppressionDuration is an ISO 8601 duration',
    source: 'S: suppressionDuration format duration',
    wording: 'ours',
    hint: 'Write an ISO 8601 duration such as PT5H.',
    check: (p) => (typeof p['suppressionDuration'] === 'string' && isoDurationMinutes(p['suppressionDuration']) === undefined ? [{ message: `Error converting value ${json(p['suppressionDuration'])} to type 'System.TimeSpan'. Path 'properties.suppressionDuration'.`, path: P('suppressionDuration') }] : []),
  },
  ...techniqueRules(),
  ...customDetailRules(),
  ...entityMappingRules(),
  ...formatRules('alertDisplayNameFormat', 'AlertDisplayNameFormat', 256),
  ...formatRules('alertDescriptionFormat', 'AlertDescriptionFormat', 5000),
  {
    id: 'alert-dynamic-property',
    attribute: 'enum:alertDynamicProperties',
    kinds: BOTH,
    rule: "alertDynamicProperties[].alertProperty is one of S's AlertProperty",
    source: 'S: AlertRules.json AlertProperty',
    wording: 'ours',
    hint: `Use one of: ${ALERT_PROPERTIES.join(', ')}.`,
    check: (p) => {
      const o = isObject(p['alertDetailsOverride']) ? p['alertDetailsOverride'] : {};
      return (Array.isArray(o['alertDynamicProperties']) ? o['alertDynamicProperties'] : []).flatMap((d, i) =>
        isObject(d) && (ALERT_PROPERTIES as readonly unknown[]).includes(d['alertProperty']) ? [] : [{ message: `Error converting value ${json(isObject(d) ? d['alertProperty'] : d)} to type 'AlertProperty'.`, path: P('alertDetailsOverride', 'alertDynamicProperties', i) }],
      );
    },
  },
  {
    id: 'template-version-format',
    attribute: 'QueryBasedTemplateVersionValidator',
    kinds: BOTH,
    rule: 'templateVersion is X.Y.Z, all numbers',
    source: 'V: Models/ModelValidationAttributes/QueryBasedTemplateVersionValidator.cs',
    wording: 'service',
    hint: 'Write the version as X.Y.Z.',
    check: (p) => (typeof p['templateVersion'] === 'string' && !/^(\d+\.)(\d+\.)(\d+)$/.test(p['templateVersion']) ? [{ message: "Invalid Properties for Scheduled analytics rule: 'templateVersion' should be in format X.Y.Z (all numbers).", path: P('templateVersion') }] : []),
  },
  {
    id: 'template-version-without-template',
    attribute: 'NoTemplateVersionWithoutTemplateName',
    kinds: BOTH,
    rule: 'templateVersion only together with alertRuleTemplateName',
    source: 'V: Models/NoTemplateVersionWithoutTemplateName.cs',
    wording: 'service',
    hint: "A custom rule has no template: leave templateVersion out (our rule version is in the description's managed-by note).",
    check: (p) => (p['templateVersion'] !== undefined && p['templateVersion'] !== null && (p['alertRuleTemplateName'] === undefined || p['alertRuleTemplateName'] === null) ? [{ message: "Invalid Properties for Scheduled alert rule: 'templateVersion' can only be used if 'alertRuleTemplateName' is not empty", path: P('templateVersion') }] : []),
  },
  {
    id: 'event-grouping',
    attribute: 'ValidEventGrouping',
    kinds: BOTH,
    rule: `eventGroupingSettings.aggregationKind is one of ${AGGREGATION_KINDS.join(', ')}`,
    source: 'V: Models/ModelValidationAttributes/ValidEventGroupingAttribute.cs; S: EventGroupingAggregationKind',
    wording: 'service',
    hint: `Use ${AGGREGATION_KINDS.join(' or ')}.`,
    check: (p) => {
      const s = p['eventGroupingSettings'];
      if (!isObject(s)) return [];
      return (AGGREGATION_KINDS as readonly unknown[]).includes(s['aggregationKind']) ? [] : [{ message: `Invalid aggregation kind '${String(s['aggregationKind'])}' for property 'EventGroupingSettings'`, path: P('eventGroupingSettings', 'aggregationKind') }];
    },
  },
  ...scheduleRules(),
  ...incidentRules(),
];

export interface ServiceRuleViolation extends Violation {
  rule: ServiceRule;
}

/** Every violation of the table by one alert rule (kind and properties as sent to the API). */
export function alertRuleViolations(kind: string, properties: unknown): ServiceRuleViolation[] {
  if (kind !== 'Scheduled' && kind !== 'NRT') return [];
  const props = isObject(properties) ? properties : {};
  return SERVICE_RULES.filter((r) => r.kinds.includes(kind)).flatMap((rule) => rule.check(props, kind).map((v) => ({ ...v, rule })));
}

/**
 * The service's 400 message for violations: the first error of each attribute, joined (V:
 * DataAnnotationsValidator); within an attribute, the one its walk meets first (`rank`).
 */
export function serviceErrorMessage(violations: readonly ServiceRuleViolation[]): string {
  const first = new Map<string, ServiceRuleViolation>();
  for (const v of violations) {
    const seen = first.get(v.rule.attribute);
    if (!seen || compareRank(v.rank, seen.rank) < 0) first.set(v.rule.attribute, v);
  }
  return `Invalid data model. ${[...first.values()].map((v) => v.message).join(', ')}`;
}

function compareRank(a: readonly number[] | undefined, b: readonly number[] | undefined): number {
  if (!a || !b) return 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
