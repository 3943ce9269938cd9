import type { Compiler, Exec, OperatorFn, ScalarFn, TableFn } from './compiler.js';
import { columnsOf, names, parameterText } from './operator-helpers.js';
import { Scope } from './scope.js';
import { resolveTypes } from './shapes.js';
import { child, declaredName, kindName, listChild, literalValue, textOf, type SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import { valueKey, type KValue } from './values.js';

/**
 * Kusto's graph operators over a graph made in memory (graph-operators.md): make-graph builds
 * it from an edges table (and node tables), graph-match and graph-shortest-paths find paths that
 * match a pattern, graph-mark-components numbers its connected components, graph-to-table lists
 * its nodes or edges. A graph travels between operators as a table of no columns that carries it.
 */

/** The node a property bag stands for: node functions (node_degree_in(), node_id()) read it. */
export const GRAPH_NODE = Symbol('breakglass.graphNode');
/** An edge list a variable length edge binds: `e.prop` gives one value per edge. */
export const EDGE_LIST = Symbol('breakglass.edgeList');

export interface GraphNode {
  id: KValue;
  props: Row;
  in: number;
  out: number;
}

export interface GraphEdge {
  index: number;
  source: GraphNode;
  target: GraphNode;
  props: Row;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  outgoing: Map<GraphNode, GraphEdge[]>;
  incoming: Map<GraphNode, GraphEdge[]>;
}

export type GraphTable = Table & { graph: Graph };

export function graphOf(table: Table, node: SyntaxNode, compiler: Compiler): Graph {
  return (table as Partial<GraphTable>).graph ?? compiler.invalid(node, `'${textOf(node).split(/\s/)[0]}' needs a graph (make-graph before it)`);
}

function nodeProps(props: Row, node: GraphNode): Row {
  Object.defineProperty(props, GRAPH_NODE, { value: node, enumerable: false });
  return props;
}

// ---- make-graph

export function makeGraph(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const sourceColumn = declaredName(child(node, 'SourceColumn')) ?? '';
  const targetColumn = declaredName(child(node, 'TargetColumn')) ?? '';
  const direction = child(node, 'DirectionToken');
  if (direction && textOf(direction) !== '-->') return compiler.unsupported(direction, `make-graph with ${textOf(direction)}`);
  const withClause = child(node, 'WithClause');
  let nodeTables: { table: TableFn; key: string }[] = [];
  let idProperty: string | undefined;
  if (withClause && kindName(withClause) === 'MakeGraphWithTablesAndKeysClause') {
    nodeTables = listChild(withClause, 'TablesAndKeys').map((clause) => ({ table: compiler.tabular(child(clause, 'Table')!), key: declaredName(child(clause, 'Column')) ?? '' }));
  } else if (withClause && kindName(withClause) === 'MakeGraphWithImplicitIdClause') {
    idProperty = declaredName(child(withClause, 'Name'));
  }
  const partition = child(node, 'PartitionedByClause');
  const build = (x: Exec, edges: Table, filter?: (row: Row) => boolean): Graph => {
    const nodes: GraphNode[] = [];
    const byKey = new Map<string, GraphNode>();
    for (const { table, key } of nodeTables) {
      for (const row of table(x, undefined).rows) {
        if (filter && !filter(row)) continue;
        const id = row[key] ?? null;
        if (id === null) continue;
        const k = valueKey(id);
        const known = byKey.get(k);
        if (known) {
          // The same node in two tables: their properties merged (make-graph-operator.md).
          for (const [name, value] of Object.entries(row)) if (!(name in known.props) || known.props[name] === null) known.props[name] = value;
          continue;
        }
        const graphNode: GraphNode = { id, props: {}, in: 0, out: 0 };
        nodeProps(graphNode.props, graphNode);
        Object.assign(graphNode.props, row);
        byKey.set(k, graphNode);
        nodes.push(graphNode);
      }
    }
    const nodeFor = (id: KValue): GraphNode => {
      const k = valueKey(id);
      let found = byKey.get(k);
      if (!found) {
        found = { id, props: {}, in: 0, out: 0 };
        nodeProps(found.props, found);
        // A node only the edges name: its id, under the id's property name.
        const property = idProperty ?? nodeTables[0]?.key;
        if (property) found.props[property] = id;
        byKey.set(k, found);
        nodes.push(found);
      }
      return found;
    };
    const graphEdges: GraphEdge[] = [];
    const outgoing = new Map<GraphNode, GraphEdge[]>();
    const incoming = new Map<GraphNode, GraphEdge[]>();
    for (const row of edges.rows) {
      const from = row[sourceColumn] ?? null;
      const to = row[targetColumn] ?? null;
      if (from === null || to === null) return compiler.unsupported(node, 'make-graph over an edge whose source or target is null');
      const edge: GraphEdge = { index: graphEdges.length, source: nodeFor(from), target: nodeFor(to), props: row };
      edge.source.out++;
      edge.target.in++;
      graphEdges.push(edge);
      (outgoing.get(edge.source) ?? outgoing.set(edge.source, []).get(edge.source)!).push(edge);
      (incoming.get(edge.target) ?? incoming.set(edge.target, []).get(edge.target)!).push(edge);
    }
    return { nodes, edges: graphEdges, outgoing, incoming };
  };
  if (partition) {
    const column = declaredName(child(partition, 'Entity')) ?? '';
    const subquery = compiler.tabular(child(partition, 'Subquery')!);
    const output = columnsOf(node, compiler);
    const outputNames = names(output);
    return (x, input) => {
      const groups = new Map<string, KValue>();
      for (const row of input.rows) groups.set(valueKey(row[column] ?? null), row[column] ?? null);
      const rows: Row[] = [];
      for (const [k] of groups) {
        const inPartition = (row: Row) => valueKey(row[column] ?? null) === k;
        const graph = build(x, { columns: input.columns, types: input.types, rows: input.rows.filter(inPartition) }, inPartition);
        const result = subquery(x, { columns: [], types: [], rows: [], graph } as GraphTable);
        for (const row of result.rows) {
          const out: Row = {};
          for (const c of outputNames) out[c] = row[c] ?? null;
          rows.push(out);
        }
      }
      return { columns: outputNames, types: resolveTypes(outputNames, output.map((c) => c.type), rows), rows };
    };
  }
  return (x, input) => ({ columns: [], types: [], rows: [], graph: build(x, input) }) as GraphTable;
}

// ---- patterns

interface NodeElement {
  name: string | undefined;
}

interface EdgeElement {
  name: string | undefined;
  /** Which way an edge goes from the left node to the right one. */
  direction: 'right' | 'left' | 'any';
  min: number;
  max: number;
  variable: boolean;
}

interface Pattern {
  nodes: NodeElement[];
  edges: EdgeElement[];
}

function patternOf(operator: SyntaxNode, compiler: Compiler): Pattern {
  const patterns = listChild(operator, 'Patterns');
  if (patterns.length !== 1) return compiler.unsupported(patterns[1] ?? operator, 'a graph pattern of several sequences');
  const elements = listChild(patterns[0]!, 'PatternElements');
  const nodes: NodeElement[] = [];
  const edges: EdgeElement[] = [];
  for (const element of elements) {
    if (kindName(element) === 'GraphMatchPatternNode') nodes.push({ name: declaredName(child(element, 'Name')) });
    else if (kindName(element) === 'GraphMatchPatternEdge') {
      const first = textOf(child(element, 'FirstToken') ?? element);
      const last = child(element, 'LastToken') ? textOf(child(element, 'LastToken')!) : '';
      const arrow = `${first}${last}`;
      const direction = arrow.startsWith('<-') ? 'left' : arrow.endsWith('->') ? 'right' : 'any';
      const range = child(element, 'Range');
      let min = 1;
      let max = 1;
      if (range) {
        const start = child(range, 'RangeStart');
        const end = child(range, 'RangeEnd');
        min = Number(start ? literalValue(start) : NaN);
        max = Number(end ? literalValue(end) : NaN);
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) return compiler.unsupported(range, `the edge range ${textOf(range)} (the engine takes min..max with 1 <= min <= max)`);
      }
      edges.push({ name: declaredName(child(element, 'Name')), direction, min, max, variable: range !== undefined });
    } else return compiler.unsupported(element, `the graph pattern element ${kindName(element)}`);
  }
  if (nodes.length !== edges.length + 1) return compiler.unsupported(patterns[0]!, 'this graph pattern');
  return { nodes, edges };
}

