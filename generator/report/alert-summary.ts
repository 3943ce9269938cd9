/**
 * What an analyst reads of an alert in a terminal, without --format json: the title Sentinel would
 * give it and the few facts that decide what to do (who, from where, with which app, what
 * happened, to what). Shared by replay's reports and the preview's simulated incidents.
 */
import { formatDateTime, KDateTime } from '../evaluate/values.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { PLACEHOLDER } from '../validate/sentinel-limits.js';

type Row = Readonly<Record<string, unknown>>;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof KDateTime) return readableTime(value.ms);
  if (Array.isArray(value)) return value.map(text).filter((v) => v !== '').join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The rule's alertDisplayNameFormat with the row's values (as Sentinel titles an alert), or its name. */
export function alertTitle(rule: RenderedRule, row: Row): string {
  const format = rule.template.alertDetailsOverride?.alertDisplayNameFormat;
  if (!format) return rule.template.name;
  return format.replace(PLACEHOLDER, (_, column: string) => text(row[column]));
}

/** 2026-11-20 10:05:02 UTC: a time as a person reads it (milliseconds only when there are any). */
export function readableTime(ms: number): string {
  const iso = formatDateTime(new KDateTime(ms));
  const [, date, time, fraction] = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.(\d{3})/.exec(iso)!;
  return `${date} ${time}${fraction === '000' ? '' : `.${fraction}`} UTC`;
}

/** The first non-empty of these columns. */
function first(row: Row, columns: readonly string[]): string {
  for (const c of columns) {
    const value = text(row[c]);
    if (value !== '') return value;
  }
  return '';
}

/** Where a change is aimed, by the columns our rules output for it (one value per row, or the run's list). */
const TARGET_COLUMNS = ['TargetNames', 'ChangeTargetList', 'RoleName', 'RoleList', 'MemberName', 'MemberList', 'GroupList', 'PolicyName', 'PolicyList', 'ModifiedProperties', 'ChangedPropertyList'];

/** "account bg-01@contoso.com · from 203.0.113.9 (NL, Amsterdam) · app Azure Portal · result 50126 Invalid password". */
export function alertFacts(row: Row): string {
  const facts: [string, string][] = [];
  const account = first(row, ['AccountUPN', 'TargetAccount', 'AccountObjectId']);
  facts.push(['account', account]);
  const by = text(row['InitiatedByName']);
  if (by !== '' && by.toLowerCase() !== account.toLowerCase()) facts.push(['by', by]);
  // A change names where its initiator was; a sign-in where the account was.
  const place = first(row, ['InitiatorFrom']) || [first(row, ['Country', 'CountryList']), text(row['City'])].filter((p) => p !== '').join(', ');
  const ip = first(row, ['InitiatorIPAddress', 'IPAddress', 'IPAddressList']);
  facts.push(['from', ip === '' ? place : place === '' || place === ip ? ip : `${ip} (${place})`]);
  facts.push(['app', first(row, ['AppDisplayName', 'ApplicationList', 'ResourceDisplayName'])]);
  const failure = first(row, ['FailureReason', 'FailureReasonList', 'ResultReason', 'StepList']);
  const result = first(row, ['ResultType', 'ResultCodeList', 'Result', 'ResultList']);
  facts.push(['result', [result, failure].filter((p) => p !== '').join(' ')]);
  facts.push(['change', [first(row, ['OperationName', 'OperationList']), first(row, ['Change', 'ChangeList'])].filter((p) => p !== '').join(': ')]);
  const missing = first(row, ['MissingAccounts', 'NotExcludedAccounts']);
  facts.push(['target', first(row, TARGET_COLUMNS) + (missing !== '' ? `${first(row, TARGET_COLUMNS) !== '' ? '; ' : ''}no longer excludes ${missing}` : '')]);
  return facts
    .filter(([, value]) => value !== '')
    .map(([label, value]) => `${label} ${value}`)
    .join(' · ');
}
