import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { EvaluationError } from '../../generator/evaluate/evaluation-error.js';
import { evaluateQuery } from '../../generator/index.js';
import { sharedGlobals } from '../helpers/harness.js';
import { run, value } from '../helpers/evaluate.js';

// Each of these was a silent wrong answer of the evaluator (issue 15): a rule could pass its
// offline cases and never fire in Sentinel. The rule each test holds to is Microsoft's Kusto reference.

describe('dynamic values', () => {
  it('parse_json() of a value that is already dynamic passes it through (parse-json-function.md): the AuditLogs newValue trap', async () => {
    const rows = [{ TargetResources: [{ modifiedProperties: [{ displayName: 'Role.DisplayName', newValue: '"Global Administrator"' }] }] }];
    const query = `AuditLogs | mv-expand p = TargetResources[0].modifiedProperties
      | extend unwrapped = parse_json(p.newValue), parsed = parse_json(tostring(p.newValue))
      | project unwrapped, parsed, same = tostring(unwrapped) == "Global Administrator", right = tostring(parsed) == "Global Administrator"`;
    const result = await evaluateQuery(query, { tables: { AuditLogs: rows }, now: '2026-11-20T10:00:00Z' });
    expect(result.rows).toEqual([['"Global Administrator"', 'Global Administrator', false, true]]);
  });
  it('make_set() of array values is the set of their elements (make-set-aggregation-function.md)', () => {
    expect(run('datatable(a:dynamic)[dynamic(["x","y"]), dynamic(["y","z"])] | summarize s = make_set(a)')).toEqual([{ s: ['x', 'y', 'z'] }]);
  });
  it("dynamic(['single', 'quoted']) and datetime() inside dynamic() are read, not refused", () => {
    expect(value("dynamic(['a', 'b'])")).toEqual(['a', 'b']);
    expect(value("dynamic({'when': datetime(2020-01-01)}).when")).toBe('2020-01-01T00:00:00.0000000Z');
  });
});

describe('union of columns whose types differ (union-operator.md)', () => {
  it('keeps both as Column_type: SigninLogs (dynamic) and AADNonInteractiveUserSignInLogs (string) LocationDetails', async () => {
    const result = await evaluateQuery('union SigninLogs, AADNonInteractiveUserSignInLogs | project-keep LocationDetails*', {
      tables: {
        SigninLogs: [{ TimeGenerated: '2026-11-20T09:00:00Z', LocationDetails: { city: 'Amsterdam' } }],
        AADNonInteractiveUserSignInLogs: [{ TimeGenerated: '2026-11-20T09:00:00Z', LocationDetails: '{"city":"Oslo"}' }],
      },
      now: '2026-11-20T10:00:00Z',
    });
    expect(result.columns).toEqual([
      { name: 'LocationDetails_dynamic', type: 'dynamic' },
      { name: 'LocationDetails_string', type: 'string' },
    ]);
    expect(result.rows).toEqual([
      [{ city: 'Amsterdam' }, ''],
      [null, '{"city":"Oslo"}'],
    ]);
  });
});

describe('join (join-innerunique.md)', () => {
  const tables = 'let t1 = datatable(key: long, value: string)[1, "val1.1", 1, "val1.2"]; let t2 = datatable(key: long, value: string)[1, "val1.3", 1, "val1.4"];';
  it('the default join keeps the first left row per key', () => {
    expect(run(`${tables} t1 | join t2 on key | project value, value1`)).toEqual([
      { value: 'val1.1', value1: 'val1.3' },
      { value: 'val1.1', value1: 'val1.4' },
    ]);
  });
  it('a later filter on a left column is applied before the deduplication, as Kusto pushes it down', () => {
    expect(run(`${tables} t1 | join kind=innerunique t2 on key | where value == "val1.2" | project value, value1`)).toEqual([
      { value: 'val1.2', value1: 'val1.3' },
      { value: 'val1.2', value1: 'val1.4' },
    ]);
  });
});

describe('regular expressions are Kusto\'s (regex.md), not JavaScript\'s', () => {
  it.each([
    ['"abc" matches regex @"\\Aabc\\z"', true],
    ['"abc\\n" matches regex @"abc\\z"', false],
    ['"Ab1" matches regex @"^[[:alpha:]]+[[:digit:]]$"', true],
    ['"é" matches regex @"^\\w$"', true],
    ['"٣" matches regex @"^\\d$"', true],
    ['"αβ" matches regex @"^\\p{Greek}+$"', true],
    ['"a\\rb" matches regex "a.b"', true],
    ['"a\\nb" matches regex "a.b"', false],
    ['"HA" matches regex @"^\\x{48}\\x41$"', true],
    ['"ABC" matches regex "(?i)abc"', true],
    ['"AAb" matches regex "^(?i)a+(?-i)b+$"', true],
    ['"AAB" matches regex "^(?i)a+(?-i)b+$"', false],
    ['"4" matches regex "^[0-9--4]$"', false],
  ])('%s is %s', (expression, expected) => {
    expect(value(expression)).toBe(expected);
  });
  it('refuses what Kusto refuses: lookaround is an invalid pattern', () => {
    expect(() => value('"ab" matches regex "a(?=b)"')).toThrow(/not valid/);
  });
});

