import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { EvaluationError } from '../../generator/evaluate/evaluation-error.js';
import { run, value } from '../helpers/evaluate.js';
import { sharedGlobals } from '../helpers/harness.js';

// Functions and operators that user-written rules reach for. Expected values are the examples of
// Kusto's documentation (learn.microsoft.com/kusto/query) where it gives them.

describe('calendar functions (UTC, weeks from Sunday)', () => {
  const T = 'datetime(2026-11-25 13:45:10)'; // a Wednesday
  it('startofday, startofweek, startofmonth, startofyear, with an offset in whole periods', () => {
    expect(value(`startofday(${T})`)).toBe('2026-11-25T00:00:00.0000000Z');
    expect(value(`startofday(${T}, -1)`)).toBe('2026-11-24T00:00:00.0000000Z');
    expect(value(`startofweek(${T})`)).toBe('2026-11-22T00:00:00.0000000Z');
    expect(value(`startofweek(${T}, 1)`)).toBe('2026-11-29T00:00:00.0000000Z');
    expect(value(`startofmonth(${T})`)).toBe('2026-11-01T00:00:00.0000000Z');
    expect(value(`startofmonth(${T}, 2)`)).toBe('2027-01-01T00:00:00.0000000Z');
    expect(value(`startofyear(${T}, -1)`)).toBe('2025-01-01T00:00:00.0000000Z');
  });
  it('endofday is the last instant of the day: its last 100-ns tick', () => {
    expect(value(`endofday(${T})`)).toBe('2026-11-25T23:59:59.9999999Z');
    expect(value(`endofmonth(datetime(2024-02-10))`)).toBe('2024-02-29T23:59:59.9999999Z');
  });
  it('dayofweek is the time since Sunday; the parts are numbers', () => {
    expect(value(`dayofweek(${T})`)).toBe('3.00:00:00');
    expect(value('dayofweek(datetime(2026-11-22))')).toBe('00:00:00');
    expect(run(`print d = dayofmonth(${T}), h = hourofday(${T}), m = getmonth(${T}), y = getyear(${T}), doy = dayofyear(${T})`)).toEqual([{ d: 25, h: 13, m: 11, y: 2026, doy: 329 }]);
  });
  it('a value that is not a datetime gives null', () => {
    expect(value('startofday(datetime(null))')).toBeNull();
  });
  it('totimespan reads d.hh:mm:ss and timespan literals; other text is null', () => {
    expect(value('totimespan("1.02:03:04")')).toBe('1.02:03:04');
    expect(value('totimespan("00:05:00")')).toBe('00:05:00');
    expect(value('totimespan("90m")')).toBe('01:30:00');
    expect(value('totimespan("soon")')).toBeNull();
  });
});

