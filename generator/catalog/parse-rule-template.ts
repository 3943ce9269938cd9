import { Ajv, type ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar } from 'yaml';
import schema from '../../schemas/rule-template.schema.json' with { type: 'json' };
import { hasErrors, type Finding } from '../findings.js';
import { checkQueryTemplate } from '../render/query-template.js';
import { schemaErrorToFinding } from '../schema-errors.js';
import { locate, parseYaml, type YamlSource } from '../yaml-source.js';
import type { CatalogRule, RuleTemplate } from './rule-template.js';

let validator: ValidateFunction | undefined;

export interface ParsedRuleTemplate {
  rule?: CatalogRule;
  findings: Finding[];
}

/** Parses one rule template file. Pure: `file` is only used in findings. */
export function parseRuleTemplate(text: string, file: string, expectedId: string, builtIn = false): ParsedRuleTemplate {
  const { source, value, findings } = parseYaml(text, file, 'catalog');
  if (hasErrors(findings)) return { findings };
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(schema);
  if (!validator(value)) {
    for (const error of validator.errors ?? []) {
      const finding = schemaErrorToFinding(error, source, 'catalog');
      if (finding) findings.push(finding);
    }
    return { findings };
  }
  const template = value as RuleTemplate;
  if (template.id !== expectedId) {
    findings.push({
      severity: 'error',
      code: 'catalog/id-mismatch',
      message: `rule id '${template.id}' does not match its file name (${expectedId}.yaml)`,
      hint: `Rename the file to ${template.id}.yaml or set id: ${expectedId}.`,
      path: 'id',
      location: { file, ...locate(source, ['id']) },
    });
  }
  const queryStart = queryStartOf(source, text);
  for (const problem of checkQueryTemplate(template.query)) {
    findings.push({
      severity: 'error',
      code: 'catalog/template',
      ruleId: template.id,
      message: problem.message,
      hint: 'Manifest values enter a query only as {{kql value}}; the account lists come from {{> accounts}}.',
      path: 'query',
      location: { file, line: queryStart.line + problem.line - 1, column: queryStart.column + problem.column },
    });
  }
  if (hasErrors(findings)) return { findings };
  return {
    findings,
    rule: {
      template,
      source: { file, queryStart, lineOf: (segments) => locate(source, segments).line },
      builtIn,
    },
  };
}

/** A block scalar's text starts on the line after its `|` indicator, at its indentation. */
function queryStartOf(source: YamlSource, text: string): { line: number; column: number } {
  const root = source.doc.contents;
  if (!isMap(root)) return { line: 1, column: 1 };
  const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'query');
  const node = pair?.value;
  if (!isScalar(node) || !node.range) return locate(source, ['query']);
  const indicator = source.lines.linePos(node.range[0]);
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const firstContentLine = indicator.line + 1;
    const lineStart = source.lines.lineStarts[firstContentLine - 1] ?? 0;
    const indent = /^ */.exec(text.slice(lineStart))?.[0].length ?? 0;
    return { line: firstContentLine, column: indent + 1 };
  }
  return { line: indicator.line, column: indicator.col };
}