/** One match: a node per node element, a list of edges (and the nodes between them) per edge element. */
interface Match {
  nodes: GraphNode[];
  steps: { edges: GraphEdge[]; inner: GraphNode[] }[];
}

/** Every way to walk from `from` over one edge element: the edges taken and where they end. */
function walks(graph: Graph, from: GraphNode, element: EdgeElement, repeatEdges: boolean): { edges: GraphEdge[]; inner: GraphNode[]; end: GraphNode }[] {
  const out: { edges: GraphEdge[]; inner: GraphNode[]; end: GraphNode }[] = [];
  const step = (at: GraphNode): [GraphEdge, GraphNode][] => {
    const next: [GraphEdge, GraphNode][] = [];
    if (element.direction !== 'left') for (const e of graph.outgoing.get(at) ?? []) next.push([e, e.target]);
    if (element.direction !== 'right') for (const e of graph.incoming.get(at) ?? []) if (element.direction === 'left' || e.source !== e.target) next.push([e, e.source]);
    return next;
  };
  const extend = (at: GraphNode, edges: GraphEdge[], inner: GraphNode[]) => {
    if (edges.length >= element.min) out.push({ edges, inner: inner.slice(0, -1), end: at });
    if (edges.length === element.max) return;
    for (const [edge, next] of step(at)) {
      // Unless cycles=all, a walk never takes an edge twice.
      if (!repeatEdges && edges.includes(edge)) continue;
      extend(next, [...edges, edge], [...inner, next]);
    }
  };
  extend(from, [], []);
  return out;
}

