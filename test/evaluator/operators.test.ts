import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { EvaluationError } from '../../generator/evaluate/evaluation-error.js';
import { resultRows } from '../../generator/rule-tests/rule-cases.js';
import { NOW, run, value } from '../helpers/evaluate.js';
import { sharedGlobals } from '../helpers/harness.js';

// Expected values follow Kusto's documentation (learn.microsoft.com/kusto/query): each test
// states the documented behaviour it pins down.

describe('string operators', () => {
  it('has matches whole terms, case-insensitively', () => {
    expect(value('"North America" has "america"')).toBe(true);
    expect(value('"NorthAmerica" has "america"')).toBe(false);
    expect(value('"North America" has "amer"')).toBe(false);
    expect(value('"user@contoso.com" has "contoso"')).toBe(true);
    expect(value('"North America" !has "america"')).toBe(false);
    expect(value('"North America" has_cs "america"')).toBe(false);
  });
  it('has_any is true when any term is a whole term of the text', () => {
    expect(value('"Add member to role" has_any ("group", "role")')).toBe(true);
    expect(value('"Add member to roles" has_any ("group", "role")')).toBe(false);
    expect(value('"Add member to role" has_all ("member", "role")')).toBe(true);
  });
  it('== is case-sensitive, =~ is not, != and !~ are their negations', () => {
    expect(value('"abc" == "ABC"')).toBe(false);
    expect(value('"abc" =~ "ABC"')).toBe(true);
    expect(value('"abc" != "ABC"')).toBe(true);
    expect(value('"abc" !~ "ABC"')).toBe(false);
  });
  it('contains, startswith and endswith ignore case; their _cs forms do not', () => {
    expect(value('"Reset user password" contains "USER"')).toBe(true);
    expect(value('"Reset user password" contains_cs "USER"')).toBe(false);
    expect(value('"Reset user password" startswith "reset"')).toBe(true);
    expect(value('"Reset user password" endswith "WORD"')).toBe(true);
    expect(value('"Reset user password" !contains "admin"')).toBe(true);
  });
  it('in is case-sensitive, in~ is not, !in negates', () => {
    expect(value('"Admin" in ("admin", "root")')).toBe(false);
    expect(value('"Admin" in~ ("admin", "root")')).toBe(true);
    expect(value('"Admin" !in ("admin", "root")')).toBe(true);
    expect(value('"Admin" !in~ ("admin", "root")')).toBe(false);
  });
  it('in takes a dynamic array as a list of its elements', () => {
    expect(run('let L = dynamic(["a", "b"]); print v = "b" in (L)')[0]!['v']).toBe(true);
  });
  it('matches regex uses the regular expression, case-sensitively', () => {
    expect(value('"Error 50126" matches regex "[0-9]{5}$"')).toBe(true);
    expect(value('"error" matches regex "ERROR"')).toBe(false);
  });
  it('tolower, toupper, strcat, strlen, substring, split, replace_string, trim', () => {
    expect(value('tolower("Bg-Emergency@Contoso.COM")')).toBe('bg-emergency@contoso.com');
    expect(value('toupper("abc")')).toBe('ABC');
    expect(value('strcat("a", 1, "-", true)')).toBe('a1-true');
    expect(value('strlen("abcd")')).toBe(4);
    expect(value('substring("0123456789", 3, 2)')).toBe('34');
    expect(value('substring("0123456789", 8)')).toBe('89');
    expect(value('split("user@contoso.com", "@")')).toEqual(['user', 'contoso.com']);
    expect(value('tostring(split("user@contoso.com", "@")[1])')).toBe('contoso.com');
    expect(value('tostring(split("nodomain", "@")[1])')).toBe('');
    expect(value('replace_string("34bb-de15", "-", "")')).toBe('34bbde15');
    expect(value(`trim('"', '"Global Administrator"')`)).toBe('Global Administrator');
  });
});

