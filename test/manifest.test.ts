import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../generator/findings.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import { FIXTURES } from './helpers/harness.js';

const RULE_IDS = ['signin-success', 'signin-failure', 'account-updated', 'role-changed'];

function parseFixture(name: string) {
  const file = `test/fixtures/manifests/${name}`;
  return parseManifest(readFileSync(join(FIXTURES, 'manifests', name), 'utf8'), file, RULE_IDS);
}

function only(findings: Finding[], severity: Finding['severity']): Finding[] {
  return findings.filter((f) => f.severity === severity);
}

describe('manifest', () => {
  it('accepts the valid manifest without errors or warnings', () => {
    const { manifest, findings } = parseFixture('valid.yaml');
    expect(findings).toEqual([]);
    expect(manifest?.accounts.map((a) => a.objectId)).toEqual(['34bbde15-5585-4333-a9d6-fd1b529ab024', '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45']);
  });

  it('names every unknown key with file, path, line and a suggestion', () => {
    const { manifest, findings } = parseFixture('unknown-key.yaml');
    expect(manifest).toBeUndefined();
    const errors = only(findings, 'error');
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(
      expect.objectContaining({
        code: 'manifest/unknown-key',
        path: 'exclusionGroup.displayNmae',
        location: { file: 'test/fixtures/manifests/unknown-key.yaml', line: 12, column: 3 },
        message: expect.stringContaining("Did you mean 'displayName'?"),
      }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ path: 'notificaton', message: expect.stringContaining("Did you mean 'notifications'?") }));
  });

  it('rejects a malformed GUID at its path and line', () => {
    const { findings } = parseFixture('bad-guid.yaml');
    expect(only(findings, 'error')).toEqual([
      expect.objectContaining({
        path: 'accounts[1].objectId',
        location: expect.objectContaining({ line: 7 }),
        message: expect.stringMatching(/accounts\[1\]\.objectId: "2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae4Z" is not a GUID/),
      }),
    ]);
  });

  it('rejects the same account listed twice, whatever the case of its id', () => {
    const { findings } = parseFixture('duplicate-account.yaml');
    expect(only(findings, 'error')).toEqual([
      expect.objectContaining({
        code: 'manifest/duplicate-account',
        path: 'accounts[1].objectId',
        message: expect.stringContaining('is the same account as accounts[0] (line 3)'),
      }),
    ]);
  });

  it('rejects an unknown rule id and suggests the closest', () => {
    const { findings } = parseFixture('unknown-rule.yaml');
    expect(only(findings, 'error')).toEqual([
      expect.objectContaining({ code: 'manifest/unknown-rule', path: 'rules.signin-failur', message: expect.stringContaining("Did you mean 'signin-failure'?") }),
    ]);
  });

  it('warns about a single account (Microsoft recommends two or more)', () => {
    const { manifest, findings } = parseFixture('single-account.yaml');
    expect(manifest).toBeDefined();
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'manifest/single-account', path: 'accounts', location: expect.objectContaining({ line: 3 }) })]);
  });

  it('requires the role of a privileged-role account', () => {
    const { findings } = parseFixture('missing-role.yaml');
    expect(only(findings, 'error')).toEqual([expect.objectContaining({ code: 'manifest/missing-key', path: 'accounts[1].role', hint: expect.stringContaining('role') })]);
  });

  it('reports YAML syntax errors with their line', () => {
    const { findings } = parseFixture('yaml-syntax.yaml');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ severity: 'error', code: 'manifest/yaml', location: { file: 'test/fixtures/manifests/yaml-syntax.yaml', line: expect.any(Number) } });
  });

  it('rejects a manifest that is not a mapping', () => {
    expect(parseManifest('- just\n- a list\n', 'm.yaml', RULE_IDS).findings).toEqual([expect.objectContaining({ code: 'manifest/not-a-mapping' })]);
  });
});

describe('an id namespace others use too', () => {
  const valid = readFileSync(join(FIXTURES, 'manifests', 'valid.yaml'), 'utf8');
  const withNamespace = (ns: string) => parseManifest(valid.replace(/^idNamespace: .*$/m, `idNamespace: ${ns}`), 'accounts.yaml', RULE_IDS);

  it.each([
    ['00000000-0000-0000-0000-000000000000', 'the all-zero (nil) GUID'],
    ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'the all-f (max) GUID'],
    ['11111111-1111-1111-1111-111111111111', 'a placeholder of one repeated digit'],
    ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', "RFC 9562's DNS namespace"],
    ['6ba7b811-9dad-11d1-80b4-00c04fd430c8', "RFC 9562's URL namespace"],
  ])('%s is a warning at idNamespace, saying why', (ns, why) => {
    const { manifest, findings } = withNamespace(ns);
    expect(manifest).toBeDefined();
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'manifest/shared-namespace', path: 'idNamespace', location: expect.objectContaining({ line: expect.any(Number) }), message: expect.stringContaining(`is ${why}`) }),
    ]);
  });

  it('a namespace of your own is not', () => {
    expect(withNamespace('7c3e9a51-2f4d-4b8e-9a61-0d5c2e8f1b47').findings).toEqual([]);
  });
});
