/**
 * One exported record in, one Log Analytics row out. Every shape people export Entra ID logs in
 * is recognised from the record alone (no file-wide pass), so a reader that streams a large file
 * record by record can call `toLogAnalyticsRow` as it goes. Pure.
 */
import { formatDateTime, parseDateTime } from '../evaluate/values.js';
import {
  AUDIT_COLUMNS,
  CATEGORY_TABLES,
  DIAGNOSTIC_COLUMNS,
  ENTRA_AUDIT_CSV_COLUMNS,
  ENTRA_SIGN_IN_CSV_COLUMNS,
  SIGN_IN_COLUMNS,
  TABLE_CATEGORIES,
} from './log-analytics-mapping.js';

export type SourceShape =
  | 'log-analytics'
  | 'log-analytics-portal-csv'
  | 'diagnostic-settings'
  | 'graph-sign-in'
  | 'graph-directory-audit'
  | 'entra-sign-in-csv'
  | 'entra-audit-csv';

/** What people call each shape, for reports. */
export const SHAPE_NAMES: Readonly<Record<SourceShape, string>> = {
  'log-analytics': 'Log Analytics rows',
  'log-analytics-portal-csv': 'Log Analytics portal CSV export',
  'diagnostic-settings': 'diagnostic-settings records (storage account or event hub)',
  'graph-sign-in': 'Microsoft Graph signIn objects (or the Entra admin center JSON download)',
  'graph-directory-audit': 'Microsoft Graph directoryAudit objects (or the Entra admin center JSON download)',
  'entra-sign-in-csv': 'Entra admin center sign-in CSV download',
  'entra-audit-csv': 'Entra admin center audit CSV download',
};

export interface MappedRecord {
  shape: SourceShape;
  /** The table the record says it belongs to (its Type, category or kind), when it says. */
  table?: string;
  row: Record<string, unknown>;
}

export type RecordKind = 'sign-in' | 'audit';

/** Whether a row is a sign-in or a directory change, when its columns say so. */
export function rowKind(row: Record<string, unknown>): RecordKind | undefined {
  if ('TargetResources' in row || 'InitiatedBy' in row || 'ActivityDisplayName' in row) return 'audit';
  if ('UserPrincipalName' in row && ('AppDisplayName' in row || 'ClientAppUsed' in row || 'IPAddress' in row)) return 'sign-in';
  return undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The time column of a Log Analytics portal CSV export: "TimeGenerated [UTC]". */
const PORTAL_TIME_HEADER = /^(.+?) \[(UTC|Local Time|UTC[+-]\d{1,2}(?::\d{2})?)\]$/;

/** Which shape a record has, from its keys; undefined when it is none replay knows. */
export function recordShape(record: Json): SourceShape | undefined {
  if ('TimeGenerated' in record) return 'log-analytics';
  const keys = Object.keys(record);
  if (keys.some((k) => PORTAL_TIME_HEADER.test(k) && k.startsWith('TimeGenerated '))) return 'log-analytics-portal-csv';
  const lower = new Set(keys.map((k) => k.trim().toLowerCase()));
  if (lower.has('time') && lower.has('category') && isObject(record['properties'])) return 'diagnostic-settings';
  if ('activityDateTime' in record && 'activityDisplayName' in record) return 'graph-directory-audit';
  if ('createdDateTime' in record) return 'graph-sign-in';
  if (lower.has('date (utc)') && (lower.has('username') || lower.has('request id'))) return 'entra-sign-in-csv';
  if ((lower.has('date (utc)') || lower.has('date')) && lower.has('activity')) return 'entra-audit-csv';
  return undefined;
}

/** The record as a Log Analytics row, or why it cannot be one. */
export function toLogAnalyticsRow(record: unknown): MappedRecord | { problem: string } {
  if (!isObject(record)) return { problem: 'each record must be an object of names and values' };
  const shape = recordShape(record);
  switch (shape) {
    case 'log-analytics':
      return { shape, ...tableOfRow(record), row: record };
    case 'log-analytics-portal-csv':
      return portalCsvRow(record);
    case 'diagnostic-settings':
      return diagnosticRow(record);
    case 'graph-sign-in':
      return { shape, ...graphSignInRow(record) };
    case 'graph-directory-audit':
      return { shape, table: 'AuditLogs', row: graphAuditRow(record) };
    case 'entra-sign-in-csv':
      return { shape, row: entraSignInCsvRow(record) };
    case 'entra-audit-csv':
      return { shape, table: 'AuditLogs', row: entraAuditCsvRow(record) };
    default:
      return {
        problem:
          'the record has no TimeGenerated, and is no other export replay reads (a diagnostic-settings record has time, category and properties; a Microsoft Graph signIn createdDateTime; a directoryAudit activityDateTime; an Entra admin center CSV download "Date (UTC)")',
      };
  }
}

const KNOWN_TABLES = new Set([...Object.values(CATEGORY_TABLES), 'SecurityIncident']);

/**
 * The table a Log Analytics row says it is of: its Type when that names a table (exports are not
 * always right: real AuditLogs rows of OTRF's dataset carry Type "Application"), else a sign-in
 * log's Category. An audit row's Category is the audit category, which says nothing of its table.
 */
function tableOfRow(row: Json): { table?: string } {
  const type = row['Type'];
  if (typeof type === 'string' && KNOWN_TABLES.has(type)) return { table: type };
  const category = row['Category'];
  if (typeof category === 'string' && CATEGORY_TABLES[category] !== undefined) return { table: CATEGORY_TABLES[category] };
  return {};
}

const pascal = (name: string): string => (name === '' ? name : name[0]!.toUpperCase() + name.slice(1));

/** A datetime as ISO 8601 (the form the rows are typed from), or the text as it was if it is none. */
function isoTime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  // The Log Analytics portal writes "2/25/2025, 9:19:25.391 AM".
  const parsed = parseDateTime(value.replace(/^(\d{1,2}\/\d{1,2}\/\d{4}),\s*/, '$1 '));
  return parsed ? formatDateTime(parsed) : value;
}

