import type { ColumnSchema, TableSchemas } from './api-types.js';
import { kustoLanguage } from './kusto-language.js';

export type { ColumnSchema, TableSchemas } from './api-types.js';

/** A tabular function the workspace offers (Sentinel's `_GetWatchlist(alias)`): what it takes and returns. */
export interface TabularFunctionSchema {
  name: string;
  /** Kusto's parameter list, e.g. `(watchlistAlias:string)`. */
  parameters: string;
  /** The columns of the table the function returns. */
  columns: readonly ColumnSchema[];
  description: string;
}

/** `(['A']:string, ['B']:long)`: a column list in Kusto's schema syntax (names quoted, so any name is safe). */
export function schemaText(columns: readonly ColumnSchema[]): string {
  return `(${columns.map((c) => `['${c.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']:${c.type}`).join(', ')})`;
}

/** A Kusto.Language global state whose database holds these tables and functions. */
export function kustoGlobals(tables: TableSchemas, functions: readonly TabularFunctionSchema[] = []): Kusto.Language.GlobalState {
  const K = kustoLanguage();
  const S = K.Symbols;
  const members: Kusto.Language.Symbols.Symbol[] = Object.entries(tables).map(([name, columns]) => new S.TableSymbol.$ctor7(name, schemaText(columns), null));
  for (const f of functions) members.push(new S.FunctionSymbol.$ctor16(f.name, f.parameters, `{ datatable${schemaText(f.columns)}[] }`, f.description));
  // Bridge.NET makes JavaScript arrays enumerable at run time; its typings do not know that.
  const enumerable = members as unknown as System.Collections.Generic.IEnumerable$1<Kusto.Language.Symbols.Symbol>;
  const database = new S.DatabaseSymbol.$ctor1('workspace', enumerable, false);
  const globals = K.GlobalState.Default?.WithDatabase(database);
  if (!globals) throw new Error('Kusto.Language did not create a global state');
  return globals;
}