describe('parse (parse-operator.md)', () => {
  it('kind=regex: the pattern\'s own groups do not shift the columns, and a string column is greedy', () => {
    expect(run('print s = "k=v;x=5" | parse kind=regex s with "(k)=" v:string ";x=" n:long | project v, n')).toEqual([{ v: 'v', n: 5 }]);
    expect(run('print s = "a=1, b=2, c" | parse kind=regex s with "a=" rest:string "," * | project rest')).toEqual([{ rest: '1, b=2' }]);
  });
  it('kind=relaxed: a typed column before * still takes its value; only a value of the wrong type is null', () => {
    expect(run('print s = "x=nope, y=20, z" | parse kind=relaxed s with "x=" x:long ", y=" y:long * | project x, y')).toEqual([{ x: null, y: 20 }]);
  });
});

describe('string functions', () => {
  it('substring() with a negative start counts from the end (substring-function.md)', () => {
    expect(value('substring("123456", -2, 2)')).toBe('56');
  });
  it('strlen() counts Unicode code points (strlen-function.md)', () => {
    expect(value('strlen("😀a")')).toBe(2);
  });
  it('toguid() reads 32 hex digits without dashes', () => {
    expect(value('toguid("26C27A5BA07E43B1BA0C59A3EA6F5C65")')).toBe('26c27a5b-a07e-43b1-ba0c-59a3ea6f5c65');
  });
});

describe('numbers (numerical-operators.md, long.md)', () => {
  it('modulo is never negative', () => {
    expect(run('print a = -14 % 12, b = 14 % -12, c = -14 % -12')).toEqual([{ a: 10, b: 2, c: 10 }]);
  });
  it('a long is a 64-bit integer, exact beyond 2^53', async () => {
    const result = await evaluateQuery('print a = 9007199254740993, b = tolong("9223372036854775807"), c = 9007199254740993 + 2');
    expect(result.rows).toEqual([['9007199254740993', '9223372036854775807', '9007199254740995']]);
  });
});

describe('datetimes (datetime.md)', () => {
  it('count 100-ns ticks', () => {
    expect(run('print a = datetime(2021-01-01 00:00:00.0000001) > datetime(2021-01-01), b = datetime(2021-01-01 00:00:00.0001) - datetime(2021-01-01)')).toEqual([
      { a: true, b: '00:00:00.0001000' },
    ]);
    expect(value('todatetime("2014-05-25T08:20:03.1234567Z")')).toBe('2014-05-25T08:20:03.1234567Z');
  });
  it('todatetime() reads the RFC 822, RFC 850 and sortable forms', () => {
    expect(value('todatetime("Sat, 8 Nov 14 15:05")')).toBe('2014-11-08T15:05:00.0000000Z');
    expect(value('todatetime("Saturday, 08-Nov-14 15:05:02 GMT")')).toBe('2014-11-08T15:05:02.0000000Z');
    expect(value('todatetime("2014-11-08T15:05:25 GMT")')).toBe('2014-11-08T15:05:25.0000000Z');
  });
  it('datetime_add() adds months, quarters and years on the calendar', () => {
    expect(run('print m = datetime_add("month", 1, datetime(2024-01-31)), q = datetime_add("quarter", -1, datetime(2024-05-15)), y = datetime_add("year", 1, datetime(2024-02-29))')).toEqual([
      { m: '2024-02-29T00:00:00.0000000Z', q: '2024-02-15T00:00:00.0000000Z', y: '2025-02-28T00:00:00.0000000Z' },
    ]);
  });
  it('datetime_diff() counts microseconds and nanoseconds', () => {
    expect(run("print u = datetime_diff('microsecond', datetime(2017-10-30 23:00:00.1009001), datetime(2017-10-30 23:00:00.1008009)), n = datetime_diff('nanosecond', datetime(2017-10-30 23:00:00.0000000), datetime(2017-10-30 23:00:00.0000007))")).toEqual([
      { u: 100, n: -700 },
    ]);
  });
  it('format_datetime() knows the fractions and the 12-hour clock', () => {
    expect(value("format_datetime(datetime(2009-06-15T13:45:30.6175425), 'yy-MM-dd hh:mm:ss.fffffff tt')")).toBe('09-06-15 01:45:30.6175425 PM');
    expect(value("format_datetime(datetime(2009-06-15T13:45:30.0001150), 'FFFFFFF')")).toBe('000115');
  });
});

describe('failures stay inside one query', () => {
  it("an exception thrown inside Microsoft's Kusto.Language becomes an EvaluationError of that query", () => {
    const query = 'graph_time_travel(datetime(2022-06-01))\n| graph-match (e)-[r*2..5]-(m)\n  where e.name == "Bob"\n  project e = e.name';
    let error: unknown;
    try {
      compileQuery(query, sharedGlobals());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as EvaluationError).message).toMatch(/Kusto.Language failed analysing this query/);
  });
});