describe('between', () => {
  it('is inclusive at both ends, for numbers and datetimes', () => {
    expect(value('5 between (1 .. 5)')).toBe(true);
    expect(value('6 between (1 .. 5)')).toBe(false);
    expect(value('6 !between (1 .. 5)')).toBe(true);
    expect(value('datetime(2026-11-20T10:00:00Z) between (datetime(2026-11-20T09:00:00Z) .. datetime(2026-11-20T10:00:00Z))')).toBe(true);
    expect(value('datetime(2026-11-20T10:00:01Z) between (datetime(2026-11-20T09:00:00Z) .. datetime(2026-11-20T10:00:00Z))')).toBe(false);
  });
  it('takes a timespan as the upper end: the range is start .. start + span', () => {
    expect(value('datetime(2026-11-20T10:30:00Z) between (datetime(2026-11-20T10:00:00Z) .. 1h)')).toBe(true);
    expect(value('datetime(2026-11-20T11:30:00Z) between (datetime(2026-11-20T10:00:00Z) .. 1h)')).toBe(false);
  });
  it('filters rows in where', () => {
    const rows = run('SigninLogs | where TimeGenerated between (ago(2h) .. now()) | project UserPrincipalName', {
      SigninLogs: [
        { TimeGenerated: '2026-11-20T09:00:00Z', UserPrincipalName: 'in@contoso.com' },
        { TimeGenerated: '2026-11-20T07:00:00Z', UserPrincipalName: 'old@contoso.com' },
      ],
    });
    expect(rows).toEqual([{ UserPrincipalName: 'in@contoso.com' }]);
  });
});

describe('null, empty and logic', () => {
  it('isempty is true for "" and null; isnotempty is its negation', () => {
    expect(value('isempty("")')).toBe(true);
    expect(value('isempty(int(null))')).toBe(true);
    expect(value('isempty("x")')).toBe(false);
    expect(value('isnotempty(" ")')).toBe(true);
  });
  it('isnull is true only for null; a string is never null', () => {
    expect(value('isnull(int(null))')).toBe(true);
    expect(value('isnull("")')).toBe(false);
    expect(value('isnotnull(1)')).toBe(true);
  });
  it('null == null and null != null are null; null == x is false and null != x is true', () => {
    expect(value('int(null) == int(null)')).toBe(null);
    expect(value('int(null) != int(null)')).toBe(null);
    expect(value('int(null) == 5')).toBe(false);
    expect(value('int(null) != 5')).toBe(true);
  });
  it('where treats a null predicate as false', () => {
    expect(run('datatable(n:int)[1, int(null), 3] | where n > 1')).toEqual([{ n: 3 }]);
    expect(run('datatable(n:int, s:string)[5, "a", int(null), "b"] | where n != 5')).toEqual([{ n: null, s: 'b' }]);
  });
  it('and, or and not', () => {
    expect(value('true and false')).toBe(false);
    expect(value('true or false')).toBe(true);
    expect(value('not(true)')).toBe(false);
    expect(value('not(1 > 2) and (2 > 1 or false)')).toBe(true);
  });
  it('iff and case pick the first true branch', () => {
    expect(value('iff(1 > 2, "yes", "no")')).toBe('no');
    expect(value('case(1 > 2, "a", 2 > 1, "b", "c")')).toBe('b');
    expect(value('case(false, "a", "fallback")')).toBe('fallback');
  });
  it('coalesce gives the first value that is not null or empty', () => {
    expect(value('coalesce("", "b", "c")')).toBe('b');
    expect(value('coalesce(int(null), 7)')).toBe(7);
  });
});

describe('conversions and dynamic values', () => {
  it('tostring, toint, tolong, todouble, tobool', () => {
    expect(value('tostring(12)')).toBe('12');
    expect(value('tostring(int(null))')).toBe('');
    expect(value('toint("42")')).toBe(42);
    expect(value('isnull(toint("x"))')).toBe(true);
    expect(value('tolong("9")')).toBe(9);
    expect(value('todouble("1.5")')).toBe(1.5);
    expect(value('tobool("true")')).toBe(true);
  });
  it('parse_json and todynamic read JSON text; a property path and an index read into it', () => {
    expect(value(`parse_json('{"a":{"b":[10,20]}}').a.b[1]`)).toBe(20);
    expect(value(`todynamic('{"a":1}')["a"]`)).toBe(1);
    expect(value(`tostring(parse_json('{"s":"x"}').s)`)).toBe('x');
  });
  it('a missing property or index is null, and tostring of it is ""', () => {
    expect(value(`isnull(parse_json('{"a":1}').b)`)).toBe(true);
    expect(value(`isnull(dynamic([1])[5])`)).toBe(true);
    expect(value(`tostring(parse_json('{"a":1}').b.c)`)).toBe('');
  });
  it('parse_json of text that is not JSON keeps the text', () => {
    expect(value(`tostring(parse_json("not json"))`)).toBe('not json');
  });
  it('bag_keys, array_length, set_difference, set_has_element, set_intersect, strcat_array', () => {
    expect(value(`bag_keys(parse_json('{"x":1,"y":2}'))`)).toEqual(['x', 'y']);
    expect(value('array_length(dynamic([1, 2, 3]))')).toBe(3);
    expect(value(`isnull(array_length(parse_json('"text"')))`)).toBe(true);
    expect(value('set_difference(dynamic(["a", "b", "c"]), dynamic(["b"]))')).toEqual(['a', 'c']);
    expect(value('set_has_element(dynamic(["a", "b"]), "b")')).toBe(true);
    expect(value('set_intersect(dynamic(["a", "b"]), dynamic(["b", "c"]))')).toEqual(['b']);
    expect(value('strcat_array(dynamic(["a", "b"]), ", ")')).toBe('a, b');
  });
});

