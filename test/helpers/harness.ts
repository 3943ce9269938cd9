import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIo } from '../../generator/cli.js';
import { readCatalog } from '../../generator/catalog/read-catalog.js';
import type { Catalog } from '../../generator/catalog/rule-template.js';
import { workspaceGlobals } from '../../generator/validate/kusto-schema.js';
import type { PlaybookSource } from '../../generator/playbook/playbook-definition.js';
import { readPlaybook } from '../../generator/playbook/read-playbook.js';
import { parseWorkbookTemplate, type ParsedWorkbook } from '../../generator/workbook/workbook-template.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const EXAMPLE_MANIFEST = join(ROOT, 'examples', 'accounts.yaml');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

let globals: Kusto.Language.GlobalState | undefined;
/** One Kusto global state per test worker: building it is the slow part. */
export function sharedGlobals(): Kusto.Language.GlobalState {
  globals ??= workspaceGlobals();
  return globals;
}

export async function builtInCatalog(): Promise<Catalog> {
  const { catalog, findings } = await readCatalog([join(ROOT, 'analytics-rules')], ROOT);
  if (findings.some((f) => f.severity === 'error')) throw new Error(`catalog has errors: ${JSON.stringify(findings, null, 2)}`);
  return catalog;
}

export async function exampleManifestText(): Promise<string> {
  return readFile(EXAMPLE_MANIFEST, 'utf8');
}

export async function tempDir(prefix = 'breakglass-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as a user would from `cwd`. */
export async function runCli(args: string[], cwd = ROOT, seams: Pick<CliIo, 'prompt' | 'newGuid' | 'signal'> & { isTTY?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd,
    stdout: { write: (s: string) => (stdout += s), ...(seams.isTTY ? { isTTY: true } : {}) },
    stderr: { write: (s: string) => (stderr += s), ...(seams.isTTY ? { isTTY: true } : {}) },
    globals: sharedGlobals,
    ...(seams.prompt ? { prompt: seams.prompt } : {}),
    ...(seams.newGuid ? { newGuid: seams.newGuid } : {}),
    ...(seams.signal ? { signal: seams.signal } : {}),
  });
  return { code, stdout, stderr };
}

/** Every file under a folder (relative paths, sorted) with its text: what a user would see there. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(folder, entry.name), rel);
      else files.set(rel, await readFile(join(folder, entry.name), 'utf8'));
    }
  };
  await walk(dir, '');
  return files;
}

export async function builtInPlaybook(): Promise<PlaybookSource> {
  return readPlaybook(join(ROOT, 'playbooks'), ROOT);
}

export async function builtInWorkbook(): Promise<ParsedWorkbook> {
  return parseWorkbookTemplate(await readFile(join(ROOT, 'workbooks', 'breakglass-accounts.yaml'), 'utf8'), 'workbooks/breakglass-accounts.yaml');
}
