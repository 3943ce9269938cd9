import Handlebars from 'handlebars';
import { didYouMean } from '../suggest.js';
import { kqlLiteral, type KqlValue } from './kql-literal.js';

/** What a query template can read. Every value reaches the query only through `{{kql ...}}`. */
export interface QueryContext {
  accounts: { objectIds: string[]; userPrincipalNames: string[] };
  exclusionGroup: { objectId: string; displayName: string };
  accountGroups: { objectIds: string[] };
  watchlist: { alias: string };
}

/** What a rule's query reads besides the manifest's values: its own schedule, after the manifest's overrides. */
export interface RuleQueryContext extends QueryContext {
  schedule: { frequencyMinutes: number };
}

export interface TemplateProblem {
  message: string;
  /** 1-based line and 0-based column inside the query template. */
  line: number;
  column: number;
}

/**
 * accounts, accountsTable: the account lists (inline or from the watchlist); newRecords: where a
 * table's records are cut to those not yet seen (nothing for NRT, which reads each record once by
 * ingestion time; an ingestion_time() filter for scheduled rules); signinInterrupts: the sign-in
 * result codes that are steps of a sign-in, not failures; selfServiceReset: the audit activities of a
 * self-service password reset, which name the account as their initiator without being its use.
 */
export const ALLOWED_PARTIALS = ['accounts', 'accountsTable', 'newRecords', 'signinInterrupts', 'selfServiceReset'] as const;
export type PartialName = (typeof ALLOWED_PARTIALS)[number];

/**
 * Rejects any template construct other than `{{kql path}}` and `{{> accounts}}`: no bare
 * `{{value}}` (it would paste raw text into KQL), no blocks (they would make the query's shape
 * depend on data), no other helpers.
 */
export function checkQueryTemplate(template: string): TemplateProblem[] {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(template);
  } catch (error) {
    const match = /line (\d+)/.exec(String(error));
    return [{ message: `query template does not parse: ${firstLine(String(error))}`, line: match ? Number(match[1]) : 1, column: 0 }];
  }
  const problems: TemplateProblem[] = [];
  for (const statement of program.body) {
    const at = { line: statement.loc.start.line, column: statement.loc.start.column };
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        break;
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        const helper = mustache.path.type === 'PathExpression' ? (mustache.path as hbs.AST.PathExpression).original : '';
        const param = mustache.params[0];
        if (helper !== 'kql' || mustache.params.length !== 1 || param?.type !== 'PathExpression' || mustache.hash) {
          problems.push({ ...at, message: `'{{${describe(mustache)}}}' is not allowed in a query; write {{kql some.value}}` });
        }
        break;
      }
      case 'PartialStatement': {
        const partial = statement as hbs.AST.PartialStatement;
        const name = partial.name.type === 'PathExpression' ? (partial.name as hbs.AST.PathExpression).original : '';
        if (!(ALLOWED_PARTIALS as readonly string[]).includes(name) || partial.params.length > 0 || partial.hash) {
          problems.push({ ...at, message: `partial '{{> ${name}}}' is not allowed in a query; the partials are ${ALLOWED_PARTIALS.map((p) => `{{> ${p}}}`).join(', ')}` });
        }
        break;
      }
      default:
        problems.push({ ...at, message: `${statement.type} is not allowed in a query template: a query's shape must not depend on manifest values` });
    }
  }
  return problems;
}

function describe(mustache: hbs.AST.MustacheStatement): string {
  const parts = [mustache.path, ...mustache.params].map((p) => (p.type === 'PathExpression' ? (p as hbs.AST.PathExpression).original : String((p as hbs.AST.Literal & { value?: unknown }).value)));
  return parts.join(' ');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}

/** Dotted paths of every value the context holds (`accounts.objectIds`, ...). */
export function contextPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([key, inner]) => contextPaths(inner, prefix ? `${prefix}.${key}` : key));
}

/**
 * Every `{{kql path}}` whose path the context lacks, with its line: found before rendering, so
 * a typo is reported where it stands rather than as an empty value in a query.
 */
export function unknownValues(template: string, context: object): TemplateProblem[] {
  const known = contextPaths(context);
  const problems: TemplateProblem[] = [];
  for (const statement of Handlebars.parse(template).body) {
    if (statement.type !== 'MustacheStatement') continue;
    const param = (statement as hbs.AST.MustacheStatement).params[0];
    if (param?.type !== 'PathExpression') continue;
    const path = (param as hbs.AST.PathExpression).original;
    if (!known.includes(path)) {
      problems.push({
        line: statement.loc.start.line,
        column: statement.loc.start.column,
        message: `{{kql ${path}}}: the query context has no value '${path}'.${didYouMean(path, known)} Values: ${known.join(', ')}`,
      });
    }
  }
  return problems;
}

function createEnvironment(partials: Record<string, string>): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper('kql', (value: unknown) => {
    if (!isKqlValue(value)) throw new Error(`{{kql}} got ${typeof value}; it takes a string, a number, a boolean or a list of them`);
    return kqlLiteral(value);
  });
  for (const [name, text] of Object.entries(partials)) env.registerPartial(name, text);
  return env;
}

function isKqlValue(value: unknown): value is KqlValue {
  if (Array.isArray(value)) return value.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
  return ['string', 'number', 'boolean'].includes(typeof value);
}

export interface RenderedQuery {
  text: string;
  /** For each line of `text` (index 0 = line 1), the line of the template it came from. */
  templateLine: number[];
}

/**
 * Renders a checked query template. Strict: a missing value is an error, never an empty string.
 * Each template line renders on its own (the template has no blocks and `kql` never writes a
 * newline), which tells us where every query line came from, for findings in the template file.
 */
export function renderQueryTemplate(template: string, partials: Record<string, string>, context: object): RenderedQuery {
  const env = createEnvironment(partials);
  const options = { strict: true, noEscape: true, knownHelpersOnly: false } as const;
  const lines = template.replace(/\n+$/, '').split('\n');
  const out: string[] = [];
  const templateLine: number[] = [];
  lines.forEach((line, index) => {
    const rendered = env.compile(`${line}\n`, options)(context);
    for (const renderedLine of rendered.replace(/\n$/, '').split('\n')) {
      out.push(renderedLine);
      templateLine.push(index + 1);
    }
  });
  return { text: out.join('\n'), templateLine };
}