describe('time', () => {
  it('now() and ago() read the clock the evaluation is given', () => {
    expect(value('now()')).toBe('2026-11-20T10:00:00.0000000Z');
    expect(value('ago(1h)')).toBe('2026-11-20T09:00:00.0000000Z');
    expect(value('ago(5m) < now()')).toBe(true);
  });
  it('datetime literals, bin, format_datetime, datetime_diff', () => {
    expect(value('datetime(2026-11-20 10:17:45)')).toBe('2026-11-20T10:17:45.0000000Z');
    expect(value('bin(datetime(2026-11-20 10:17:45), 1h)')).toBe('2026-11-20T10:00:00.0000000Z');
    expect(value('format_datetime(datetime(2026-11-20 10:17:45), "yyyy-MM-dd HH:mm")')).toBe('2026-11-20 10:17');
    expect(value('datetime_diff("minute", datetime(2026-11-20 10:30), datetime(2026-11-20 10:00))')).toBe(30);
  });
  it('a datetime compares with ago() in where', () => {
    const rows = run('SigninLogs | where TimeGenerated > ago(10m) | project UserPrincipalName', {
      SigninLogs: [
        { TimeGenerated: '2026-11-20T09:55:00Z', UserPrincipalName: 'recent' },
        { TimeGenerated: '2026-11-20T09:40:00Z', UserPrincipalName: 'old' },
      ],
    });
    expect(rows).toEqual([{ UserPrincipalName: 'recent' }]);
  });
});

