import Handlebars from 'handlebars';
import { logicAppText } from '../logic-app/literal-text.js';
import { parseStringValue } from '../logic-app/expression-parser.js';
import type { TemplateProblem } from '../render/query-template.js';
import { htmlEncoded, INCIDENT_FIELDS, RUNTIME, ACTIONS, type IncidentField } from './runtime-values.js';

/** html: e-mail, Teams and the incident comment (HTML-escaped); plain: SMS and the subject. */
export type Channel = 'html' | 'plain';

/** Manifest values a message may name; each reaches the message only through `{{text ...}}`. */
export interface MessageContext {
  playbookTitle: string;
  watchedAccounts: string[];
  exclusionGroup: string;
  emailRecipients: string[];
  smsRecipients: string[];
  teamsChannel: string | false;
}

const VALUE_HELPERS = new Set(['text', 'incident', 'ruleName', 'accounts', 'ipAddresses', 'createdTime', 'status']);
const BLOCK_HELPERS = new Set(['each', 'if', 'unless']);
const FREE_TEXT_FIELDS = new Set<IncidentField>(['title', 'incidentUrl']);
const STATUS_ACTIONS = new Set<string>([ACTIONS.email, ACTIONS.sms, ACTIONS.teams]);

/**
 * Only the helpers above, and each/if/unless blocks, may appear: a bare `{{value}}` would put
 * manifest text into a Logic App string without the escaping that keeps `@` from running as an
 * expression.
 */
export function checkMessageTemplate(template: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const visit = (program: hbs.AST.Program | undefined): void => {
    for (const statement of program?.body ?? []) {
      const at = { line: statement.loc.start.line, column: statement.loc.start.column };
      if (statement.type === 'MustacheStatement') {
        const m = statement as hbs.AST.MustacheStatement;
        const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : '';
        if (!VALUE_HELPERS.has(name)) problems.push({ ...at, message: `'{{${name}}}' is not allowed in a message; use {{text value}} or one of ${[...VALUE_HELPERS].join(', ')}` });
        const literal = m.params[0]?.type === 'StringLiteral' ? (m.params[0] as hbs.AST.StringLiteral).value : undefined;
        if (name === 'incident' && !(INCIDENT_FIELDS as readonly string[]).includes(literal ?? '')) problems.push({ ...at, message: `{{incident}} takes one of ${INCIDENT_FIELDS.join(', ')}` });
        if (name === 'status' && !STATUS_ACTIONS.has(literal ?? '')) problems.push({ ...at, message: `{{status}} takes one of ${[...STATUS_ACTIONS].join(', ')}` });
      } else if (statement.type === 'BlockStatement') {
        const b = statement as hbs.AST.BlockStatement;
        const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
        if (!BLOCK_HELPERS.has(name)) problems.push({ ...at, message: `block '{{#${name}}}' is not allowed in a message` });
        visit(b.program);
        visit(b.inverse);
      } else if (statement.type !== 'ContentStatement' && statement.type !== 'CommentStatement') {
        problems.push({ ...at, message: `${statement.type} is not allowed in a message template` });
      }
    }
  };
  try {
    visit(Handlebars.parse(template));
  } catch (error) {
    problems.push({ line: 1, column: 0, message: `message template does not parse: ${String(error).split('\n')[0]}` });
  }
  return problems;
}

function environment(channel: Channel): typeof Handlebars {
  const env = Handlebars.create();
  // Values that can carry text from the logs (titles, names, addresses) are HTML-encoded in HTML
  // messages; numbers, severities, statuses and times cannot hold markup.
  const runtime = (expression: string, freeText = true) => new env.SafeString(`@{${channel === 'html' && freeText ? htmlEncoded(expression) : expression}}`);
  env.registerHelper('text', (value: unknown) => {
    if (typeof value !== 'string') throw new Error(`{{text}} got ${typeof value}, not text`);
    return new env.SafeString(logicAppText(channel === 'html' ? env.escapeExpression(value) : value));
  });
  env.registerHelper('incident', (field: IncidentField) => runtime(RUNTIME.incident(field), FREE_TEXT_FIELDS.has(field)));
  env.registerHelper('ruleName', () => runtime(RUNTIME.ruleName));
  env.registerHelper('accounts', () => runtime(RUNTIME.accounts));
  env.registerHelper('ipAddresses', () => runtime(RUNTIME.ipAddresses));
  env.registerHelper('createdTime', () => runtime(RUNTIME.createdTime, false));
  env.registerHelper('status', (action: string) => runtime(RUNTIME.status(action), false));
  return env;
}

/** A checked message template rendered to a Logic App string value (text with `@{...}` in it). */
export function renderMessage(template: string, channel: Channel, context: MessageContext): string {
  const env = environment(channel);
  return env.compile(template.trimEnd(), { strict: true, noEscape: channel === 'plain' })(context);
}

/**
 * One expression that cuts the message to `maxLength` characters when the playbook runs, so an
 * SMS stays one segment whatever the incident says.
 */
export function truncatedMessage(value: string, maxLength: number): string {
  const parts = parseStringValue(value).parts.map((part) => ('text' in part ? `'${part.text.replace(/'/g, "''")}'` : part.source));
  return `@{take(concat(${[...parts, "''"].join(', ')}), ${maxLength})}`;
}