function allMatches(graph: Graph, pattern: Pattern, cycles: string): Match[] {
  const matches: Match[] = [];
  const go = (nodes: GraphNode[], steps: Match['steps']) => {
    const i = steps.length;
    if (i === pattern.edges.length) {
      const edges = steps.flatMap((s) => s.edges);
      if (cycles !== 'all' && new Set(edges).size !== edges.length) return;
      if (cycles === 'none') {
        const visited = [nodes[0]!, ...steps.flatMap((s, k) => [...s.inner, nodes[k + 1]!])];
        if (new Set(visited).size !== visited.length) return;
      }
      matches.push({ nodes, steps });
      return;
    }
    for (const walk of walks(graph, nodes[i]!, pattern.edges[i]!, cycles === 'all')) go([...nodes, walk.end], [...steps, { edges: walk.edges, inner: walk.inner }]);
  };
  for (const start of graph.nodes) go([start], []);
  return matches;
}

/** Compiles the where and project clauses with the pattern's names bound to the current match. */
function clauses(operator: SyntaxNode, pattern: Pattern, compiler: Compiler) {
  let current: Match | undefined;
  const scope = new Scope(compiler.scope);
  pattern.nodes.forEach((element, i) => {
    if (element.name) scope.define(element.name, { kind: 'scalar', get: () => current!.nodes[i]!.props, local: true });
  });
  pattern.edges.forEach((element, i) => {
    if (!element.name) return;
    scope.define(element.name, {
      kind: 'scalar',
      get: () => {
        const step = current!.steps[i]!;
        if (!element.variable) return step.edges[0]!.props;
        const list = step.edges.map((e) => e.props) as KValue[] & { [EDGE_LIST]?: KValue[] };
        Object.defineProperty(list, EDGE_LIST, { value: step.inner.map((n) => n.props), enumerable: false });
        return list;
      },
      local: true,
    });
  });
  const variableEdges = new Set(pattern.edges.filter((e) => e.variable && e.name).map((e) => e.name!));
  const whereNode = child(child(operator, 'WhereClause') ?? operator, 'Condition');
  if (whereNode) refuseEdgeProperties(whereNode, variableEdges, compiler);
  const projectItems = listChild(child(operator, 'ProjectClause') ?? operator, 'Expressions');
  const analysed = columnsOf(operator, compiler);
  if (projectItems.length !== analysed.length) return compiler.unsupported(operator, 'a graph project clause that gives several columns from one expression');
  // An unnamed function call is named after the function (node-degree-out.md's output: node_degree_out(src)
  // gives the column node_degree_out), where Kusto.Language says Column1.
  const output = analysed.map((column, i) => {
    const item = projectItems[i]!;
    if (kindName(item) !== 'FunctionCallExpression' || !/^Column\d+$/.test(column.name)) return column;
    const name = (child(item, 'Name') as Kusto.Language.Syntax.NameReference | undefined)?.SimpleName ?? column.name;
    return analysed.some((c) => c.name === name) ? column : { ...column, name };
  });
  if (new Set(output.map((c) => c.name)).size !== output.length) return compiler.unsupported(operator, 'a graph project clause with two unnamed calls of one function');
  return compiler.within(scope, () => {
    const where: ScalarFn | undefined = whereNode ? compiler.scalar(whereNode) : undefined;
    const project = projectItems.map((item) => compiler.scalar(kindName(item) === 'SimpleNamedExpression' ? child(item, 'Expression')! : item));
    return {
      output,
      accepts: (match: Match, x: Exec) => {
        current = match;
        return !where || where({}, x) === true;
      },
      row: (match: Match, x: Exec): Row => {
        current = match;
        const row: Row = {};
        output.forEach((column, i) => (row[column.name] = project[i]!({}, x)));
        return row;
      },
    };
  });
}