describe('tabular operators', () => {
  const T = 'datatable(User:string, Ip:string, N:int)["a", "1.1.1.1", 1, "b", "2.2.2.2", 5, "a", "3.3.3.3", 3]';
  it('where, project with renames and expressions, project-away, extend', () => {
    expect(run(`${T} | where N > 1 | project Who = User, Twice = N * 2`)).toEqual([
      { Who: 'b', Twice: 10 },
      { Who: 'a', Twice: 6 },
    ]);
    expect(run(`${T} | project-away Ip | take 1`)).toEqual([{ User: 'a', N: 1 }]);
    expect(run(`${T} | extend M = N + 1 | extend K = M * 10 | take 1 | project M, K`)).toEqual([{ M: 2, K: 20 }]);
  });
  it('summarize count, dcount, min, max, make_set, take_any by keys', () => {
    expect(run(`${T} | summarize count(), dcount(Ip), min(N), max(N), make_set(Ip) by User | order by User asc`)).toEqual([
      { User: 'a', count_: 2, dcount_Ip: 2, min_N: 1, max_N: 3, set_Ip: ['1.1.1.1', '3.3.3.3'] },
      { User: 'b', count_: 1, dcount_Ip: 1, min_N: 5, max_N: 5, set_Ip: ['2.2.2.2'] },
    ]);
    expect(run(`${T} | where User == "b" | summarize take_any(Ip)`)).toEqual([{ Ip: '2.2.2.2' }]);
  });
  it('summarize without by over no rows gives one row; with by, none', () => {
    expect(run(`${T} | where N > 100 | summarize count()`)).toEqual([{ count_: 0 }]);
    expect(run(`${T} | where N > 100 | summarize count() by User`)).toEqual([]);
  });
  it('arg_max(column, *) keeps the whole row with the largest value per key', () => {
    expect(run(`${T} | summarize arg_max(N, *) by User | order by User asc`)).toEqual([
      { User: 'a', N: 3, Ip: '3.3.3.3' },
      { User: 'b', N: 5, Ip: '2.2.2.2' },
    ]);
  });
  it('union with withsource names the table each row came from', () => {
    const rows = run('union withsource = Source SigninLogs, AADNonInteractiveUserSignInLogs | project Source, UserPrincipalName | order by Source asc', {
      SigninLogs: [{ TimeGenerated: '2026-11-20T09:55:00Z', UserPrincipalName: 'i' }],
      AADNonInteractiveUserSignInLogs: [{ TimeGenerated: '2026-11-20T09:56:00Z', UserPrincipalName: 'n' }],
    });
    expect(rows).toEqual([
      { Source: 'AADNonInteractiveUserSignInLogs', UserPrincipalName: 'n' },
      { Source: 'SigninLogs', UserPrincipalName: 'i' },
    ]);
  });
  describe('join', () => {
    const L = 'datatable(K:string, A:int)["x", 1, "x", 2, "y", 3]';
    const R = 'datatable(K:string, B:int)["x", 10, "z", 30]';
    it('the default kind (innerunique) keeps one left row per key', () => {
      expect(run(`${L} | join (${R}) on K | project K, A, B`)).toEqual([{ K: 'x', A: 1, B: 10 }]);
    });
    it('inner keeps every matching pair', () => {
      expect(run(`${L} | join kind=inner (${R}) on K | project A, B`)).toEqual([
        { A: 1, B: 10 },
        { A: 2, B: 10 },
      ]);
    });
    it('leftouter keeps unmatched left rows with nulls on the right', () => {
      expect(run(`${L} | join kind=leftouter (${R}) on K | project K, A, B | order by A asc`)).toEqual([
        { K: 'x', A: 1, B: 10 },
        { K: 'x', A: 2, B: 10 },
        { K: 'y', A: 3, B: null },
      ]);
    });
    it('leftanti keeps left rows without a match; leftsemi those with one, left columns only', () => {
      expect(run(`${L} | join kind=leftanti (${R}) on K`)).toEqual([{ K: 'y', A: 3 }]);
      expect(run(`${L} | join kind=leftsemi (${R}) on K`)).toEqual([
        { K: 'x', A: 1 },
        { K: 'x', A: 2 },
      ]);
    });
    it('on $left.A == $right.B joins on differently named columns', () => {
      expect(run(`datatable(P:string)["x"] | join kind=inner (datatable(Q:string, V:int)["x", 7]) on $left.P == $right.Q | project P, V`)).toEqual([{ P: 'x', V: 7 }]);
    });
  });
  it('mv-expand makes one row per array element and per bag property', () => {
    expect(run('datatable(Id:int, D:dynamic)[1, dynamic(["a", "b"]), 2, dynamic([])] | mv-expand D')).toEqual([
      { Id: 1, D: 'a' },
      { Id: 1, D: 'b' },
    ]);
    expect(run('print D = dynamic({"k": 1}) | mv-expand D')).toEqual([{ D: { k: 1 } }]);
    expect(run('print A = dynamic(["x", "y"]) | mv-expand A to typeof(string) | project A')).toEqual([{ A: 'x' }, { A: 'y' }]);
  });
  it('let binds scalars, dynamic lists and tables', () => {
    expect(run(`let limit = 2; let names = dynamic(["a"]); let t = ${T}; t | where N > limit and User in (names) | project N`)).toEqual([{ N: 3 }]);
  });
  it('take, sort (descending by default), top, distinct', () => {
    expect(run(`${T} | take 2 | project N`)).toEqual([{ N: 1 }, { N: 5 }]);
    expect(run(`${T} | sort by N | project N`)).toEqual([{ N: 5 }, { N: 3 }, { N: 1 }]);
    expect(run(`${T} | top 1 by N asc | project N`)).toEqual([{ N: 1 }]);
    expect(run(`${T} | distinct User | order by User asc`)).toEqual([{ User: 'a' }, { User: 'b' }]);
  });
  it('sort puts nulls last when descending and first when ascending', () => {
    expect(run('datatable(n:int)[2, int(null), 1] | sort by n desc')).toEqual([{ n: 2 }, { n: 1 }, { n: null }]);
    expect(run('datatable(n:int)[2, int(null), 1] | sort by n asc')).toEqual([{ n: null }, { n: 1 }, { n: 2 }]);
  });
  it('toscalar gives the first column of the first row', () => {
    expect(run(`let m = toscalar(${T} | summarize max(N)); print v = m`)).toEqual([{ v: 5 }]);
  });
  it('_GetWatchlist reads the rows given for the alias', () => {
    const query = `_GetWatchlist("BreakGlassAccounts") | project ObjectId`;
    const table = compileQuery(query, sharedGlobals()).run({
      tables: new Map(),
      watchlists: new Map([['BreakGlassAccounts', { columns: ['ObjectId'], rows: [{ ObjectId: 'abc' }] }]]),
      now: NOW,
    });
    expect(resultRows(table).rows).toEqual([{ ObjectId: 'abc' }]);
  });
  it('a table the input does not give is empty, with its schema columns', () => {
    expect(run('AuditLogs | count')).toEqual([{ Count: 0 }]);
  });
});

