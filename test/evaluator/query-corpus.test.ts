import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { EvaluationError } from '../../generator/evaluate/evaluation-error.js';
import { tableFromRecords } from '../../generator/evaluate/input-rows.js';
import type { Table } from '../../generator/evaluate/table.js';
import { LOG_ANALYTICS_TABLES } from '../../generator/validate/kusto-schema.js';
import { FIXTURES, sharedGlobals } from '../helpers/harness.js';

// Valid KQL of the shapes Sentinel content is written in, run over real exported records. The
// evaluator may refuse a construct it does not support (an EvaluationError that names it), but
// it must never fail inside itself: its safety net would turn that into "the offline evaluator
// failed ...", which is what this test looks for. All offenders are collected, then reported once.
const QUERIES = [
  'SigninLogs | take 5',
  'SigninLogs | limit 5',
  'SigninLogs | top 3 by TimeGenerated',
  'SigninLogs | sort by TimeGenerated asc nulls last',
  'SigninLogs | order by TimeGenerated',
  'SigninLogs | summarize count() by bin(TimeGenerated, 1h)',
  'SigninLogs | summarize dcount(IPAddress), make_set(IPAddress, 10) by UserPrincipalName',
  'SigninLogs | summarize arg_max(TimeGenerated, *) by UserId',
  'SigninLogs | summarize arg_max(TimeGenerated, IPAddress, AppDisplayName) by UserId',
  'SigninLogs | extend a = tostring(LocationDetails.city), b = LocationDetails["state"]',
  'SigninLogs | extend x = iff(ResultType == "0", "ok", "fail")',
  'SigninLogs | extend x = case(ResultType == "0", 1, ResultType == "50126", 2, 3)',
  'SigninLogs | project-away IPAddress',
  'SigninLogs | project-rename Who = UserPrincipalName',
  'SigninLogs | project-reorder IPAddress',
  'SigninLogs | distinct UserPrincipalName',
  'SigninLogs | count',
  'SigninLogs | where UserPrincipalName has_any ("a", "b")',
  'SigninLogs | where UserPrincipalName in~ ("A")',
  'SigninLogs | where UserPrincipalName !in ("A")',
  'SigninLogs | where UserPrincipalName matches regex "^a"',
  'SigninLogs | where UserPrincipalName startswith "a" or UserPrincipalName endswith "b"',
  'SigninLogs | where TimeGenerated > ago(1d) and isnotempty(IPAddress)',
  'SigninLogs | mv-expand ConditionalAccessPolicies',
  'SigninLogs | mv-expand p = ConditionalAccessPolicies to typeof(dynamic) limit 3',
  'SigninLogs | mv-apply p = ConditionalAccessPolicies on (where p.result == "success")',
  'SigninLogs | parse UserAgent with * "Windows " v ";" *',
  'SigninLogs | parse-where UserAgent with * "(" Platform ";" *',
  'SigninLogs | parse kind=regex UserAgent with "Mozilla/" Version:real " " *',
  'AuditLogs | parse kind=relaxed OperationName with Verb " " Noun',
  'SigninLogs | extend d = parse_json(AuthenticationDetails)',
  'SigninLogs | extend e = extract("([0-9]+)", 1, UserAgent)',
  'SigninLogs | extend s = split(UserPrincipalName, "@")[1]',
  'SigninLogs | extend s = strcat(UserPrincipalName, "-", IPAddress)',
  'SigninLogs | extend s = format_datetime(TimeGenerated, "yyyy-MM-dd")',
  'SigninLogs | extend s = datetime_diff("day", now(), TimeGenerated)',
  'SigninLogs | extend s = startofday(TimeGenerated)',
  'SigninLogs | extend s = pack("a", 1)',
  'SigninLogs | extend s = bag_pack("a", 1)',
  'SigninLogs | extend s = array_length(ConditionalAccessPolicies)',
  'SigninLogs | extend s = coalesce(IPAddress, "none")',
  'SigninLogs | extend s = todynamic(LocationDetails)',
  'SigninLogs | extend s = tolower(UserPrincipalName) | where s contains "x"',
  'SigninLogs | extend s = replace_string(UserPrincipalName, "a", "b")',
  'SigninLogs | extend s = trim(" ", UserPrincipalName)',
  'SigninLogs | extend s = hash_sha256(UserPrincipalName)',
  'SigninLogs | extend s = ipv4_is_private(IPAddress)',
  'SigninLogs | extend s = geo_info_from_ip_address(IPAddress)',
  'SigninLogs | union AADNonInteractiveUserSignInLogs',
  'union SigninLogs, AADNonInteractiveUserSignInLogs | count',
  'union withsource=T SigninLogs, AADNonInteractiveUserSignInLogs | summarize count() by T',
  'SigninLogs | join kind=inner (AuditLogs | extend UserId = tostring(InitiatedBy.user.id)) on UserId',
  'SigninLogs | join kind=leftanti (AuditLogs) on $left.UserId == $right.Id',
  'SigninLogs | lookup (AuditLogs | project Id, OperationName) on $left.UserId == $right.Id',
  'let a = 5; SigninLogs | take a',
  'let t = SigninLogs | where ResultType == "0"; t | count',
  'let f = (x:string) { x }; SigninLogs | take 1',
  'let ids = dynamic(["a","b"]); SigninLogs | where UserId in (ids)',
  'let ids = toscalar(SigninLogs | summarize make_set(UserId)); SigninLogs | where UserId in (ids)',
  'SigninLogs | where UserId in ((AuditLogs | project Id))',
  'SigninLogs | make-series count() default=0 on TimeGenerated from ago(1d) to now() step 1h',
  'SigninLogs | render timechart',
  'SigninLogs | evaluate bag_unpack(LocationDetails)',
  'SigninLogs | serialize | extend r = row_number()',
  'SigninLogs | extend r = prev(TimeGenerated)',
  'SigninLogs | getschema',
  'SigninLogs | as T | count',
  'SigninLogs | sample 3',
  'SigninLogs | summarize percentile(DurationMs, 50)',
  'SigninLogs | summarize countif(ResultType == "0"), sumif(DurationMs, true), avg(DurationMs), min(TimeGenerated), max(TimeGenerated), any(IPAddress), take_any(IPAddress)',
  'SigninLogs | summarize make_list(IPAddress), make_bag(LocationDetails) by UserId',
  'SigninLogs | summarize by UserId',
  'SigninLogs | extend t = TimeGenerated + 1h - 2d',
  'SigninLogs | extend t = TimeGenerated between (ago(1d) .. now())',
  'SigninLogs | where TimeGenerated !between (ago(1d) .. 1h)',
  'SigninLogs | extend n = toint(ResultType) * 2 / 3 % 4',
  'SigninLogs | extend b = not(isempty(IPAddress))',
  'SigninLogs | extend j = tostring(dynamic({"a":[1,2]}).a[0])',
  'SigninLogs | where * has "x"',
  'SigninLogs | search "x"',
  'search "x"',
  'print 1',
  'print x = now()',
  'datatable(a:string)["x","y"] | where a == "x"',
  'range i from 1 to 3 step 1',
  'SigninLogs | where ResultType == 0',
  'SigninLogs | extend z = column_ifexists("Foo", "")',
  'SigninLogs | extend z = isnull(DurationMs)',
  'SigninLogs | extend z = todatetime("2021-01-01")',
  'SigninLogs | extend z = totimespan("1.00:00:00")',
  'SigninLogs | extend z = strlen(UserPrincipalName) > 3 and indexof(UserPrincipalName, "@") > 0',
  'SigninLogs | extend z = substring(UserPrincipalName, 0, 3)',
  'SigninLogs | extend z = has_any_index(UserPrincipalName, dynamic(["a"]))',
  'SigninLogs | extend z = set_union(dynamic([1]), dynamic([2]))',
  'SigninLogs | extend z = array_concat(dynamic([1]), dynamic([2]))',
  'SigninLogs | extend z = bin(DurationMs, 10)',
  'SigninLogs | extend z = floor(TimeGenerated, 1d)',
  'SigninLogs | extend z = round(1.234, 2)',
  'SigninLogs | extend z = dayofweek(TimeGenerated)',
  'SigninLogs | extend z = getmonth(TimeGenerated)',
  'SigninLogs | extend z = ["UserPrincipalName"]',
  'SigninLogs | extend [\'a b\'] = 1',
  'SigninLogs | where UserPrincipalName =~ "X" | project UserPrincipalName, IPAddress | extend x = 1 | summarize take_any(*) by UserPrincipalName',
  'SigninLogs | summarize arg_min(TimeGenerated, *) by UserId | project-away TimeGenerated',
  'SigninLogs | top-nested 3 of UserId by count()',
  'SigninLogs | extend z = bag_keys(LocationDetails)',
  'SigninLogs | extend z = tostring(todynamic(AuthenticationDetails)[0].authenticationMethod)',
  'SigninLogs | summarize c = count() by UserId | where c > 2 | order by c desc',
  'AuditLogs | mv-expand TargetResources | extend id = tostring(TargetResources.id)',
  'AuditLogs | extend p = TargetResources[0].modifiedProperties | mv-expand p | where p.displayName == "x"',
  'AuditLogs | where OperationName has_cs "Add" and Result =~ "success"',
  'AuditLogs | extend x = InitiatedBy.user.userPrincipalName',
  'AuditLogs | extend x = tostring(parse_json(tostring(TargetResources))[0].id)',
  '_GetWatchlist("X") | project SearchKey',
  'SigninLogs | where UserId in (_GetWatchlist("X") | project SearchKey)',
  'SigninLogs | extend x = iif(true, 1, 2)',
  'SigninLogs | extend x = tobool("true")',
  'SigninLogs | extend x = toreal("1.5")',
  'SigninLogs | extend x = tolong("1")',
  'SigninLogs | extend x = todouble(1)',
  'SigninLogs | extend x = guid(00000000-0000-0000-0000-000000000000)',
  'SigninLogs | extend x = toguid(UserId)',
  'SigninLogs | extend x = datetime(2021-01-01)',
  'SigninLogs | extend x = timespan(1d)',
  'SigninLogs | extend x = real(1)',
  'SigninLogs | extend x = long(null)',
  'SigninLogs | extend x = -DurationMs',
  'SigninLogs | extend x = (DurationMs)',
  'SigninLogs | fork (count) (take 1)',
  'SigninLogs | facet by UserId',
  'SigninLogs | partition by UserId (take 1)',
  'SigninLogs | scan with (step s: true;)',
  'let m = materialize(SigninLogs | take 1); m',
  'SigninLogs | where TimeGenerated > ago(1d) | summarize count() by bin_at(TimeGenerated, 1h, datetime(2021-01-01))',
  'SigninLogs | extend x = format_timespan(1h, "hh")',
  'SigninLogs | extend x = unixtime_seconds_todatetime(1)',
  'SigninLogs | extend x = make_datetime(2021,1,1)',
  'SigninLogs | extend x = url_decode("a")',
  'SigninLogs | extend x = base64_decode_tostring("YQ==")',
  'SigninLogs | extend x = countof(UserPrincipalName, "a")',
  'SigninLogs | extend x = reverse(UserPrincipalName)',
  'SigninLogs | extend x = toupper(UserPrincipalName)',
  'SigninLogs | extend x = has_ipv4(UserAgent, IPAddress)',
  'SigninLogs | extend x = ipv4_is_in_range(IPAddress, "10.0.0.0/8")',
  'SigninLogs | extend x = isnotnull(TimeGenerated) and isnan(1.0) == false',
  'SigninLogs | extend x = array_index_of(dynamic([1]), 1)',
  'SigninLogs | extend x = zip(dynamic([1]), dynamic([2]))',
  'SigninLogs | where isnotempty(UserPrincipalName) | project-keep User*',
  'SigninLogs | extend x = strcat_array(dynamic(["a"]), ",")',
  'SigninLogs | extend x = tostring(dynamic(null))',
  'SigninLogs | extend x = iff(isempty(IPAddress), dynamic(null), IPAddress)',
  'SigninLogs | extend x = 1 | extend x = 2',
  'SigninLogs | summarize count() by UserId, bin(TimeGenerated, 5m) | summarize max(count_) by UserId',
  'SigninLogs | summarize Count = count() by UserId | top 1 by Count',
  'SigninLogs | project TimeGenerated, UserId | union (AuditLogs | project TimeGenerated, UserId = tostring(InitiatedBy.user.id))',
];

