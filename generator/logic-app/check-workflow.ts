import { formatPath, type Finding } from '../findings.js';
import { ExpressionError, parseStringValue } from './expression-parser.js';

/**
 * Parses every string of a workflow definition the way Logic Apps will: a string that is or
 * holds an expression must parse, and call only functions the language has.
 */
export function checkWorkflowExpressions(definition: unknown, file: string): Finding[] {
  const findings: Finding[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      try {
        parseStringValue(value);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        findings.push({
          severity: 'error',
          code: 'playbook/expression',
          message: `${formatPath(path)}: ${error.message} at character ${error.offset + 1} of ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)}`,
          hint: 'Every @{...} and @... in the workflow must be a valid Logic Apps expression.',
          path: formatPath(path),
          location: { file },
        });
      }
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
  };
  walk(definition, ['properties', 'definition']);
  return findings;
}
