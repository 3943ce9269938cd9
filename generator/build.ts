import type { Catalog } from './catalog/rule-template.js';
import type { Finding, SourceLocation } from './findings.js';
import { hasErrors } from './findings.js';
import { parseManifest } from './manifest/parse-manifest.js';
import type { Manifest } from './manifest/types.js';
import { outputFiles, type OutputFile } from './render/output-files.js';
import { renderRules, type RenderedRules } from './render/render-rules.js';
import { validateRules, type RuleValidation } from './validate/validate-rules.js';
import { locate } from './yaml-source.js';

export interface BuildInput {
  manifestText: string;
  manifestFile: string;
  catalog: Catalog;
  /** Kusto global state with the workspace tables (a seam: tests and benchmarks pass their own). */
  globals: Kusto.Language.GlobalState;
}

export interface BuildResult {
  manifest?: Manifest;
  rendered?: RenderedRules;
  validations: RuleValidation[];
  files: OutputFile[];
  findings: Finding[];
}

/** manifest text -> typed manifest -> rendered rules -> validation -> files. Pure: no I/O. */
export function build(input: BuildInput): BuildResult {
  const ruleIds = input.catalog.rules.map((r) => r.template.id);
  const parsed = parseManifest(input.manifestText, input.manifestFile, ruleIds);
  const findings = [...parsed.findings];
  if (!parsed.manifest) return { validations: [], files: [], findings };
  const rendered = renderRules(parsed.manifest, input.catalog, input.manifestFile);
  findings.push(...rendered.findings);
  const source = parsed.source!;
  const locateInManifest = (segments: readonly (string | number)[]): SourceLocation => ({ file: input.manifestFile, ...locate(source, segments, { key: true }) });
  const { findings: validationFindings, results } = validateRules(rendered.rules, { globals: input.globals, locateInManifest });
  findings.push(...validationFindings);
  const files = hasErrors(findings) ? [] : outputFiles(parsed.manifest, rendered);
  return { manifest: parsed.manifest, rendered, validations: results, files, findings };
}