function realTable(file: string, table: string): Table {
  const records = JSON.parse(readFileSync(join(FIXTURES, 'real-logs', file), 'utf8')) as Record<string, unknown>[];
  return tableFromRecords(records, LOG_ANALYTICS_TABLES[table] ?? [], table);
}

it('runs every query of the corpus, or names what it does not support, without failing inside', () => {
  const tables = new Map([
    ['SigninLogs', realTable('msticpy_aad_logons_SigninLogs.LA.json', 'SigninLogs')],
    ['AuditLogs', realTable('otrf_goldensaml_AADAuditEvents.LA.json', 'AuditLogs')],
  ]);
  const watchlists = new Map([['X', { columns: ['SearchKey'], rows: [{ SearchKey: 'demo@seccxp.ninja' }] }]]);
  const offenders: string[] = [];
  let ran = 0;
  for (const query of QUERIES) {
    try {
      compileQuery(query, sharedGlobals()).run({ tables, watchlists, now: Date.parse('2020-05-21T00:00:00Z') });
      ran++;
    } catch (error) {
      if (!(error instanceof EvaluationError)) offenders.push(`${query}\n  threw ${String(error)}`);
      else if (/offline evaluator failed/.test(error.message)) offenders.push(`${query}\n  ${error.message}`);
    }
  }
  expect(offenders).toEqual([]);
  // A ratchet: what runs today must keep running (raise it when support grows).
  expect(ran).toBeGreaterThanOrEqual(144);
});