/**
 * `e.prop` of a variable length edge in `where` applies to every edge of the walk (graph-match-
 * operator.md), which filters the walks themselves; the engine takes such constraints only as
 * all(e, ...).
 */
function refuseEdgeProperties(node: SyntaxNode, variableEdges: ReadonlySet<string>, compiler: Compiler): void {
  node.WalkElements((element) => {
    if (element.IsToken || kindName(element as SyntaxNode) !== 'PathExpression') return;
    const base = child(element as SyntaxNode, 'Expression');
    const name = base && kindName(base) === 'NameReference' ? (base as Kusto.Language.Syntax.NameReference).SimpleName : undefined;
    if (name && variableEdges.has(name)) compiler.unsupported(element as SyntaxNode, `a property of the variable length edge ${name} in where (write all(${name}, ...))`);
  });
}

export function graphMatch(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const cycles = (parameterText(node, 'cycles') ?? 'unique_edges').toLowerCase();
  if (!['all', 'none', 'unique_edges'].includes(cycles)) return compiler.invalid(node, `cycles=${cycles}: use all, none or unique_edges`);
  const pattern = patternOf(node, compiler);
  const { output, accepts, row } = clauses(node, pattern, compiler);
  const outputNames = names(output);
  return (x, input) => {
    const graph = graphOf(input, node, compiler);
    const rows = allMatches(graph, pattern, cycles)
      .filter((m) => accepts(m, x))
      .map((m) => row(m, x));
    return { columns: outputNames, types: resolveTypes(outputNames, output.map((c) => c.type), rows), rows };
  };
}

