import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseCli } from '../generator/cli/parse-cli.js';
import { ROOT } from './helpers/harness.js';

// The pipelines users copy must run: valid YAML, and every `breakglass` command line in them must
// be one the CLI accepts, with each matrix entry substituted as the CI system would.

async function load(path: string): Promise<Record<string, unknown>> {
  const doc = parseDocument(await readFile(join(ROOT, path), 'utf8'));
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((e) => e.message)).toEqual([]);
  return doc.toJS() as Record<string, unknown>;
}

/** Splits a shell line into words the way the shell would for our simple lines (quotes, no globs). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** Every `npx breakglass ...` in a script, cut at redirections, pipes and `||`. */
function breakglassCalls(script: string): string[][] {
  const calls: string[][] = [];
  for (const line of script.split('\n')) {
    const at = line.indexOf('npx breakglass ');
    if (at < 0) continue;
    const command = line.slice(at + 'npx breakglass '.length).split(/\s(?:>|\|\||\||2>)\s?/)[0]!;
    calls.push(words(command));
  }
  return calls;
}

function walk(value: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(value)) for (const item of value) walk(item, visit);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      visit(key, child);
      walk(child, visit);
    }
  }
}

interface GithubJob {
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: { include?: { group: string; workspaces: string }[] } };
  steps: { run?: string; uses?: string; with?: Record<string, unknown> }[];
}

