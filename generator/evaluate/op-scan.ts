import type { Compiler, OperatorFn, ScalarFn } from './compiler.js';
import { scalarOnce } from './compile-scalar.js';
import { convertTo } from './convert.js';
import { columnsOf, emptyValue, inputColumnsOf, names, parameterText } from './operator-helpers.js';
import { Scope } from './scope.js';
import { child, declaredName, kindName, listChild, normalType, referencedSymbolKind, textOf, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import { typesOf } from './table.js';

interface Step {
  name: string;
  output: boolean;
  condition: ScalarFn;
  assignments: { column: string; value: ScalarFn }[];
}

/** What a step holds: the latest record of each step of its sequence so far, and the sequence's match id. */
interface State {
  records: Map<string, Row>;
  id: number;
}

/**
 * scan [with_match_id=Id] [declare (Column:type[=default], ...)] with (step Name [output=all|none]:
 * Condition [=> Column = Expression, ...]; ...): the matching logic of scan-operator.md. Every
 * record is tried against the steps from the last to the first: a step matches when the previous
 * step has a sequence and the record meets its condition (that sequence moves on to this step),
 * or when the step itself has one, or is the first step (a new sequence begins there). Each match
 * outputs the record extended with the step's assignments, unless the step says output=none.
 * `Step.Column` reads the state; a step without a record there gives the declared default (null
 * for other columns). output=last is refused, as is a bare declared column in an expression (the
 * page defines only Step.Column).
 */
export function scan(node: SyntaxNode, compiler: Compiler): OperatorFn {
  for (const clause of ['OrderByClause', 'PartitionByClause']) {
    const present = child(node, clause);
    if (present) return compiler.unsupported(present, `scan's ${textOf(present).split(/\s+/).slice(0, 2).join(' ')} clause`);
  }
  const matchId = parameterText(node, 'with_match_id');
  // Without with_match_id there is no match id column (scan-operator.md), whatever the analyser lists.
  const output = columnsOf(node, compiler).filter((c) => matchId !== undefined || c.name !== 'match_id' || inputColumnsOf(node).some((i) => i.name === 'match_id'));
  const outputNames = names(output);
  const declared = listChild(child(node, 'DeclareClause') ?? node, 'Declarations').map((parameter) => {
    const nameAndType = child(parameter, 'NameAndType')!;
    const name = declaredName(child(nameAndType, 'Name')) ?? '';
    const type = normalType(textOf(child(nameAndType, 'Type')!));
    const valueNode = child(child(parameter, 'DefaultValue') ?? parameter, 'Value');
    const fallback = valueNode ? scalarOnce(compiler.scalar(valueNode)) : () => null;
    return { name, type, fallback };
  });
  const declaredNames = new Set(declared.map((d) => d.name));
  const stepNodes = listChild(node, 'Steps');
  const stepNames = stepNodes.map((s) => declaredName(child(s, 'Name')) ?? '');

  // The state an expression reads: set before each evaluation (evaluation is sequential).
  let view: Map<string, Row> = new Map();
  let defaults: Row = {};
  const scope = new Scope(compiler.scope);
  for (const name of stepNames) scope.define(name, { kind: 'scalar', get: () => view.get(name) ?? defaults, local: true });

  const steps: Step[] = stepNodes.map((stepNode, index) => {
    const outputClause = child(stepNode, 'ScanStepOutput');
    const outputKind = outputClause ? (outputClause.GetLastToken()?.Text ?? 'all').toLowerCase() : 'all';
    if (outputKind !== 'all' && outputKind !== 'none') return compiler.unsupported(outputClause!, `scan's output=${outputKind}`);
    const expressions: SyntaxNode[] = [child(stepNode, 'Condition')!];
    const assignmentNodes = listChild(child(stepNode, 'ComputationClause') ?? stepNode, 'Assignments');
    for (const a of assignmentNodes) expressions.push(child(a, 'Expression')!);
    for (const expression of expressions) refuseBareDeclared(expression, declaredNames, compiler);
    return compiler.within(scope, () => ({
      name: stepNames[index]!,
      output: outputKind === 'all',
      condition: compiler.scalar(expressions[0]!),
      assignments: assignmentNodes.map((a, i) => ({ column: declaredName(child(a, 'Name')) ?? textOf(child(a, 'Name')!), value: compiler.scalar(expressions[i + 1]!) })),
    }));
  });

  return (x, input) => {
    const inputTypes = typesOf(input);
    defaults = {};
    input.columns.forEach((c, i) => (defaults[c] = emptyValue(inputTypes[i] ?? 'dynamic')));
    for (const d of declared) defaults[d.name] = convertTo(d.fallback(x), d.type);
    const states: (State | undefined)[] = steps.map(() => undefined);
    let lastId = -1;
    const rows: Row[] = [];
    const extend = (record: Row, step: Step, records: Map<string, Row>): Row => {
      view = records;
      const out: Row = { ...record };
      for (const d of declared) out[d.name] = defaults[d.name] ?? null;
      for (const a of step.assignments) {
        const type = declared.find((d) => d.name === a.column)?.type;
        out[a.column] = type ? convertTo(a.value(record, x), type) : a.value(record, x);
      }
      return out;
    };
    const emit = (extended: Row, step: Step, id: number) => {
      if (!step.output) return;
      const out: Row = {};
      for (const c of outputNames) out[c] = c === matchId ? id : (extended[c] ?? null);
      rows.push(out);
    };
    const meets = (step: Step, record: Row, records: Map<string, Row>) => {
      view = records;
      return step.condition(record, x) === true;
    };
    for (const record of input.rows) {
      for (let k = steps.length - 1; k >= 0; k--) {
        const step = steps[k]!;
        const previous = k > 0 ? states[k - 1] : undefined;
        if (previous && meets(step, record, previous.records)) {
          const moved: State = { records: new Map(previous.records), id: previous.id };
          states[k - 1] = undefined;
          const extended = extend(record, step, moved.records);
          moved.records.set(step.name, extended);
          states[k] = moved;
          emit(extended, step, moved.id);
          continue;
        }
        const own = states[k];
        if ((own || k === 0) && meets(step, record, own?.records ?? new Map())) {
          const extended = extend(record, step, own?.records ?? new Map());
          if (own) own.records.set(step.name, extended);
          else states[k] = { records: new Map([[step.name, extended]]), id: ++lastId };
          emit(extended, step, states[k]!.id);
        }
      }
    }
    const types = output.map((c) => c.type);
    return { columns: outputNames, types, rows, serialized: true };
  };
}

/** A declared column read without a step (`cx` rather than `s1.cx`): the page does not say which value that is. */
function refuseBareDeclared(expression: SyntaxNode, declaredNames: ReadonlySet<string>, compiler: Compiler): void {
  expression.WalkElements((element) => {
    if (element.IsToken) return;
    const n = element as SyntaxNode;
    if (kindName(n) !== 'NameReference' || referencedSymbolKind(n) !== 'column') return;
    const name = (n as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
    const parent = n.Parent;
    const isMember = parent && kindName(parent) === 'PathExpression' && child(parent, 'Selector') === n;
    if (!isMember && declaredNames.has(name)) compiler.unsupported(n, `a declared column of scan read without its step (${name})`);
  });
}

