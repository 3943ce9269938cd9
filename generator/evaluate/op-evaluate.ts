import type { Compiler, OperatorFn, ScalarFn, TableFn } from './compiler.js';
import { argumentNodes, functionName } from './compile-scalar.js';
import { lookupMatcher } from './geo-functions.js';
import { parseIpv4 } from './ip-functions.js';
import { emptyValue, inferType } from './operator-helpers.js';
import { child, declaredName, kindName, listChild, normalType, resultColumns, textOf, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import { isBag, toKustoString, type KValue } from './values.js';

/** `evaluate` plugins the engine implements (others are refused by name). */
export function evaluateOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const call = child(node, 'FunctionCall')!;
  const name = functionName(call);
  const args = argumentNodes(call);
  const schema = child(node, 'Schema');
  switch (name) {
    case 'bag_unpack':
      return bagUnpack(call, args, schema, compiler);
    case 'narrow':
      return narrow();
    case 'ipv4_lookup':
      return ipv4Lookup(call, args, compiler);
    case 'geo_polygon_lookup':
      return geoLookup(call, args, compiler, 'polygon');
    case 'geo_line_lookup':
      return geoLookup(call, args, compiler, 'line');
    default:
      return compiler.unsupported(call, `the plugin ${name}()`);
  }
}

/**
 * bag_unpack(Column [, Prefix [, columnsConflict [, ignoredProperties]]]) [: (schema)]: one column
 * per top-level key of the bags (bag-unpack-plugin.md), typed by its values (dynamic when they
 * differ), the bag column removed.
 */
function bagUnpack(call: SyntaxNode, args: readonly SyntaxNode[], schemaClause: SyntaxNode | undefined, compiler: Compiler): OperatorFn {
  const [columnNode, prefixNode, conflictNode, ignoredNode] = args;
  if (!columnNode) return compiler.invalid(call, 'bag_unpack() needs a column');
  const column = compiler.scalar(columnNode);
  const columnName = kindName(columnNode) === 'NameReference' ? ((columnNode as Kusto.Language.Syntax.NameReference).SimpleName ?? '') : undefined;
  const constant = (node: SyntaxNode | undefined): ScalarFn | undefined => (node ? compiler.scalar(node) : undefined);
  const prefixFn = constant(prefixNode);
  const conflictFn = constant(conflictNode);
  const ignoredFn = constant(ignoredNode);
  const declared = schemaClause ? listChild(child(schemaClause, 'Schema') ?? schemaClause, 'Columns') : [];
  const declaredColumns = declared
    .filter((c) => kindName(c) !== 'StarExpression')
    .map((c) => ({ name: declaredName(child(c, 'Name')) ?? '', type: normalType(textOf(child(c, 'Type')!).toLowerCase()) }));
  const keepAll = declared.length === 0 || declared.some((c) => kindName(c) === 'StarExpression');
  return (x, input) => {
    const prefix = prefixFn ? toKustoString(prefixFn({}, x)) : '';
    const conflict = conflictFn ? toKustoString(conflictFn({}, x)).toLowerCase() : 'error';
    const ignoredValue = ignoredFn ? ignoredFn({}, x) : null;
    const ignored = new Set(Array.isArray(ignoredValue) ? ignoredValue.map(toKustoString) : []);
    const bags = input.rows.map((row) => column(row, x));
    const keys: string[] = [];
    for (const bag of bags) if (isBag(bag)) for (const key of Object.keys(bag)) if (!ignored.has(key) && !keys.includes(key)) keys.push(key);
    const kept = input.columns.filter((c) => c !== columnName);
    const keptTypes = kept.map((c) => typesOf(input)[input.columns.indexOf(c)] ?? 'dynamic');
    let newColumns = (declaredColumns.length > 0 ? declaredColumns.map((c) => c.name) : keys.map((k) => `${prefix}${k}`)).filter((c) => !(keepAll && kept.includes(c) && conflict === 'keep_source'));
    const clash = newColumns.find((c) => kept.includes(c));
    if (clash && conflict === 'error') return compiler.invalid(call, `bag_unpack: the column '${clash}' exists already (columnsConflict: replace_source or keep_source)`);
    const base = keepAll ? kept.filter((c) => !(conflict === 'replace_source' && newColumns.includes(c))) : [];
    newColumns = newColumns.filter((c) => !base.includes(c));
    const rows: Row[] = input.rows.map((row, i) => {
      const out: Row = {};
      for (const c of base) out[c] = row[c] ?? null;
      const bag = bags[i];
      for (const c of newColumns) {
        const key = c.startsWith(prefix) ? c.slice(prefix.length) : c;
        out[c] = isBag(bag) && Object.hasOwn(bag, key) ? (bag[key] ?? null) : null;
      }
      return out;
    });
    const columns = [...base, ...newColumns];
    const types = columns.map((c) => {
      const declaredType = declaredColumns.find((d) => d.name === c)?.type;
      if (declaredType) return declaredType;
      const at = kept.indexOf(c);
      return base.includes(c) && at !== -1 ? keptTypes[at]! : inferType(rows.map((r) => r[c] ?? null));
    });
    return { columns, types, rows: rows.map((r) => fillStrings(r, columns, types)) };
  };
}

