import type { Compiler, Exec, ScalarFn, TableFn } from './compiler.js';
import { Scope, type Binding } from './scope.js';
import { child, declaredName, isTabular, kindName, listChild, type SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import type { KValue } from './values.js';

/**
 * User-defined functions and views (`let f = (a:long, T:(x:long)) { ... }`), called in a scalar
 * or tabular position or with `invoke`. Each call site compiles Kusto.Language's expansion of the
 * body (the body analysed with this call's argument types) in a scope where the parameters are
 * bound to the call's arguments; a parameter without an argument takes its declared default.
 */

interface Parameter {
  name: string;
  tabular: boolean;
  defaultValue: SyntaxNode | undefined;
}

function parametersOf(declaration: SyntaxNode): Parameter[] {
  const list = child(declaration, 'Parameters');
  return (list ? listChild(list, 'Parameters') : []).map((parameter) => {
    const nameAndType = child(parameter, 'NameAndType');
    const type = nameAndType && child(nameAndType, 'Type');
    const defaultValue = child(parameter, 'DefaultValue');
    return {
      name: declaredName(nameAndType && child(nameAndType, 'Name')) ?? '',
      tabular: type !== undefined && kindName(type) === 'SchemaTypeExpression',
      defaultValue: defaultValue && child(defaultValue, 'Value'),
    };
  });
}

/** The call's argument for each parameter, by position or by name (f(c=7, a=12)). */
function bindArguments(call: SyntaxNode, args: readonly SyntaxNode[], parameters: readonly Parameter[], compiler: Compiler): (SyntaxNode | undefined)[] {
  const bound: (SyntaxNode | undefined)[] = parameters.map(() => undefined);
  let position = 0;
  for (const arg of args) {
    if (kindName(arg) === 'SimpleNamedExpression') {
      const name = declaredName(child(arg, 'Name'));
      const index = parameters.findIndex((p) => p.name === name);
      if (index === -1) return compiler.invalid(arg, `the function has no parameter '${name}'`);
      bound[index] = child(arg, 'Expression');
    } else {
      while (position < parameters.length && bound[position] !== undefined) position++;
      if (position >= parameters.length) return compiler.invalid(call, 'too many arguments');
      bound[position++] = arg;
    }
  }
  return bound;
}

/**
 * Compiles one call. `input`: the table `invoke` passes as the first (tabular) argument. Returns a
 * ScalarFn or a TableFn, as the function is scalar or tabular.
 */
export function callUserFunction(call: SyntaxNode, binding: Extract<Binding, { kind: 'function' }>, compiler: Compiler, invokeInput = false): ScalarFn | TableFn {
  const declaration = binding.declaration;
  const parameters = parametersOf(declaration);
  const argNodes = kindName(call) === 'NameReference' ? [] : listChild(child(call, 'ArgumentList')!, 'Expressions');
  const bound = bindArguments(call, invokeInput ? argNodes : argNodes, invokeInput ? parameters.slice(1) : parameters, compiler);
  if (invokeInput) bound.unshift(undefined);

  // One frame per evaluation of the call: the parameters' values and the body's lets.
  interface Frame {
    values: (KValue | Table)[];
    lets: Map<number, KValue | Table>;
  }
  let frame: Frame = { values: [], lets: new Map() };
  const scope = new Scope(binding.scope);
  parameters.forEach((parameter, i) => {
    if (parameter.tabular) scope.define(parameter.name, { kind: 'table', get: () => frame.values[i] as Table, local: true });
    else scope.define(parameter.name, { kind: 'scalar', get: () => frame.values[i] as KValue, local: true });
  });

  // The arguments, compiled where the call stands; defaults where the function was declared.
  const argFns = parameters.map((parameter, i) => {
    if (invokeInput && i === 0) return undefined;
    const node = bound[i] ?? parameter.defaultValue;
    if (!node) return compiler.invalid(call, `no value for the parameter '${parameter.name}'`);
    const argScope = bound[i] ? compiler.scope : binding.scope;
    if (parameter.tabular) return { tabular: true as const, fn: compiler.within(argScope, () => compiler.tabular(node)) };
    return { tabular: false as const, fn: compiler.within(argScope, () => compiler.scalar(node)) };
  });

  const expansion = (call.GetExpansion?.() as SyntaxNode | null) ?? child(declaration, 'Body');
  const body = expansion && kindName(expansion) === 'FunctionBody' ? expansion : child(declaration, 'Body')!;
  const result = compiler.within(scope, () => {
    let slots = 0;
    for (const statement of listChild(body, 'Statements')) {
      if (kindName(statement) !== 'LetStatement') return compiler.unsupported(statement, `the statement ${kindName(statement)} inside a function`);
      const name = declaredName(child(statement, 'Name')) ?? '';
      const expression = child(statement, 'Expression')!;
      if (kindName(expression) === 'FunctionDeclaration') {
        scope.define(name, { kind: 'function', declaration: expression, scope });
        continue;
      }
      const slot = slots++;
      if (isTabular(expression)) {
        const fn = compiler.tabular(expression);
        scope.define(name, { kind: 'table', get: (x) => memo(frame, slot, () => fn(x, undefined)) as Table, local: true });
      } else {
        const fn = compiler.scalar(expression);
        scope.define(name, { kind: 'scalar', get: (x) => memo(frame, slot, () => fn({}, x)) as KValue, local: true });
      }
    }
    const expression = child(body, 'Expression')!;
    return isTabular(expression) ? { tabular: true as const, fn: compiler.tabular(expression) } : { tabular: false as const, fn: compiler.scalar(expression) };
  });

  const enter = (row: Row, x: Exec, input: Table | undefined): Frame => {
    const values = argFns.map((arg) => {
      if (!arg) return input ?? { columns: [], types: [], rows: [] };
      return arg.tabular ? arg.fn(x, undefined) : arg.fn(row, x);
    });
    const saved = frame;
    frame = { values, lets: new Map() };
    return saved;
  };
  if (result.tabular) {
    const table = result.fn;
    return ((x: Exec, input: Table | undefined) => {
      const saved = enter({}, x, input);
      try {
        return table(x, undefined);
      } finally {
        frame = saved;
      }
    }) satisfies TableFn;
  }
  const scalar = result.fn;
  return ((row: Row, x: Exec) => {
    const saved = enter(row, x, undefined);
    try {
      return scalar(row, x);
    } finally {
      frame = saved;
    }
  }) satisfies ScalarFn;
}

function memo(frame: { lets: Map<number, KValue | Table> }, slot: number, compute: () => KValue | Table): KValue | Table {
  if (!frame.lets.has(slot)) frame.lets.set(slot, compute());
  return frame.lets.get(slot)!;
}