/**
 * graph-shortest-paths [output=any|all] (a)-[e*min..max]-(b) where ... project ...: for each pair
 * of end nodes, the walks that satisfy the where clause and have the fewest edges; output=any keeps
 * one of them (Kusto keeps one it chooses; so does the engine: the first it finds).
 */
export function graphShortestPaths(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const outputOption = (parameterText(node, 'output') ?? 'any').toLowerCase();
  if (outputOption !== 'any' && outputOption !== 'all') return compiler.invalid(node, `output=${outputOption}: use any or all`);
  const pattern = patternOf(node, compiler);
  if (pattern.edges.length !== 1 || !pattern.edges[0]!.variable) return compiler.unsupported(node, 'graph-shortest-paths with a pattern other than (a)-[e*min..max]-(b)');
  const { output, accepts, row } = clauses(node, pattern, compiler);
  const outputNames = names(output);
  return (x, input) => {
    const graph = graphOf(input, node, compiler);
    const best = new Map<string, { length: number; matches: Match[] }>();
    const order: string[] = [];
    for (const match of allMatches(graph, pattern, 'none')) {
      if (!accepts(match, x)) continue;
      const key = `${graph.nodes.indexOf(match.nodes[0]!)}:${graph.nodes.indexOf(match.nodes[1]!)}`;
      const length = match.steps[0]!.edges.length;
      const known = best.get(key);
      if (!known) {
        best.set(key, { length, matches: [match] });
        order.push(key);
      } else if (length < known.length) best.set(key, { length, matches: [match] });
      else if (length === known.length) known.matches.push(match);
    }
    const rows: Row[] = [];
    for (const key of order) {
      const { matches } = best.get(key)!;
      for (const match of outputOption === 'any' ? matches.slice(0, 1) : matches) rows.push(row(match, x));
    }
    return { columns: outputNames, types: resolveTypes(outputNames, output.map((c) => c.type), rows), rows };
  };
}

/**
 * graph-mark-components [kind=weak|strong] [with_component_id=Name]: each node gets the number
 * of its connected component. Kusto numbers the components arbitrarily (graph-mark-components-
 * operator.md); the engine numbers them from 0 in the order their first node appears.
 */
export function graphMarkComponents(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const kind = (parameterText(node, 'kind') ?? 'weak').toLowerCase();
  if (kind !== 'weak') return compiler.unsupported(node, `graph-mark-components kind=${kind}`);
  const property = parameterText(node, 'with_component_id') ?? 'ComponentId';
  return (_x, input) => {
    const graph = graphOf(input, node, compiler);
    const component = new Map<GraphNode, number>();
    let next = 0;
    for (const start of graph.nodes) {
      if (component.has(start)) continue;
      const id = next++;
      const stack = [start];
      component.set(start, id);
      while (stack.length > 0) {
        const at = stack.pop()!;
        for (const e of [...(graph.outgoing.get(at) ?? []), ...(graph.incoming.get(at) ?? [])]) {
          for (const other of [e.source, e.target]) {
            if (component.has(other)) continue;
            component.set(other, id);
            stack.push(other);
          }
        }
      }
    }
    // A new graph: nodes with the component added, edges re-pointed at them.
    const copies = new Map<GraphNode, GraphNode>();
    const nodes = graph.nodes.map((n) => {
      const copy: GraphNode = { id: n.id, props: {}, in: n.in, out: n.out };
      nodeProps(copy.props, copy);
      Object.assign(copy.props, n.props, { [property]: component.get(n)! });
      copies.set(n, copy);
      return copy;
    });
    const edges = graph.edges.map((e) => ({ ...e, source: copies.get(e.source)!, target: copies.get(e.target)! }));
    const outgoing = new Map<GraphNode, GraphEdge[]>();
    const incoming = new Map<GraphNode, GraphEdge[]>();
    for (const e of edges) {
      (outgoing.get(e.source) ?? outgoing.set(e.source, []).get(e.source)!).push(e);
      (incoming.get(e.target) ?? incoming.set(e.target, []).get(e.target)!).push(e);
    }
    return { columns: [], types: [], rows: [], graph: { nodes, edges, outgoing, incoming } } as GraphTable;
  };
}

