import { Ajv, type ValidateFunction } from 'ajv';
import schema from '../../schemas/manifest.schema.json' with { type: 'json' };
import { hasErrors, type Finding } from '../findings.js';
import { schemaErrorToFinding } from '../schema-errors.js';
import { parseYaml, type YamlSource } from '../yaml-source.js';
import { checkManifestSemantics } from './semantic-checks.js';
import type { Manifest } from './types.js';

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validator;
}

export interface ParsedManifest {
  /** Present when the manifest has no errors (it may still have warnings and notices). */
  manifest?: Manifest;
  findings: Finding[];
  /** The parsed file, to point later findings at manifest lines. */
  source?: YamlSource;
}

/** Parses and checks manifest text. Pure: the caller reads the file. */
export function parseManifest(text: string, file: string, knownRuleIds: readonly string[]): ParsedManifest {
  const { source, value, findings } = parseYaml(text, file, 'manifest');
  if (hasErrors(findings)) return { findings };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    findings.push({
      severity: 'error',
      code: 'manifest/not-a-mapping',
      message: 'the manifest must be a YAML mapping with accounts, exclusionGroup, notifications and workspaces',
      hint: 'Start from examples/accounts.yaml.',
      location: { file, line: 1, column: 1 },
    });
    return { findings };
  }
  const check = validate();
  if (!check(value)) {
    for (const error of check.errors ?? []) {
      const finding = schemaErrorToFinding(error, source, 'manifest');
      if (finding) findings.push(finding);
    }
    return { findings: dedupe(findings) };
  }
  const manifest = value as Manifest;
  findings.push(...checkManifestSemantics(manifest, source, knownRuleIds));
  return hasErrors(findings) ? { findings, source } : { manifest, findings, source };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.path ?? ''}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