describe('scan, partition and patterns', () => {
  const events = `datatable (Ts: timespan, Event: string) [0m, "A", 1m, "Start", 2m, "B", 3m, "D", 4m, "Stop", 6m, "C", 8m, "Start", 11m, "E", 12m, "Stop"]`;
  it('scan walks the steps from last to first, moving a sequence on and numbering matches (scan-operator.md)', () => {
    const query = `${events} | sort by Ts asc | scan with_match_id=m_id with (
      step s1: Event == "Start";
      step s2: Event != "Start" and Event != "Stop" and Ts - s1.Ts <= 5m;
      step s3: Event == "Stop" and Ts - s1.Ts <= 5m;) | project Event, m_id`;
    expect(run(query).map((r) => `${r['Event']}${r['m_id']}`)).toEqual(['Start0', 'B0', 'D0', 'Stop0', 'Start1', 'E1', 'Stop1']);
  });
  it('scan reads a step without a record as the declared default, and output=none hides a step', () => {
    expect(run('range x from 1 to 4 step 1 | scan declare (c:long=10) with (step s1: true => c = x + s1.c;) | project c').map((r) => r['c'])).toEqual([11, 13, 16, 20]);
    const sessions = `datatable (Ts: timespan) [0m, 1m, 32m, 36m, 75m] | scan with_match_id=id declare (start: timespan) with (
      step inSession: true => start = iff(isnull(inSession.start), Ts, inSession.start);
      step endSession output=none: Ts - inSession.start > 30m;) | project id`;
    expect(run(sessions).map((r) => r['id'])).toEqual([0, 0, 1, 1, 2]);
  });
  it('scan refuses output=last and a declared column read without its step', () => {
    expect(() => run('range x from 1 to 3 step 1 | scan declare (c:long=0) with (step s1 output=last: true => c = x;)')).toThrow(/output=last/);
    expect(() => run('range x from 1 to 3 step 1 | scan declare (c:long=0) with (step s1: true => c = c + x;)')).toThrow(/without its step/);
  });
  it('partition runs the subquery per value, or the query with toscalar(key) (partition-operator.md)', () => {
    expect(run('datatable(k:string, v:long)["a",1,"b",2,"a",3] | partition hint.strategy=native by k (summarize s = sum(v), k = take_any(k)) | order by k asc')).toEqual([
      { s: 4, k: 'a' },
      { s: 2, k: 'b' },
    ]);
    expect(run('datatable(k:string)["a","b"] | partition by k { print v = strcat(toscalar(k), "!") } | order by v asc')).toEqual([{ v: 'a!' }, { v: 'b!' }]);
  });
  it('a pattern invocation runs the matching definition; none matching is an error (pattern-statement.md)', () => {
    const declare = `declare pattern country = (name:string)[state:string] { ("USA").["New York"] = { print Capital = "Albany" }; ("Canada").["Alberta"] = { print Capital = "Edmonton" }; };`;
    expect(run(`${declare} country("Canada").Alberta`)).toEqual([{ Capital: 'Edmonton' }]);
    expect(run(`${declare} country("USA").["New York"]`)).toEqual([{ Capital: 'Albany' }]);
    expect(() => run(`${declare} country("USA").Texas`)).toThrow(/Texas/);
  });
  it('geo_polygon_lookup joins each point with the polygons holding it (geo-polygon-lookup-plugin.md)', () => {
    const query = `let zones = datatable(zone:string, polygon:dynamic)[
        "square", dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}),
        "right", dynamic({"type":"Polygon","coordinates":[[[1,0],[3,0],[3,2],[1,2],[1,0]]]})];
      datatable(name:string, lng:real, lat:real)["left", 0.5, 1, "middle", 1.5, 1, "away", 9, 9]
      | evaluate geo_polygon_lookup(zones, polygon, lng, lat, return_unmatched = true) | project name, zone | order by name asc, zone asc`;
    expect(run(query)).toEqual([
      { name: 'away', zone: '' },
      { name: 'left', zone: 'square' },
      { name: 'middle', zone: 'right' },
      { name: 'middle', zone: 'square' },
    ]);
  });
});

