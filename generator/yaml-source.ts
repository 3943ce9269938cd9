import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { Finding } from './findings.js';

/** A parsed YAML file that still knows where each value came from, for errors with line numbers. */
export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export interface ParsedYaml {
  source: YamlSource;
  value: unknown;
  findings: Finding[];
}

export function parseYaml(text: string, file: string, codePrefix: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const findings: Finding[] = [];
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const pos = problem.linePos?.[0];
    findings.push({
      severity: doc.errors.includes(problem as (typeof doc.errors)[number]) ? 'error' : 'warning',
      code: `${codePrefix}/yaml`,
      message: `YAML: ${firstLine(problem.message)}`,
      hint: 'Fix the YAML syntax at this line (indentation, quoting, a duplicated key).',
      location: { file, ...(pos ? { line: pos.line, column: pos.col } : {}) },
    });
  }
  return { source: { file, doc, lines }, value: doc.errors.length > 0 ? undefined : doc.toJS(), findings };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Where a path points in the file. With `key: true` the position of the last key itself (for
 * "unknown key" errors), otherwise of its value. Falls back to the nearest existing parent.
 */
export function locate(
  source: YamlSource,
  segments: readonly (string | number)[],
  options: { key?: boolean } = {},
): { line: number; column: number } {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if (last && options.key) {
        offset = rangeStart(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}