/** graph-to-table nodes | edges: the nodes' or the edges' properties as rows (ids Kusto generates are refused). */
export function graphToTable(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const text = textOf(node);
  if (/with_(node|source|target)_id/i.test(text)) return compiler.unsupported(node, "graph-to-table's generated ids (Kusto's hashing of node ids is not documented)");
  const what = /\bedges\b/i.test(text.replace(/^graph-to-table\s+/i, '').split(/\s/)[0] ?? '') ? 'edges' : 'nodes';
  if (/\bnodes\b.*\bedges\b|\bedges\b.*\bnodes\b/i.test(text)) return compiler.unsupported(node, 'graph-to-table of nodes and edges at once');
  const output = columnsOf(node, compiler);
  const outputNames = names(output);
  return (_x, input) => {
    const graph = graphOf(input, node, compiler);
    const source = what === 'nodes' ? graph.nodes.map((n) => n.props) : graph.edges.map((e) => e.props);
    const rows = source.map((props) => {
      const row: Row = {};
      for (const c of outputNames) row[c] = props[c] ?? null;
      return row;
    });
    return { columns: outputNames, types: resolveTypes(outputNames, output.map((c) => c.type), rows), rows };
  };
}

// ---- the functions of graph patterns (graph-function.md and its pages)

import type { SpecialForm } from './special-forms.js';

const nodeOf = (value: KValue): GraphNode | undefined => (value !== null && typeof value === 'object' ? (value as { [GRAPH_NODE]?: GraphNode })[GRAPH_NODE] : undefined);

/** A node function's node: its argument, or without one the element map()/all()/any() is at. */
function nodeFunction(name: string, read: (node: GraphNode) => KValue): SpecialForm {
  return (node, args, compiler) => {
    const arg = args[0] ? compiler.scalar(args[0]) : (row: Row) => row as unknown as KValue;
    return (row, x) => {
      const graphNode = nodeOf(arg(row, x));
      return graphNode ? read(graphNode) : compiler.invalid(node, `${name}() needs a node of a graph pattern`);
    };
  };
}

/** map(list, expression), all(list, predicate), any(list, predicate): the expression with each element (an edge or a node) as its row. */
function overElements(combine: (values: KValue[]) => KValue, name: string): SpecialForm {
  return (node, args, compiler) => {
    if (args.length !== 2) return compiler.invalid(node, `${name}() takes a variable length edge (or inner_nodes() of one) and an expression`);
    const list = compiler.scalar(args[0]!);
    const expression = compiler.scalar(args[1]!);
    return (row, x) => {
      const elements = list(row, x);
      if (!Array.isArray(elements)) return null;
      return combine(elements.map((element) => expression((element ?? {}) as Row, x)));
    };
  };
}

export const GRAPH_FORMS: Record<string, SpecialForm> = {
  map: overElements((values) => values, 'map'),
  all: overElements((values) => values.every((v) => v === true), 'all'),
  any: overElements((values) => values.some((v) => v === true), 'any'),
  inner_nodes: (node, args, compiler) => {
    const edge = args[0] ? compiler.scalar(args[0]) : undefined;
    if (!edge) return compiler.invalid(node, 'inner_nodes() needs a variable length edge');
    return (row, x) => {
      const value = edge(row, x);
      return Array.isArray(value) ? ((value as { [EDGE_LIST]?: KValue[] })[EDGE_LIST] ?? compiler.invalid(node, 'inner_nodes() needs a variable length edge')) : null;
    };
  },
  node_degree_in: nodeFunction('node_degree_in', (n) => n.in),
  node_degree_out: nodeFunction('node_degree_out', (n) => n.out),
  node_id: nodeFunction('node_id', (n) => n.id),
};