describe('graphs (make-graph, graph-match, graph-shortest-paths)', () => {
  const reports = `datatable(employee:string, manager:string)["Bob","Alice","Chris","Alice","Eve","Bob","Ben","Chris"]`;
  it('graph-match walks variable length edges left to right, properties of a walk as arrays (graph-match-operator.md)', () => {
    const query = `${reports} | make-graph employee --> manager with_node_id=name
      | graph-match (boss)<-[r*1..3]-(e) where boss.name == "Alice" project who = e.name, path = map(r, manager), via = map(inner_nodes(r), node_id()), managers = r.manager
      | order by who asc`;
    expect(run(query)).toEqual([
      { who: 'Ben', path: ['Alice', 'Chris'], via: ['Chris'], managers: ['Alice', 'Chris'] },
      { who: 'Bob', path: ['Alice'], via: [], managers: ['Alice'] },
      { who: 'Chris', path: ['Alice'], via: [], managers: ['Alice'] },
      { who: 'Eve', path: ['Alice', 'Bob'], via: ['Bob'], managers: ['Alice', 'Bob'] },
    ]);
  });
  it('cycles: unique_edges (the default) lets a walk come back over another edge, none never revisits a node', () => {
    const loop = `datatable(a:string, b:string)["x","y","y","x"] | make-graph a --> b with_node_id=id`;
    expect(run(`${loop} | graph-match (s)-[e*2..2]->(t) project s.id, t.id | count`)).toEqual([{ Count: 2 }]);
    expect(run(`${loop} | graph-match cycles=none (s)-[e*2..2]->(t) project s.id, t.id | count`)).toEqual([{ Count: 0 }]);
  });
  it('node_degree_in(), node_degree_out() and node_id() read the graph', () => {
    expect(run(`${reports} | make-graph employee --> manager with_node_id=name | graph-match (m)<--(e) where node_id(m) == "Alice" project e.name, i = node_degree_in(m), o = node_degree_out(e) | order by e_name asc`)).toEqual([
      { e_name: 'Bob', i: 2, o: 1 },
      { e_name: 'Chris', i: 2, o: 1 },
    ]);
  });
  it('graph-shortest-paths keeps the walks with the fewest edges that satisfy where (graph-shortest-paths-operator.md)', () => {
    const lines = `datatable(a:string, b:string)["A","B","B","C","A","C","C","D"] | make-graph a --> b with_node_id=id`;
    expect(run(`${lines} | graph-shortest-paths (s)-[e*1..3]->(t) where s.id == "A" and t.id == "D" project hops = array_length(map(e, a))`)).toEqual([{ hops: 2 }]);
    expect(run(`${lines} | graph-shortest-paths (s)-[e*1..3]->(t) where s.id == "A" and t.id == "D" and all(inner_nodes(e), node_id() != "C") project n = 1`)).toEqual([]);
  });
  it('a property of a variable length edge in where is refused (write all(e, ...))', () => {
    expect(() => run(`${reports} | make-graph employee --> manager with_node_id=name | graph-match (a)-[r*1..2]->(b) where r.manager == "Alice" project a.name`)).toThrow(/variable length edge r in where/);
  });
});

describe('what the evaluator does not support is an error, never a silent pass', () => {
  it.each([
    ['an operator', 'SigninLogs | sample 3', "'sample' (it picks rows at random, so its results cannot be tested offline) is not supported"],
    ['a function', 'print v = geo_info_from_ip_address("1.1.1.1")', 'the function geo_info_from_ip_address() is not supported'],
  ])('%s', (_, query, message) => {
    const attempt = () => run(query);
    expect(attempt).toThrow(EvaluationError);
    expect(attempt).toThrow(message);
  });
  it('a query that does not analyse is refused with the analyser message', () => {
    expect(() => run('SigninLogs | where NoSuchColumn == 1')).toThrow(/does not analyse/);
  });
});