describe('ci/github/breakglass.yml', () => {
  it('calls only commands and options the CLI accepts, for every matrix entry', async () => {
    const workflow = await load('ci/github/breakglass.yml');
    const env = workflow['env'] as Record<string, string>;
    const jobs = workflow['jobs'] as Record<string, GithubJob>;
    const seen: string[] = [];
    for (const [name, job] of Object.entries(jobs)) {
      const entries = job.strategy?.matrix?.include ?? [{ group: '', workspaces: '' }];
      for (const entry of entries) {
        for (const step of job.steps) {
          if (!step.run) continue;
          const script = step.run.replaceAll('${{ matrix.workspaces }}', entry.workspaces).replaceAll('${{ matrix.group }}', entry.group).replaceAll('"$MANIFEST"', env['MANIFEST']!);
          expect(script, `${name}: an expression left in a breakglass line`).not.toMatch(/npx breakglass[^\n]*\$\{\{/);
          for (const argv of breakglassCalls(script)) {
            expect(() => parseCli(argv), `${name}: breakglass ${argv.join(' ')}`).not.toThrow();
            seen.push(`${name}: ${parseCli(argv).command}`);
          }
        }
      }
    }
    expect(new Set(seen)).toEqual(new Set(['validate: validate', 'validate: test', 'validate: render', 'validate: preview', 'plan: plan', 'push: push', 'posture: posture']));
  });

  it('uses OIDC and no secrets, uploads SARIF, plans on pull requests and pushes only from main', async () => {
    const text = await readFile(join(ROOT, 'ci/github/breakglass.yml'), 'utf8');
    expect(text).not.toContain('secrets.');
    const jobs = (await load('ci/github/breakglass.yml'))['jobs'] as Record<string, GithubJob>;
    expect(jobs['validate']!.permissions).toMatchObject({ 'security-events': 'write' });
    expect(jobs['validate']!.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.with?.['sarif_file']).toBe('breakglass.sarif');
    for (const name of ['plan', 'push']) {
      expect(jobs[name]!.permissions).toMatchObject({ 'id-token': 'write' });
      const login = jobs[name]!.steps.find((s) => s.uses?.startsWith('azure/login'));
      expect(Object.keys(login?.with ?? {})).toEqual(expect.arrayContaining(['client-id', 'tenant-id']));
      expect(login?.with).not.toHaveProperty('creds');
    }
    expect(jobs['plan']!.if).toContain("github.event_name == 'pull_request'");
    expect(jobs['push']!.if).toContain("github.ref == 'refs/heads/main'");
    expect(jobs['push']!.if).toContain("github.event_name != 'schedule'");
    expect(jobs['validate']!.if).toBe("github.event_name != 'schedule'");
    const plan = jobs['plan']!.steps.find((s) => s.run?.includes('breakglass plan'))!.run!;
    expect(plan).toContain('--detailed-exitcode');
    expect(plan).toContain('GITHUB_STEP_SUMMARY');
  });

  it('runs posture every day with the same OIDC identity, publishes it as the job summary and fails when a check fails', async () => {
    const workflow = await load('ci/github/breakglass.yml');
    expect((workflow['on'] as { schedule: { cron: string }[] }).schedule).toEqual([{ cron: '17 6 * * *' }]);
    const posture = (workflow['jobs'] as Record<string, GithubJob>)['posture']!;
    expect(posture.if).toContain("github.event_name == 'schedule'");
    expect(posture.permissions).toMatchObject({ 'id-token': 'write' });
    expect(posture.steps.find((s) => s.uses?.startsWith('azure/login'))?.with).toMatchObject({ 'client-id': '${{ vars.AZURE_CLIENT_ID }}' });
    const script = posture.steps.find((s) => s.run?.includes('breakglass posture'))!.run!;
    expect(script).toContain('GITHUB_STEP_SUMMARY');
    expect(script.trim().split('\n').at(-1)).toBe('exit "$status"');
    expect(posture.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.with?.['sarif_file']).toBe('posture.sarif');
    // A queued run cancels the pending run of its concurrency group (docs.github.com, control the
    // concurrency of workflows and jobs): the scheduled posture must not share the push's group.
    const group = (workflow['concurrency'] as { group: string }).group;
    expect(group).toBe("${{ github.event_name == 'schedule' && 'breakglass-posture' || format('breakglass-{0}', github.ref) }}");
  });
});

describe('ci/azure-devops/azure-pipelines.yml', () => {
  it('calls only commands and options the CLI accepts, for every workspace group', async () => {
    const pipeline = await load('ci/azure-devops/azure-pipelines.yml');
    const variables = pipeline['variables'] as Record<string, string>;
    const groups = (pipeline['parameters'] as { name: string; default: { name: string; workspaces: string }[] }[]).find((p) => p.name === 'workspaceGroups')!.default;
    for (const group of groups) expect(group.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    const scripts: string[] = [];
    walk(pipeline['stages'], (key, value) => {
      if ((key === 'script' || key === 'inlineScript') && typeof value === 'string') scripts.push(value);
    });
    const seen = new Set<string>();
    for (const group of groups) {
      for (const raw of scripts) {
        const script = raw.replaceAll('${{ group.workspaces }}', group.workspaces).replaceAll('"$(manifest)"', variables['manifest']!);
        for (const argv of breakglassCalls(script)) {
          expect(() => parseCli(argv), `breakglass ${argv.join(' ')}`).not.toThrow();
          seen.add(parseCli(argv).command);
        }
      }
    }
    expect(seen).toEqual(new Set(['validate', 'test', 'render', 'preview', 'plan', 'push', 'posture']));
    expect(JSON.stringify(pipeline)).not.toMatch(/secret/i);
  });

  it('runs posture on a daily schedule only, with the same service connection, as the build summary, failing visibly', async () => {
    const pipeline = await load('ci/azure-devops/azure-pipelines.yml');
    expect(pipeline['schedules']).toEqual([{ cron: '17 6 * * *', displayName: 'Daily break-glass posture', branches: { include: ['main'] }, always: true }]);
    const stages = pipeline['stages'] as { stage: string; condition?: string; jobs: { steps: { task?: string; inputs?: Record<string, string> }[] }[] }[];
    const posture = stages.find((s) => s.stage === 'posture')!;
    expect(posture.condition).toContain("eq(variables['Build.Reason'], 'Schedule')");
    const task = posture.jobs[0]!.steps.find((s) => s.task === 'AzureCLI@2')!;
    expect(task.inputs!['azureSubscription']).toBe('$(serviceConnection)');
    expect(task.inputs!['inlineScript']).toContain('##vso[task.uploadsummary]');
    expect(task.inputs!['inlineScript']!.trim().split('\n').at(-1)).toBe('exit "$status"');
    for (const stage of ['validate', 'push']) expect(stages.find((s) => s.stage === stage)!.condition).toContain("ne(variables['Build.Reason'], 'Schedule')");
  });
});