function fillStrings(row: Row, columns: readonly string[], types: readonly string[]): Row {
  columns.forEach((c, i) => {
    if (row[c] === null && types[i] === 'string') row[c] = emptyValue('string');
  });
  return row;
}

/** narrow(): every cell as a row (Row, Column, Value as text). */
function narrow(): OperatorFn {
  return (_x, input) => {
    const rows: Row[] = [];
    input.rows.forEach((row, index) => {
      for (const column of input.columns) rows.push({ Row: index, Column: column, Value: toKustoString(row[column] ?? null) });
    });
    return { columns: ['Row', 'Column', 'Value'], types: ['long', 'string', 'string'], rows };
  };
}

/**
 * ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, extra keys...] [, return_unmatched]):
 * each row extended with the lookup row whose IPv4 range holds its address (the longest prefix).
 */
function ipv4Lookup(call: SyntaxNode, args: readonly SyntaxNode[], compiler: Compiler): OperatorFn {
  const positional = args.filter((a) => kindName(a) !== 'SimpleNamedExpression');
  const named = new Map(args.filter((a) => kindName(a) === 'SimpleNamedExpression').map((a) => [declaredName(child(a, 'Name'))?.toLowerCase() ?? '', child(a, 'Expression')!]));
  const [tableNode, sourceKeyNode, lookupKeyNode, ...extraNodes] = positional;
  if (!tableNode || !sourceKeyNode || !lookupKeyNode) return compiler.invalid(call, 'ipv4_lookup() needs a lookup table, a source column and a lookup column');
  const lookupTable: TableFn = compiler.tabular(tableNode);
  const lookupColumns = resultColumns(tableNode) ?? [];
  const nameOf = (n: SyntaxNode) => declaredName(n) ?? textOf(n);
  const sourceKey = compiler.scalar(sourceKeyNode);
  const lookupKey = nameOf(lookupKeyNode);
  let unmatchedNode = named.get('return_unmatched');
  const extras = extraNodes.filter((n) => {
    if (kindName(n) !== 'BooleanLiteralExpression' && kindName(n) !== 'NameReference') return true;
    if (kindName(n) === 'BooleanLiteralExpression') {
      unmatchedNode = n;
      return false;
    }
    return true;
  });
  const extraNames = extras.map(nameOf);
  const extraFns = extras.map((n) => compiler.scalar(n));
  const unmatched = unmatchedNode ? compiler.scalar(unmatchedNode) : () => false;
  return (x, input) => {
    const lookup = lookupTable(x, undefined);
    const ranges = lookup.rows.map((row) => ({ row, range: parseIpv4(row[lookupKey] ?? null) })).filter((r) => r.range !== undefined);
    const added = lookup.columns.filter((c) => !input.columns.includes(c));
    const addedTypes = added.map((c) => typesOf(lookup)[lookup.columns.indexOf(c)] ?? lookupColumns.find((l) => l.name === c)?.type ?? 'dynamic');
    const keepUnmatched = unmatched({}, x) === true;
    const rows: Row[] = [];
    for (const row of input.rows) {
      const address = parseIpv4(sourceKey(row, x));
      const extra = extraFns.map((fn) => fn(row, x));
      let best: { row: Row; prefix: number } | undefined;
      if (address) {
        for (const { row: candidate, range } of ranges) {
          if (!range || (address.value & maskOf(range.prefix)) >>> 0 !== range.value) continue;
          if (!extraNames.every((n, i) => valueEquals(candidate[n] ?? null, extra[i] ?? null))) continue;
          if (!best || range.prefix > best.prefix) best = { row: candidate, prefix: range.prefix };
        }
      }
      if (!best && !keepUnmatched) continue;
      const out: Row = { ...row };
      added.forEach((c, i) => (out[c] = best ? (best.row[c] ?? null) : emptyValue(addedTypes[i]!)));
      rows.push(out);
    }
    return { columns: [...input.columns, ...added], types: [...typesOf(input), ...addedTypes], rows };
  };
}

