// The floor for `validate`: start node, load Microsoft's Kusto language service, build the same
// workspace schema, and analyse the same queries. Nothing of ours beyond that.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const queries = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tables = JSON.parse(readFileSync(new URL('../schemas/log-analytics-tables.json', import.meta.url), 'utf8')).tables;
const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');
const K = globalThis.Kusto.Language;
const S = K.Symbols;
const schema = (cols) => `(${cols.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
const members = Object.entries(tables).map(([name, cols]) => new S.TableSymbol.$ctor7(name, schema(cols), null));
members.push(new S.FunctionSymbol.$ctor16('_GetWatchlist', '(watchlistAlias:string)', '{ datatable(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic, ObjectId:string, UserPrincipalName:string, DisplayName:string, Kind:string, Role:string)[] }', null));
const globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.$ctor1('workspace', members, false));
let diagnostics = 0;
for (const q of queries) diagnostics += K.KustoCode.ParseAndAnalyze(q, globals).GetDiagnostics().Count;
if (diagnostics !== 0) process.exitCode = 1;