function portalCsvRow(record: Json): MappedRecord | { problem: string } {
  const row: Json = {};
  for (const [key, value] of Object.entries(record)) {
    const timed = PORTAL_TIME_HEADER.exec(key);
    if (!timed) {
      row[key] = value;
      continue;
    }
    if (timed[2] !== 'UTC') return { problem: `the column ${key} is not in UTC: set the Log Analytics portal's time display to UTC before exporting, so times can be read without guessing the offset` };
    row[timed[1]!] = isoTime(value);
  }
  return { shape: 'log-analytics-portal-csv', ...tableOfRow(row), row };
}

/** Graph's property names as columns: the renames of the table's kind, PascalCase for the rest. */
function columnsOf(properties: Json, renames: Readonly<Record<string, string>>): Json {
  const row: Json = {};
  for (const [key, value] of Object.entries(properties)) row[renames[key] ?? pascal(key)] = value;
  return row;
}

/** ResultType is the error code as text ("0" for a success); exports disagree on where it is. */
function resultType(status: unknown, fallback: unknown): string | undefined {
  const code = isObject(status) ? status['errorCode'] : undefined;
  if (typeof code === 'number' || (typeof code === 'string' && code !== '')) return String(code);
  if (typeof fallback === 'number' || /^\d+$/.test(String(fallback ?? ''))) return String(fallback);
  if (typeof fallback === 'string' && /^success$/i.test(fallback)) return '0';
  return typeof fallback === 'string' && fallback !== '' ? fallback : undefined;
}

function signInDerived(row: Json, table: string): void {
  const status = row['Status'];
  const type = resultType(status, row['ResultType']);
  if (type !== undefined) row['ResultType'] = type;
  if (isObject(status) && typeof status['failureReason'] === 'string' && row['ResultDescription'] === undefined) row['ResultDescription'] = status['failureReason'];
  const location = row['LocationDetails'];
  if (isObject(location) && typeof location['countryOrRegion'] === 'string' && !row['Location']) row['Location'] = location['countryOrRegion'];
  row['Category'] ??= TABLE_CATEGORIES[table];
  row['OperationName'] ??= 'Sign-in activity';
  row['Type'] = table;
}

/** A sign-in's table: interactive or not, as the record says (signInEventTypes, then isInteractive). */
function signInTable(properties: Json): string {
  const types = properties['signInEventTypes'];
  if (Array.isArray(types) && types.includes('nonInteractiveUser')) return 'AADNonInteractiveUserSignInLogs';
  return properties['isInteractive'] === false ? 'AADNonInteractiveUserSignInLogs' : 'SigninLogs';
}