/**
 * geo_polygon_lookup(LookupTable, PolygonKey, Longitude, Latitude [, radius] [, return_unmatched]
 * [, lookup_area_radius] [, return_lookup_key]) and geo_line_lookup(LookupTable, LineKey,
 * Longitude, Latitude, radius, ...): each row joined with every lookup row whose polygon holds
 * its point (or lies within the radius of it; of the line, within the radius), as the lookup
 * operator joins (geo-polygon-lookup-plugin.md, geo-line-lookup-plugin.md). lookup_area_radius
 * only tunes Kusto's search ("it doesn't affect query correctness").
 */
function geoLookup(call: SyntaxNode, args: readonly SyntaxNode[], compiler: Compiler, shape: 'polygon' | 'line'): OperatorFn {
  const name = `geo_${shape}_lookup`;
  const positional = args.filter((a) => kindName(a) !== 'SimpleNamedExpression');
  const named = new Map(args.filter((a) => kindName(a) === 'SimpleNamedExpression').map((a) => [declaredName(child(a, 'Name'))?.toLowerCase() ?? '', child(a, 'Expression')!]));
  const [tableNode, keyNode, lngNode, latNode, ...rest] = positional;
  if (!tableNode || !keyNode || !lngNode || !latNode) return compiler.invalid(call, `${name}() needs a lookup table, its ${shape} column and the longitude and latitude`);
  const option = (index: number, key: string) => named.get(key) ?? rest[index];
  const radiusNode = option(0, 'radius');
  if (shape === 'line' && !radiusNode) return compiler.invalid(call, `${name}() needs a radius`);
  const lookupTable: TableFn = compiler.tabular(tableNode);
  const key = declaredName(keyNode) ?? textOf(keyNode);
  const lng = compiler.scalar(lngNode);
  const lat = compiler.scalar(latNode);
  const constant = (node: SyntaxNode | undefined): ScalarFn => (node ? compiler.scalar(node) : () => null);
  const radius = constant(radiusNode);
  const unmatched = constant(option(1, 'return_unmatched'));
  const returnKey = constant(option(3, 'return_lookup_key'));
  return (x, input) => {
    const lookup = lookupTable(x, undefined);
    const keepUnmatched = unmatched({}, x) === true;
    const withKey = returnKey({}, x) === true;
    const added = lookup.columns.filter((c) => withKey || c !== key);
    const clash = added.find((c) => input.columns.includes(c));
    if (clash) compiler.unsupported(call, `${name}() with a lookup column named like an input column (${clash})`);
    const lookupTypes = typesOf(lookup);
    const addedTypes = added.map((c) => lookupTypes[lookup.columns.indexOf(c)] ?? 'dynamic');
    const matches = lookupMatcher(shape, lookup.rows.map((row) => row[key] ?? null), radius({}, x), name);
    const rows: Row[] = [];
    for (const row of input.rows) {
      const found = matches(lng(row, x), lat(row, x));
      for (const index of found) {
        const out: Row = { ...row };
        for (const c of added) out[c] = lookup.rows[index]![c] ?? null;
        rows.push(out);
      }
      if (found.length === 0 && keepUnmatched) {
        const out: Row = { ...row };
        added.forEach((c, i) => (out[c] = emptyValue(addedTypes[i]!)));
        rows.push(out);
      }
    }
    return { columns: [...input.columns, ...added], types: [...typesOf(input), ...addedTypes], rows };
  };
}

function maskOf(prefix: number): number {
  return prefix <= 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

function valueEquals(a: KValue, b: KValue): boolean {
  return toKustoString(a) === toKustoString(b);
}

export type { Table };