describe('text functions', () => {
  it('extract gives a capture group, "" when the text does not match', () => {
    expect(value('extract("x=([0-9.]+)", 1, "hello x=1234.5")')).toBe('1234.5');
    expect(value('extract("x=([0-9.]+)", 0, "hello x=1234.5")')).toBe('x=1234.5');
    expect(value('extract("y=([0-9]+)", 1, "hello x=1")')).toBe('');
  });
  it('extract reads RE2 named groups', () => {
    expect(value('extract("(?P<version>[0-9]+)", 1, "Windows 10")')).toBe('10');
  });
  it('countof counts overlapping plain matches and non-overlapping regex matches', () => {
    expect(value('countof("aaa", "a")')).toBe(3);
    expect(value('countof("aaaa", "aa")')).toBe(3);
    expect(value('countof("ababa", "ab", "normal")')).toBe(2);
    expect(value('countof("ababa", "aba", "regex")')).toBe(1);
    expect(value('countof("abcabc", "a.c", "regex")')).toBe(2);
  });
  it('hash_sha256 is the hex SHA-256 of the text', () => {
    expect(value('hash_sha256("abc")')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('toguid gives the canonical lower-case GUID, null for anything else', () => {
    expect(value('toguid("34BBDE15-5585-4333-A9D6-FD1B529AB024")')).toBe('34bbde15-5585-4333-a9d6-fd1b529ab024');
    expect(value('toguid("not a guid")')).toBeNull();
  });
  it('an invalid regular expression is an evaluation error, not a crash', () => {
    expect(() => value('extract("([0-9", 1, "x")')).toThrow(EvaluationError);
    expect(() => value('extract("([0-9", 1, "x")')).toThrow(/regular expression "\(\[0-9" is not valid/);
  });
});

describe('numbers, bags and IP addresses', () => {
  it('round rounds half away from zero at decimal digits, negative digits to tens', () => {
    expect(value('round(2.98765, 3)')).toBe(2.988);
    expect(value('round(2.15, 1)')).toBe(2.2);
    expect(value('round(2.15)')).toBe(2);
    expect(value('round(-50.55, -2)')).toBe(-100);
    expect(value('round(21.5, -1)')).toBe(20);
  });
  it('floor is bin', () => {
    expect(value('floor(datetime(2026-11-25 13:45), 1h)')).toBe('2026-11-25T13:00:00.0000000Z');
    expect(value('floor(17, 5)')).toBe(15);
  });
  it('bag_pack and pack build a property bag; a key such as __proto__ is an ordinary key', () => {
    expect(value('bag_pack("a", 1, "b", "x")')).toEqual({ a: 1, b: 'x' });
    expect(value('pack("k", dynamic([1]))')).toEqual({ k: [1] });
    const bag = value('bag_pack("__proto__", 1)') as Record<string, unknown>;
    expect(Object.keys(bag)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(bag)).toBe(Object.prototype);
  });
  it('ipv4_is_private knows the three private ranges and reads IP-prefix notation', () => {
    expect(value("ipv4_is_private('192.168.1.1/24')")).toBe(true);
    expect(value("ipv4_is_private('10.1.2.3/24')")).toBe(true);
    expect(value("ipv4_is_private('172.31.255.255')")).toBe(true);
    expect(value("ipv4_is_private('172.32.0.1')")).toBe(false);
    expect(value("ipv4_is_private('202.1.2.3')")).toBe(false);
    expect(value('ipv4_is_private("127.0.0.1")')).toBe(false);
    expect(value('ipv4_is_private("2001:db8::1")')).toBeNull();
  });
  it('ipv4_is_in_range and ipv4_is_in_any_range; text that is not IPv4 gives null', () => {
    expect(value('ipv4_is_in_range("192.168.1.6", "192.168.1.1/24")')).toBe(true);
    expect(value('ipv4_is_in_range("192.168.2.6", "192.168.1.1/24")')).toBe(false);
    expect(value('ipv4_is_in_range("10.0.0.300", "10.0.0.0/8")')).toBeNull();
    expect(value('ipv4_is_in_any_range("10.1.2.3", "192.168.0.0/16", "10.0.0.0/8")')).toBe(true);
    expect(value('ipv4_is_in_any_range("10.1.2.3", dynamic(["192.168.0.0/16", "172.16.0.0/12"]))')).toBe(false);
  });
});

describe('operators that Sentinel content uses often', () => {
  it('make_bag merges the bags of a group, keeping the first value of a key', () => {
    const rows = run('datatable(U:string, B:dynamic)["a", dynamic({"x": 1}), "a", dynamic({"y": 2, "x": 9}), "b", dynamic("no bag")] | summarize make_bag(B) by U | order by U asc');
    expect(rows).toEqual([
      { U: 'a', bag_B: { x: 1, y: 2 } },
      { U: 'b', bag_B: {} },
    ]);
  });
  it('column_ifexists reads the column where the input has it, else the default', () => {
    expect(run('SigninLogs | project v = column_ifexists("IPAddress", "none")', { SigninLogs: [{ IPAddress: '1.2.3.4' }] })).toEqual([{ v: '1.2.3.4' }]);
    expect(run('SigninLogs | project v = column_ifexists("NoSuchColumn", "none")', { SigninLogs: [{ IPAddress: '1.2.3.4' }] })).toEqual([{ v: 'none' }]);
  });
  it('lookup adds the matching row of a dimension table; kind=leftouter keeps the rest, inner drops it', () => {
    const L = 'datatable(Id:string, N:int)["a", 1, "b", 2]';
    const R = 'datatable(Id:string, Name:string)["a", "Alice"]';
    expect(run(`${L} | lookup (${R}) on Id | order by N asc`)).toEqual([
      { Id: 'a', N: 1, Name: 'Alice' },
      { Id: 'b', N: 2, Name: '' },
    ]);
    expect(run(`${L} | lookup kind=inner (${R}) on Id`)).toEqual([{ Id: 'a', N: 1, Name: 'Alice' }]);
    expect(run(`${L} | lookup (datatable(Key:string, Name:string)["b", "Bob"]) on $left.Id == $right.Key | where N == 2`)).toEqual([{ Id: 'b', N: 2, Name: 'Bob' }]);
    // A right column whose name the left has comes out renamed, as in Kusto.
    expect(run(`${L} | extend Name = "left" | lookup (${R}) on Id | where N == 1`)).toEqual([{ Id: 'a', N: 1, Name: 'left', Name1: 'Alice' }]);
  });
  it('a join leaves a string column of an unmatched row empty, not null', () => {
    expect(run('datatable(K:string)["x"] | join kind=leftouter (datatable(K:string, S:string)["y", "s"]) on K | project S')).toEqual([{ S: '' }]);
  });
  it('materialize, serialize and project-reorder', () => {
    expect(run('let t = materialize(datatable(A:int)[1, 2]); t | summarize sum(A)')).toEqual([{ sum_A: 3 }]);
    expect(run('datatable(A:int, B:string)[1, "x"] | serialize C = A + 1 | project-reorder B')).toEqual([{ B: 'x', A: 1, C: 2 }]);
  });
  it('mv-expand limit stops after that many elements per row', () => {
    expect(run('print A = dynamic([1, 2, 3]) | mv-expand A limit 2')).toEqual([{ A: 1 }, { A: 2 }]);
    expect(run('print A = dynamic([1, 2, 3]) | mv-apply A to typeof(long) limit 1 on (project A)')).toEqual([{ A: 1 }]);
  });
});

describe('parse and parse-where', () => {
  const EVENT = '"Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)"';
  it('reads the documented example: strings up to the next delimiter, typed longs and dates, * skipping', () => {
    const rows = run(
      `datatable(EventText:string)[${EVENT}] | parse EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices:long * "sliceNumber=" sliceNumber:long * "lockTime=" lockTime ", releaseTime=" releaseTime:date "," * "previousLockTime=" previousLockTime:date ")" * | project-away EventText`,
    );
    expect(rows).toEqual([
      { resourceName: 'PipelineScheduler', totalSlices: 27, sliceNumber: 23, lockTime: '02/17/2016 08:40:01', releaseTime: '2016-02-17T08:40:01.0000000Z', previousLockTime: '2016-02-17T08:39:01.0000000Z' },
    ]);
  });
  it('the last column takes the rest of the text; a user agent splits at its delimiters', () => {
    expect(run('print UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" | parse UA with * "(" Os "; " Rest | project Os, Rest')).toEqual([{ Os: 'Windows NT 10.0', Rest: 'Win64; x64)' }]);
  });
  it('a text that does not match keeps its row with empty columns; parse-where drops it', () => {
    const T = 'datatable(S:string)["n=5", "none"]';
    expect(run(`${T} | parse S with "n=" N:long | project S, N`)).toEqual([
      { S: 'n=5', N: 5 },
      { S: 'none', N: null },
    ]);
    expect(run(`${T} | parse-where S with "n=" N:long | project S, N`)).toEqual([{ S: 'n=5', N: 5 }]);
  });
  it('a value not of its type fails the whole match, except with kind=relaxed', () => {
    const T = 'datatable(S:string)["a=x;b=ok"]';
    expect(run(`${T} | parse S with "a=" A:datetime ";b=" B | project A, B`)).toEqual([{ A: null, B: '' }]);
    expect(run(`${T} | parse kind=relaxed S with "a=" A:datetime ";b=" B | project A, B`)).toEqual([{ A: null, B: 'ok' }]);
  });
  it('kind=regex reads the delimiters as regular expressions, with flags', () => {
    expect(run('print S = "User=ADMIN id=42" | parse kind=regex flags=i S with "user=" Who " +ID=" Id:long | project Who, Id')).toEqual([{ Who: 'ADMIN', Id: 42 }]);
  });
  it('a plain-text delimiter is never a regular expression', () => {
    expect(run('print S = "a.b" | parse S with "a" "." Rest | project Rest')).toEqual([{ Rest: 'b' }]);
    expect(run('print S = "axb" | parse S with "a" "." Rest | project Rest')).toEqual([{ Rest: '' }]);
  });
});

describe('datetimes in text', () => {
  it('reads ISO 8601 and the US form, and refuses impossible dates', () => {
    expect(value('todatetime("2016-02-17T08:40:01+02:00")')).toBe('2016-02-17T06:40:01.0000000Z');
    expect(value('todatetime("02/17/2016 08:40:01")')).toBe('2016-02-17T08:40:01.0000000Z');
    expect(value('todatetime("2/7/2016 8:40 PM")')).toBe('2016-02-07T20:40:00.0000000Z');
    expect(value('todatetime("2016-13-01")')).toBeNull();
    expect(value('todatetime("2015-02-29")')).toBeNull();
  });
});

describe('what the Entra ID solution rules use', () => {
  it('table(name) inside a function takes the name its call gives (the aadFunc("SigninLogs") pattern)', () => {
    const query = `let f = (tableName:string) { table(tableName) | where ResultType == "0" | project UserPrincipalName, Type = tableName };
      union f("SigninLogs"), f("AADNonInteractiveUserSignInLogs") | order by Type asc`;
    expect(run(query, { SigninLogs: [{ UserPrincipalName: 'a@x', ResultType: '0' }], AADNonInteractiveUserSignInLogs: [{ UserPrincipalName: 'b@x', ResultType: '0' }] })).toEqual([
      { UserPrincipalName: 'b@x', Type: 'AADNonInteractiveUserSignInLogs' },
      { UserPrincipalName: 'a@x', Type: 'SigninLogs' },
    ]);
  });
  it('extract_json() (extractjson) reads a JSONPath, an object or array as its JSON text (extract-json-function.md)', () => {
    const json = `'{"state":"enabled","conditions":{"users":{"excludeUsers":["a","b"]}},"n":5}'`;
    expect(value(`extractjson("$.state", ${json})`)).toBe('enabled');
    expect(value(`extract_json("$.conditions.users['excludeUsers']", ${json})`)).toBe('["a","b"]');
    expect(value(`extract_json("$.n", ${json}, typeof(long))`)).toBe(5);
    expect(value(`extract_json("$.missing", ${json})`)).toBe('');
    expect(() => value(`extract_json("$..state", ${json})`)).toThrow(/JSONPath/);
  });
  it('an aggregate takes an argument by name: make_set(x, MaxSize=8)', () => {
    expect(run('datatable(a:long)[1, 2, 3] | summarize s = make_set(a, MaxSize=2)')).toEqual([{ s: [1, 2] }]);
  });
  it('series_decompose_anomalies() and series_outliers() are refused: their scores are not documented precisely enough', () => {
    expect(() => run('print a = series_decompose_anomalies(dynamic([1, 2, 3]), 1.5, -1, "linefit")')).toThrow(/series_decompose_anomalies\(\) .* is not supported/);
    expect(() => run('datatable(s:dynamic)[] | extend o = series_outliers(s)')).toThrow(/series_outliers\(\) .* is not supported/);
  });
});

describe('a query shape the evaluator does not know fails that query only, with a clear message', () => {
  it('fork, which gives several tables, is named', () => {
    expect(() => run('datatable(A:int)[1] | fork (count) (take 1)')).toThrow(/'fork' \(it returns several tables\) is not supported/);
  });
  it('an internal failure becomes an EvaluationError that says the evaluator is at fault', () => {
    // A table whose rows are not the objects the evaluator expects stands for any defect of ours.
    const query = compileQuery('SigninLogs | where UserPrincipalName == "x"', sharedGlobals());
    const broken = { columns: ['UserPrincipalName'], rows: [null as unknown as Record<string, never>] };
    const attempt = () => query.run({ tables: new Map([['SigninLogs', broken]]), now: 0 });
    expect(attempt).toThrow(EvaluationError);
    expect(attempt).toThrow(/the offline evaluator failed running this query \(TypeError: .*\); the query may be fine/);
  });
});

describe('ingestion_time()', () => {
  it("reads the record's hidden $IngestionTime, which no result shows; null where a row has none", async () => {
    const { tableFromRecords } = await import('../../generator/evaluate/input-rows.js');
    const { INGESTION_TIME } = await import('../../generator/evaluate/table.js');
    const { KDateTime } = await import('../../generator/evaluate/values.js');
    const { LOG_ANALYTICS_TABLES } = await import('../../generator/validate/kusto-schema.js');
    const signins = tableFromRecords(
      [
        { TimeGenerated: '2026-11-20T09:00:00Z', UserPrincipalName: 'late' },
        { TimeGenerated: '2026-11-20T09:58:00Z', UserPrincipalName: 'on time' },
        { TimeGenerated: '2026-11-20T09:59:00Z', UserPrincipalName: 'unknown' },
      ],
      LOG_ANALYTICS_TABLES['SigninLogs']!,
      'SigninLogs',
    );
    signins.rows[0]![INGESTION_TIME] = new KDateTime(Date.parse('2026-11-20T09:57:00Z'));
    signins.rows[1]![INGESTION_TIME] = new KDateTime(Date.parse('2026-11-20T09:59:00Z'));
    const query = compileQuery('SigninLogs | where ingestion_time() > ago(5m) | project UserPrincipalName, Ingested = ingestion_time()', sharedGlobals());
    const result = query.run({ tables: new Map([['SigninLogs', signins]]), now: Date.parse('2026-11-20T10:00:00Z') });
    expect(result.columns).toEqual(['UserPrincipalName', 'Ingested']);
    expect(result.rows.map((r) => [r['UserPrincipalName'], (r['Ingested'] as { toJSON(): string }).toJSON()])).toEqual([
      ['late', '2026-11-20T09:57:00.0000000Z'],
      ['on time', '2026-11-20T09:59:00.0000000Z'],
    ]);
  });
});
