import { describe, expect, it } from 'vitest';
import type { Finding } from '../generator/findings.js';
import type { RenderedRule } from '../generator/render/sentinel-rule.js';
import { nrtCountFindings as validateRulesCount } from '../generator/validate/validate-rules.js';
import { runCli } from './helpers/harness.js';

const MANIFEST = 'test/fixtures/manifests/no-overrides.yaml';

async function validateWith(rulesDir: string): Promise<{ code: number; findings: Finding[] }> {
  const run = await runCli(['validate', '--manifest', MANIFEST, '--rules', rulesDir, '--format', 'json']);
  const json = JSON.parse(run.stdout) as { findings: Finding[] };
  return { code: run.code, findings: json.findings.filter((f) => f.location?.file.startsWith('test/fixtures/rules')) };
}

describe('rule catalog', () => {
  it('accepts a well-formed rule from a user folder', async () => {
    const { code, findings } = await validateWith('test/fixtures/rules-good');
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('refuses bare {{value}} and block helpers in a query template, at their lines', async () => {
    const { code, findings } = await validateWith('test/fixtures/rules-unsafe');
    expect(code).toBe(1);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'catalog/template', location: { file: 'test/fixtures/rules-unsafe/bare-value.yaml', line: 28, column: 44 }, message: expect.stringContaining("'{{exclusionGroup.objectId}}' is not allowed") }),
        expect.objectContaining({ code: 'catalog/template', location: expect.objectContaining({ file: 'test/fixtures/rules-unsafe/block-helper.yaml', line: 26 }), message: expect.stringContaining('BlockStatement is not allowed') }),
      ]),
    );
  });

  it('reports a value the query context lacks where it stands, with a suggestion', async () => {
    const { code, findings } = await validateWith('test/fixtures/rules-missing-value');
    expect(code).toBe(1);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'render/unknown-value',
        location: { file: 'test/fixtures/rules-missing-value/missing-value.yaml', line: 28, column: 43 },
        message: expect.stringContaining("Did you mean 'exclusionGroup.objectId'?"),
      }),
    ]);
  });

  it('reports a duplicate rule id with both file paths', async () => {
    const run = await runCli(['validate', '--manifest', MANIFEST, '--rules', 'test/fixtures/rules-dup-a', '--rules', 'test/fixtures/rules-dup-b']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("rule id 'same-id' is defined twice: in test/fixtures/rules-dup-a/same-id.yaml and in test/fixtures/rules-dup-b/same-id.yaml");
  });
});

describe('validation of rendered rules', () => {
  it('refuses a near-real-time rule that reaches another workspace', async () => {
    const { code, findings } = await validateWith('test/fixtures/rules-nrt-cross');
    expect(code).toBe(1);
    expect(findings).toContainEqual(expect.objectContaining({ code: 'sentinel/nrt-cross-workspace', location: { file: 'test/fixtures/rules-nrt-cross/cross-workspace.yaml', line: 26, column: 21 } }));
  });

  it('refuses more than 50 enabled near-real-time rules', () => {
    const rule = { id: 'r', kind: 'nrt', enabled: true, source: { file: 'r.yaml', lineOf: () => 6 } } as unknown as RenderedRule;
    const many = Array.from({ length: 51 }, (_, i) => ({ ...rule, id: `r${i}` }));
    const countFinding = (rules: RenderedRule[]) => validateRulesCount(rules);
    expect(countFinding(many)).toEqual([expect.objectContaining({ code: 'sentinel/nrt-count', ruleId: 'r50', message: '51 enabled near-real-time rules; Sentinel allows 50' })]);
    expect(countFinding(many.slice(0, 50))).toEqual([]);
  });

  it('collects every offender across rules, each with rule id, file and line', async () => {
    const { code, findings } = await validateWith('test/fixtures/rules-broken');
    expect(code).toBe(1);
    const summary = findings.map((f) => `${f.ruleId} ${f.code} ${f.location?.file.split('/').pop()}:${f.location?.line}`).sort();
    expect(summary).toEqual(
      [
        'bad-mappings sentinel/alert-name-placeholders bad-mappings.yaml:28',
        'bad-mappings sentinel/custom-details-key bad-mappings.yaml:26',
        'bad-mappings sentinel/entity-identifier bad-mappings.yaml:20',
        'bad-mappings sentinel/tactic bad-mappings.yaml:11',
        'bad-mappings sentinel/unknown-column bad-mappings.yaml:23',
        'search-star sentinel/full-scan search-star.yaml:26',
        // SigninLogs.Status is dynamic, AADNonInteractiveUserSignInLogs.Status a string: the union
        // splits it into Status_dynamic and Status_string, and Status no longer exists.
        'type-mismatch kql/KS142 type-mismatch.yaml:28',
        'unknown-column kql/KS142 unknown-column.yaml:29',
        'unknown-column sentinel/unknown-column unknown-column.yaml:21',
      ].sort(),
    );
  });
});