function graphSignInRow(record: Json): { table: string; row: Json } {
  const table = signInTable(record);
  const row = columnsOf(record, SIGN_IN_COLUMNS);
  row['TimeGenerated'] = isoTime(record['createdDateTime']);
  row['CreatedDateTime'] = row['TimeGenerated'];
  signInDerived(row, table);
  return { table, row };
}

function graphAuditRow(record: Json): Json {
  const row = columnsOf(record, AUDIT_COLUMNS);
  row['TimeGenerated'] = isoTime(record['activityDateTime']);
  row['ActivityDateTime'] = row['TimeGenerated'];
  row['OperationName'] ??= record['activityDisplayName'];
  row['Type'] = 'AuditLogs';
  return row;
}

function diagnosticRow(record: Json): MappedRecord {
  const top = new Map(Object.entries(record).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const category = String(top.get('category') ?? '');
  const properties = record['properties'] as Json;
  // Some pipelines write an audit's own category (Policy, UserManagement) where the log category
  // belongs; the properties still say it is a directory change.
  const looksAudit = CATEGORY_TABLES[category] === undefined && ('activityDisplayName' in properties || 'targetResources' in properties);
  const table = looksAudit ? 'AuditLogs' : (CATEGORY_TABLES[category] ?? category);
  const audit = table === 'AuditLogs';
  const row = columnsOf(properties, audit ? AUDIT_COLUMNS : SIGN_IN_COLUMNS);
  // Where the properties and the record's top level both have a value, the properties' is kept.
  for (const [field, column] of Object.entries(DIAGNOSTIC_COLUMNS)) {
    const value = top.get(field);
    if (value !== undefined && value !== null) row[column] ??= column === 'TimeGenerated' ? isoTime(value) : value;
  }
  // The record's time is when it was logged; a sign-in's own time is in its properties.
  if (!audit && properties['createdDateTime'] !== undefined) row['CreatedDateTime'] = isoTime(properties['createdDateTime']);
  if (audit && properties['activityDateTime'] !== undefined) row['ActivityDateTime'] = isoTime(properties['activityDateTime']);
  if (audit) {
    row['OperationName'] ??= properties['activityDisplayName'];
    row['Type'] = 'AuditLogs';
  } else if (CATEGORY_TABLES[category] !== undefined) {
    row['IPAddress'] ??= top.get('calleripaddress');
    signInDerived(row, table);
    row['Category'] = category;
  }
  return { shape: 'diagnostic-settings', table, row };
}

/** CSV headers matched trimmed and in any case. */
function csvLookup(record: Json): (header: string) => string | undefined {
  const byHeader = new Map(Object.entries(record).map(([k, v]) => [k.trim().toLowerCase(), typeof v === 'string' ? v : v === null || v === undefined ? undefined : String(v)]));
  return (header) => {
    const value = byHeader.get(header);
    return value === undefined || value === '' ? undefined : value;
  };
}

const yesNo = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : /^(yes|true)$/i.test(value) ? true : /^(no|false)$/i.test(value) ? false : undefined);

/** The columns a CSV download names one to one, by its header map. */
function mappedColumns(get: (header: string) => string | undefined, headers: Readonly<Record<string, string>>): Json {
  const row: Json = {};
  for (const [header, column] of Object.entries(headers)) {
    const value = get(header);
    if (value !== undefined) row[column] = value;
  }
  return row;
}

