import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_MANIFEST, FIXTURES, ROOT, runCli, sharedGlobals, tempDir } from './helpers/harness.js';
import { main } from '../generator/cli.js';
import { COMMAND_NAMES, commandSpec } from '../generator/cli/commands.js';

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const f of await listFiles(dir)) files.set(f, await readFile(join(dir, f), 'utf8'));
  return files;
}

describe('breakglass render', () => {
  it('renders the example into ARM and YAML files, one per rule, and prints a summary', async () => {
    const out = await tempDir();
    const run = await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = await listFiles(out);
    const arm = files.filter((f) => f.startsWith('arm/rules/'));
    const yaml = files.filter((f) => f.startsWith('yaml/'));
    expect(arm.length).toBeGreaterThanOrEqual(9);
    expect(yaml.map((f) => f.replace('yaml/', '').replace('.yaml', ''))).toEqual(arm.map((f) => f.replace('arm/rules/', '').replace('.json', '')));
    expect(run.stdout).toMatch(/2 accounts, account lists inline in each query/);
    expect(run.stdout).toMatch(new RegExp(`${arm.length} rules validated with Kusto.Language against the workspace schema: 0 errors, 0 warnings`));
    // Every rendered file, and the record of what render wrote there.
    expect(files).toContain('.breakglass-files.json');
    expect(run.stdout).toContain(`wrote ${files.length - 1} files to`);
  });

  it('is deterministic: rendering twice gives byte-identical files', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    expect((await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', a])).code).toBe(0);
    expect((await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', b])).code).toBe(0);
    expect(await snapshot(b)).toEqual(await snapshot(a));
  });

  it('keeps rule GUIDs stable across renders and distinct per namespace', async () => {
    const out = await tempDir();
    await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', out]);
    const first = parse(await readFile(join(out, 'yaml/signin-success.yaml'), 'utf8')) as { id: string };
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = join(await tempDir(), 'accounts.yaml');
    await writeFile(other, (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('6f1c2a7e-0b5d-4e8a-9f3c-2d7b8e4a1c90', '00000000-0000-4000-8000-000000000001'));
    const out2 = await tempDir();
    await runCli(['render', '--manifest', other, '--out', out2]);
    const second = parse(await readFile(join(out2, 'yaml/signin-success.yaml'), 'utf8')) as { id: string };
    expect(second.id).not.toBe(first.id);
  });

  it('writes nothing and exits 1 when the manifest is invalid, keeping earlier output', async () => {
    const out = await tempDir();
    await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', out]);
    const before = await snapshot(out);
    const run = await runCli(['render', '--manifest', 'test/fixtures/manifests/bad-guid.yaml', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('test/fixtures/manifests/bad-guid.yaml:7:15 error manifest/pattern accounts[1].objectId');
    expect(run.stdout).toContain('nothing written');
    expect(await snapshot(out)).toEqual(before);
  });

  it('fails on a warning unless --allow-warnings', async () => {
    const single = 'test/fixtures/manifests/single-account.yaml';
    const strict = await runCli(['validate', '--manifest', single]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('warning manifest/single-account only 1 break-glass account is listed; Microsoft recommends two or more');
    expect(strict.stdout).toContain('failed on warnings');
    expect((await runCli(['validate', '--manifest', single, '--allow-warnings'])).code).toBe(0);
  });
});

describe('breakglass validate', () => {
  it('refuses a schedule on a near-real-time rule, pointing at the manifest line, instead of ignoring it', async () => {
    const dir = await tempDir();
    const text = (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace(
      /^rules:\n(  .*\n|    .*\n)*/m,
      'rules:\n  signin-success:\n    queryFrequency: 1m\n  signin-failure:\n    queryPeriod: 15d\n  account-updated:\n    kind: scheduled\n    queryFrequency: 1h\n    queryPeriod: 1h\n',
    );
    await writeFile(join(dir, 'accounts.yaml'), text);
    const run = await runCli(['validate', '--manifest', 'accounts.yaml'], dir);
    expect(run.code).toBe(1);
    const line = text.split('\n').indexOf('    queryFrequency: 1m') + 1;
    expect(run.stderr).toContain(`accounts.yaml:${line}:5 error sentinel/nrt-schedule signin-success: queryFrequency 1m has no effect: signin-success is a near-real-time rule, which runs every minute over the records that arrived since its last run`);
    expect(run.stderr).toContain('fix: To run it on a schedule, add kind: scheduled to rules.signin-success in the manifest');
    expect(run.stderr).toContain('signin-failure: queryPeriod 15d has no effect');
    // A scheduled rule takes its schedule.
    expect(run.stderr).not.toContain('account-updated');
  });

  it('writes no files', async () => {
    const cwd = await tempDir();
    const run = await runCli(['validate', '--manifest', EXAMPLE_MANIFEST], cwd);
    expect(run.code).toBe(0);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('gives a JSON report with every rule and its output columns', async () => {
    const run = await runCli(['validate', '--manifest', EXAMPLE_MANIFEST, '--format', 'json']);
    const json = JSON.parse(run.stdout) as { ok: boolean; rules: { id: string; outputColumns: Record<string, string> }[] };
    expect(json.ok).toBe(true);
    expect(json.rules.find((r) => r.id === 'signin-success')?.outputColumns).toMatchObject({ AccountObjectId: 'string', AccountUPN: 'string', IPAddress: 'string' });
  });

  it('gives SARIF 2.1.0 that points at the file and line', async () => {
    const run = await runCli(['validate', '--manifest', 'test/fixtures/manifests/unknown-rule.yaml', '--format', 'sarif']);
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.stdout) as { version: string; runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toEqual([
      expect.objectContaining({
        ruleId: 'manifest/unknown-rule',
        level: 'error',
        locations: [{ physicalLocation: { artifactLocation: { uri: 'test/fixtures/manifests/unknown-rule.yaml' }, region: { startLine: 32, startColumn: 3 } } }],
      }),
    ]);
  });
});

describe('usage', () => {
  it.each([
    [[], 'name a command'],
    [['deploy', '--manifest', 'x'], "unknown command 'deploy'"],
    [['render'], 'render needs --manifest FILE'],
    [['render', '--manifest', 'nope.yaml'], 'cannot read the manifest nope.yaml: no such file'],
    [['validate', '--manifest', EXAMPLE_MANIFEST, '--format', 'xml'], '--format must be text, json or sarif'],
    [['validate', '--manifest', EXAMPLE_MANIFEST, '--frobnicate'], 'breakglass: unknown option --frobnicate\n'],
    [['validate', '--manifset', EXAMPLE_MANIFEST], 'breakglass: unknown option --manifset (did you mean --manifest?)\n'],
    [['render', '--manifest', EXAMPLE_MANIFEST, '--allow-warning'], 'breakglass: unknown option --allow-warning (did you mean --allow-warnings?)\n'],
    [['validate', '-x'], 'breakglass: unknown option -x\n'],
    [['validate', '--manifest', EXAMPLE_MANIFEST, '--manifest', 'other.yaml'], `breakglass: --manifest is given twice ('${EXAMPLE_MANIFEST}' and 'other.yaml'); give it once\n`],
    [['validate', '-m', EXAMPLE_MANIFEST, '--manifest', 'other.yaml'], `--manifest is given twice`],
    [['render', '--manifest', '--out', 'out'], 'breakglass: --manifest needs a value: --manifest FILE\n'],
    [['render', '--manifest'], 'breakglass: --manifest needs a value: --manifest FILE\n'],
    [['validate', '--manifest', EXAMPLE_MANIFEST, '--allow-warnings=yes'], "breakglass: --allow-warnings takes no value (remove '=yes')\n"],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('documents the short forms and takes them: -m, -o, -y, -h, -v', async () => {
    const help = await runCli(['render', '--help']);
    expect(help.stdout).toMatch(/^ {2}-m, --manifest FILE +the accounts manifest/m);
    expect(help.stdout).toMatch(/^ {2}-o, --out DIR +output folder/m);
    expect(help.stdout).toMatch(/^ {2}-h, --help +this help/m);
    expect((await runCli(['push', '--help'])).stdout).toMatch(/^ {2}-y, --yes +push without asking/m);
    const out = await tempDir();
    const run = await runCli(['render', '-m', EXAMPLE_MANIFEST, '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote`);
    expect((await runCli(['-v'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints help and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 ok; 1 validation failed');
    for (const command of COMMAND_NAMES) expect(help.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each(COMMAND_NAMES)('%s --help shows its usage, only its options, and examples that parse', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage:\n  breakglass ${command} `);
    const spec = commandSpec(command)!;
    const shown = [...run.stdout.split('Options:')[1]!.split('Examples:')[0]!.matchAll(/^ {2}(?:-[a-z], )?--([a-z-]+)/gm)].map((m) => m[1]);
    expect(shown).toEqual([...spec.options, 'help']);
    expect(spec.examples.length).toBeGreaterThan(0);
    for (const example of spec.examples) expect(run.stdout).toContain(example);
    // `breakglass help CMD` is the same page.
    expect((await runCli(['help', command])).stdout).toBe(run.stdout);
  });

  it('colours its output only for a terminal', async () => {
    const manifest = join(FIXTURES, 'manifests', 'bad-guid.yaml');
    const runAs = async (isTTY: boolean): Promise<string> => {
      let stderr = '';
      const code = await main(['validate', '--manifest', manifest], { cwd: ROOT, stdout: { write: () => true, isTTY }, stderr: { write: (s: string) => (stderr += s), isTTY }, globals: sharedGlobals });
      expect(code).toBe(1);
      return stderr;
    };
    const ESC = String.fromCharCode(27);
    expect(await runAs(true)).toContain(`${ESC}[`);
    const plain = await runAs(false);
    expect(plain).toContain('is not a GUID');
    expect(plain).not.toContain(ESC);
  });

  it('rejects an option that belongs to another command, pointing at the command help', async () => {
    const run = await runCli(['validate', '--manifest', EXAMPLE_MANIFEST, '--prune']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("breakglass: --prune is not an option of validate\nRun 'breakglass validate --help' for usage.\n");
    const help = await runCli(['nope', '--help']);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain("unknown command 'nope'");
  });
});
