import type { ExpectedOutput } from './compare.js';

/**
 * Where a page's printed output cannot be what Kusto returns for the query it shows, by the page's
 * own words or by another Kusto reference page. Each entry names the case and says why; the
 * comparison then uses the corrected output (only the part given; the rest stays the page's). A
 * case matched against a correction is counted as a match and listed as such in the test output.
 */
export interface Erratum {
  reason: string;
  expected?: Partial<ExpectedOutput>;
  /** The page shows only some of the query's columns: those are compared. */
  shownColumnsOnly?: boolean;
}

/** A bare scalar query runs as `print`, whose unnamed column is print_0 (Kusto.Language names it so); these pages label it themselves. */
const BARE_EXPRESSION: Erratum = {
  reason: "the query is a bare expression, which Kusto runs as `print`: its unnamed column is print_0; the page's header is a label of its own",
  expected: { header: ['print_0'] },
};

/** The series_* pages print an input column of another example: the query's array is [-1, 0, 1]. */
const SERIES_INPUT = (result: string): Erratum => ({
  reason: "the query's arr is dynamic([-1, 0, 1]); the page prints [-6.5, 0, 8.2], the input of another example",
  expected: { rows: [['[-1,0,1]', result]] },
});

export const ERRATA: Record<string, Erratum> = {
  'series-acos-function#37': SERIES_INPUT('[3.1415926535897931,1.5707963267948966,0.0]'),
  'series-atan-function#37': SERIES_INPUT('[-0.78539816339744828,0.0,0.78539816339744828]'),
  'series-sin-function#37': SERIES_INPUT('[-0.8414709848078965,0.0,0.8414709848078965]'),
  'series-tan-function#37': SERIES_INPUT('[-1.5574077246549023,0.0,1.5574077246549023]'),
  'series-sum-function#37': {
    reason: 'the query names its input column `arr`; the page prints `s1`',
    expected: { header: ['arr', 'series_sum'] },
  },
  'array-iff-function#86': {
    reason:
      'the condition column holds what the query gives it, ["some string value", datetime("01-01-2022"), null]; the page prints [true, false, true], which would not give its own res of nulls ("non-boolean condition values give null")',
    expected: { rows: [['["some string value","2022-01-01T00:00:00.0000000Z",null]', '1', '0', '[null, null, null]']] },
  },
  'series-fit-line-dynamic-function#48': {
    reason:
      "the page shows the six columns the example is about (its query also keeps id, x, y and fit) and prints LineFit without brackets; its digits are cut or rounded apparently at random (slope 2.7308 shows as 2.730, LineFit 6.5256 as 6.526 but 28.3718 as 28.371), and its second LineFit value 3.7945 contradicts its own slope and interception (-1.6667 + 2 × 2.7308 = 3.795); here every value is the page's, rounded once to the three decimals shown",
    shownColumnsOnly: true,
    expected: { rows: [['0.983', '2.731', '98.629', '1.686', '-1.667', '[1.064, 3.795, 6.526, 9.256, 11.987, 14.718, 17.449, 20.179, 22.910, 25.641, 28.372, 31.103]']] },
  },
  'series-fill-linear-function#50': {
    reason:
      "in the integer row, with_const is the same call as with_edges on a series that holds values (the constant only fills a series of nothing but nulls), so it equals with_edges; the page prints 74 and 38 for the third and fourth elements",
    expected: {
      rows: [
        ['[null,111.0,null,36.0,41.0,null,null,16.0,61.0,33.0,null,null]', '[111.0,111.0,73.5,36.0,41.0,32.667,24.333,16.0,61.0,33.0,33.0,33.0]', '[111.0,111.0,73.5,36.0,41.0,32.667,24.333,16.0,61.0,33.0,33.0,33.0]', '[null,111.0,73.5,36.0,41.0,32.667,24.333,16.0,61.0,33.0,null,null]', '[111.0,111.0,73.5,36.0,41.0,32.667,24.333,16.0,61.0,33.0,33.0,33.0]'],
        ['[null,111,null,36,41,null,null,16,61,33,null,null]', '[111,111,73,36,41,32,24,16,61,33,33,33]', '[111,111,73,36,41,32,24,16,61,33,33,33]', '[null,111,73,36,41,32,24,16,61,33,null,null]', '[111,111,73,36,41,32,24,16,61,33,33,33]'],
        ['[null,null,null,null]', '[0.0,0.0,0.0,0.0]', '[0.0,0.0,0.0,0.0]', '[0.0,0.0,0.0,0.0]', '[3.14159,3.14159,3.14159,3.14159]'],
      ],
    },
  },
  'geo-line-interpolate-point-function#74': {
    reason: 'the query projects `lng`; the page labels the column `result`',
    expected: { header: ['lng'] },
  },
  'geo-line-length-function#56': {
    reason:
      "the page's last digits are Kusto's floating-point rounding, not the length: over the query's coordinates (as doubles, on the 6,371,010 m sphere) the length is 4922.4801699214 m (computed to 50 digits), and the page's 4922.48016992081 is off from the 13th digit on; the case is compared to the 12 digits the computation determines",
    expected: { rows: [['4922.48016992']] },
  },
  'geo-polygon-perimeter-function#78': {
    reason:
      "the page's last digits are Kusto's floating-point rounding: the perimeter of the two polygons' union over the query's coordinates is 15943.5384578762 m (computed to 50 digits), and the page's 15943.5384578745 is off from the 13th digit on; the case is compared to the 12 digits the computation determines",
    expected: { rows: [['15943.5384579']] },
  },
  'node-degree-in#46': {
    reason:
      "the page's third row is a walk to Ellen, who is not in the query's employees or reports (a row of another version of the example); the query's data gives the first two rows only",
    expected: { rows: [['Alice', 'Richard', '["Bob has 2 reports"]', '3', '1'], ['Alice', 'Eve', '["Bob has 2 reports"]', '3', '1']] },
  },
  'node-degree-out#101': {
    reason:
      "the page prints the output of an earlier version of the query: columns degree_in_m and degree_out_m where the query names them di_m and do_m (and adds the employee's di_e and do_e); its values are di_m's and do_m's",
    expected: { header: ['manager_name', 'employee_name', 'di_m', 'do_m'] },
    shownColumnsOnly: true,
  },
  'node-id#45': {
    reason: 'the query names its columns manager1 and manager2; the page prints manager_1 and manager_2',
    expected: { header: ['manager1', 'manager2'] },
  },
  'atan-function#37': BARE_EXPRESSION,
  'binary-not-function#37': BARE_EXPRESSION,
  'binary-shift-left-function#39': BARE_EXPRESSION,
  'binary-shift-right-function#39': BARE_EXPRESSION,
  'cos-function#40': BARE_EXPRESSION,
  'day-of-month-function#39': BARE_EXPRESSION,
  'sin-function#32': BARE_EXPRESSION,
  'binary-all-xor-aggregation-function#41': {
    reason: 'the query names its column `result`; the page prints `results`',
    expected: { header: ['result'] },
  },
  'extract-all-function#51': { reason: 'the query declares the column `Id`; the page prints `ID`', expected: { header: ['Id', 'guid_bytes'] } },
  'extract-all-function#69': { reason: 'the query declares the column `Id`; the page prints `ID`', expected: { header: ['Id', 'guid_bytes'] } },
  'extract-all-function#91': { reason: 'the query declares the column `Id`; the page prints `ID`', expected: { header: ['Id', 'guid_bytes'] } },
  'let-statement#184': {
    reason: 'the query ends in `count`, whose column is Count (count-operator.md); the page prints `result`',
    expected: { header: ['Count'] },
  },
  'min-of-function#60': {
    reason: '`project min_of(A, B)` gives its unnamed column the name Column1 (as any computed, unnamed project column); the page prints `result`',
    expected: { header: ['Column1'] },
  },
  'zip-function#65': {
    reason: '`project zip(a, b)` gives its unnamed column the name Column1; the page prints `print_0`, the name `print` would give',
    expected: { header: ['Column1'] },
  },
  'split-function#42': {
    reason: "the fifth unnamed column of `print` is print_4 (the page's own first four are print_0..print_3); the page prints `print4`",
    expected: { header: ['print_0', 'print_1', 'print_2', 'print_3', 'print_4'] },
  },
  'mv-expand-operator#212': {
    reason: "getschema's columns are ColumnName, ColumnOrdinal, DataType and ColumnType (getschema-operator.md); the page prints `DateType`",
    expected: { header: ['ColumnName', 'ColumnOrdinal', 'DataType', 'ColumnType'] },
  },
  'parse-url-query-function#39': {
    reason: 'the page prints the nested property bag inside quotes, which is not JSON; its second example reads params["Query Parameters"].[param], a bag',
    expected: { rows: [['{"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}']] },
  },
  'range-operator#106': {
    reason:
      "the page's table is shifted: each MyMonthHour datetime is split into two cells (date | time) and TimeOnly is lost; the rows are the page's values put back in their columns, TimeOnly being the shown time of day (MyMonthHour - bin(MyMonthHour, 1d))",
    expected: {
      rows: [
        ['2023-02-01 00:00:00.0000000', '1675209600', '2023-02-01 00:00:00.0000000', '00:00:00'],
        ['2023-02-01 04:32:02.4000000', '1675225922.4', '2023-02-01 00:00:00.0000000', '04:32:02.4000000'],
        ['2023-02-01 09:04:04.8000000', '1675242244.8', '2023-02-01 00:00:00.0000000', '09:04:04.8000000'],
        ['2023-02-01 13:36:07.2000000', '1675258567.2', '2023-02-01 00:00:00.0000000', '13:36:07.2000000'],
        ['...', '...', '...', '...'],
      ],
    },
  },
  'replace-regex-function#41': {
    reason: 'x is a long (range of longs), and tostring() of the long 1 is "1" (tostring-function.md); the page\'s "1.000000" comes from an engine whose range gave reals',
    expected: {
      rows: [1, 2, 3, 4, 5].map((n) => [String(n), `Number is ${n}`, `Number was: ${n}`]),
    },
  },
  'string#125': {
    reason: 'the value holds U+00A0 (the query writes \\u00A0, the page\'s point); the page renders it as a plain space',
    expected: { rows: [['Hello\u00a0World']] },
  },
  'string#163': {
    reason: 'a ``` string keeps its line breaks and indentation (string.md: multi-line strings); the page collapses it onto one line',
    expected: { rows: [['public class Program {\n    public static void Main() {\n      System.Console.WriteLine("Hello!");\n    }\n  }']] },
  },
  'url-encode-function#40': {
    reason: "the query's url ends in `hello world`; the page prints its `original` column with a trailing slash",
    expected: { rows: [['https://www.bing.com/hello world', 'https%3a%2f%2fwww.bing.com%2fhello+world']] },
  },
  'variancepif-aggregation-function#44': {
    reason:
      'the page defines variancepif() as the variance of its link, variancep(), the population variance; for the even numbers 2..100 that is 833 (850 is the sample variance, variance())',
    expected: { rows: [['833']] },
  },
  'zlib-base64-compress-function#44': {
    reason: 'the function returns a string; the page prints it inside quotes, which are not part of the value',
    expected: { rows: [['eAEBFADr/zEyMzQ1Njc4OTBxd2VydHl1aW9wOAkGdw==']] },
  },
};

/** Cases whose query reads the clock (now()): the time the page's run shows. */
export const CLOCKS: Record<string, { now: string; reason: string }> = {
  'datetime-utc-to-local-function#43': { now: '2022-07-11T22:18:48.4678620Z', reason: 'the dt column is now(): the page ran the query at this time' },
  'range-operator#106': { now: '2023-02-01T18:00:00Z', reason: 'the rows start at startofmonth(now()) = 2023-02-01 and the page shows four of them' },
};