function entraSignInCsvRow(record: Json): Json {
  const get = csvLookup(record);
  const row = mappedColumns(get, ENTRA_SIGN_IN_CSV_COLUMNS);
  row['TimeGenerated'] = isoTime(get('date (utc)'));
  row['CreatedDateTime'] = row['TimeGenerated'];
  const flagged = yesNo(get('flagged for review'));
  if (flagged !== undefined) row['FlaggedForReview'] = flagged;
  // "Redmond, Washington, US": the last part is the country or region.
  const location = get('location');
  if (location !== undefined) {
    const parts = location.split(',').map((p) => p.trim());
    const countryOrRegion = parts.pop() ?? '';
    row['LocationDetails'] = { city: parts[0] ?? '', state: parts.length > 1 ? parts[1]! : '', countryOrRegion };
    row['Location'] = countryOrRegion;
  }
  const code = get('sign-in error code');
  const status = get('status');
  const errorCode = code !== undefined ? Number(code) : status !== undefined && /^success$/i.test(status) ? 0 : undefined;
  row['ResultType'] = errorCode !== undefined && Number.isFinite(errorCode) ? String(errorCode) : (code ?? '');
  row['Status'] = { ...(errorCode !== undefined && Number.isFinite(errorCode) ? { errorCode } : {}), ...(get('failure reason') ? { failureReason: get('failure reason') } : {}) };
  row['DeviceDetail'] = {
    ...(get('device id') ? { deviceId: get('device id') } : {}),
    ...(get('browser') ? { browser: get('browser') } : {}),
    ...(get('operating system') ? { operatingSystem: get('operating system') } : {}),
    ...(yesNo(get('compliant')) !== undefined ? { isCompliant: yesNo(get('compliant')) } : {}),
    ...(yesNo(get('managed')) !== undefined ? { isManaged: yesNo(get('managed')) } : {}),
    ...(get('join type') ? { trustType: get('join type') } : {}),
  };
  const mfa = get('multifactor authentication auth method');
  if (mfa !== undefined) row['MfaDetail'] = { authMethod: mfa, ...(get('multifactor authentication auth detail') ? { authDetail: get('multifactor authentication auth detail') } : {}) };
  row['OperationName'] = 'Sign-in activity';
  return row;
}

function entraAuditCsvRow(record: Json): Json {
  const get = csvLookup(record);
  const row = mappedColumns(get, ENTRA_AUDIT_CSV_COLUMNS);
  row['TimeGenerated'] = isoTime(get('date (utc)') ?? get('date'));
  row['ActivityDateTime'] = row['TimeGenerated'];
  if (row['OperationName'] !== undefined) row['ActivityDisplayName'] = row['OperationName'];
  // Graph and Log Analytics write the result in lower case: success, failure, timeout.
  if (get('result') !== undefined) row['Result'] = get('result')!.toLowerCase();
  const actorType = (get('actortype') ?? '').toLowerCase();
  const app = get('actorserviceprincipalid') !== undefined || actorType === 'application' || actorType === 'serviceprincipal';
  row['InitiatedBy'] = app
    ? { app: { servicePrincipalId: get('actorserviceprincipalid') ?? get('actorobjectid') ?? null, displayName: get('actorserviceprincipalname') ?? get('actordisplayname') ?? null } }
    : { user: { id: get('actorobjectid') ?? null, displayName: get('actordisplayname') ?? null, userPrincipalName: get('actoruserprincipalname') ?? null, ipAddress: get('ipaddress') ?? null } };
  const targets: Json[] = [];
  for (let n = 1; ; n++) {
    const fields = ['type', 'displayname', 'objectid', 'userprincipalname'].map((f) => get(`target${n}${f}`));
    const modified: Json[] = [];
    for (let m = 1; get(`target${n}modifiedproperty${m}name`) !== undefined; m++) {
      modified.push({ displayName: get(`target${n}modifiedproperty${m}name`), oldValue: get(`target${n}modifiedproperty${m}oldvalue`) ?? null, newValue: get(`target${n}modifiedproperty${m}newvalue`) ?? null });
    }
    if (fields.every((f) => f === undefined) && modified.length === 0) {
      if (!Object.keys(record).some((k) => k.trim().toLowerCase().startsWith(`target${n + 1}`))) break;
      continue;
    }
    const [type, displayName, id, userPrincipalName] = fields;
    targets.push({ id: id ?? null, displayName: displayName ?? null, type: type ?? null, userPrincipalName: userPrincipalName ?? null, modifiedProperties: modified });
  }
  row['TargetResources'] = targets;
  const details: Json[] = [];
  for (let n = 1; get(`additionaldetail${n}key`) !== undefined; n++) details.push({ key: get(`additionaldetail${n}key`), value: get(`additionaldetail${n}value`) ?? '' });
  row['AdditionalDetails'] = details;
  row['Type'] = 'AuditLogs';
  return row;
}
