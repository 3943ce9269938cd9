/**
 * render never loses a user's file: it removes or overwrites only what it wrote before, writes all
 * or nothing, says what went wrong in one line, and stops on Ctrl-C with --out as it was.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITTEN_RECORD, WriteError, writeOutputFiles, type WriterFs } from '../generator/io/write-files.js';
import { runAndInterrupt } from './helpers/interrupt.js';
import { EXAMPLE_MANIFEST, FIXTURES, runCli, snapshot, tempDir } from './helpers/harness.js';

const render = (out: string, extra: string[] = [], cwd?: string) => runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', out, ...extra], cwd);

/** A folder that holds a user's own files, as a repository would. */
async function usersFolder(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'yaml'), { recursive: true });
  await mkdir(join(dir, 'arm'), { recursive: true });
  await writeFile(join(dir, 'yaml', 'my-pipeline.yaml'), 'trigger: main\n');
  await writeFile(join(dir, 'arm', 'notes.txt'), 'my notes\n');
  await writeFile(join(dir, 'README.md'), '# my repo\n');
  return dir;
}

describe('render --out keeps every file it did not write', () => {
  it('with --out ., a repository\'s own files survive the first render and every render after it', async () => {
    const dir = await usersFolder();
    const mine = await snapshot(dir);
    const first = await render('.', [], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const second = await render('.', [], dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^wrote \d+ files to \.\/ \((\d+) already up to date\)$/m);
    const after = await snapshot(dir);
    for (const [path, text] of mine) expect(after.get(path), path).toBe(text);
    expect(after.has('arm/rules/signin-success.json')).toBe(true);
    // What render wrote is recorded, with a hash of each file, so later renders know what is theirs.
    const record = JSON.parse(after.get(WRITTEN_RECORD)!) as { files: { render: Record<string, string> } };
    expect(Object.keys(record.files.render)).toContain('arm/rules/signin-success.json');
    expect(Object.keys(record.files.render)).not.toContain('yaml/my-pipeline.yaml');
  });

  it('removes the files of a rule that is no longer rendered, and keeps one that someone changed', async () => {
    const out = await tempDir();
    const rules = join(FIXTURES, 'rules-good');
    expect((await render(out, ['--rules', rules])).code).toBe(0);
    const withDemo = await snapshot(out);
    expect(withDemo.has('arm/rules/demo-signin.json')).toBe(true);
    expect(withDemo.has('yaml/demo-signin.yaml')).toBe(true);
    await writeFile(join(out, 'yaml', 'demo-signin.yaml'), `${withDemo.get('yaml/demo-signin.yaml')}# my change\n`);
    const run = await render(out);
    expect(run.code).toBe(0);
    const after = await snapshot(out);
    expect(after.has('arm/rules/demo-signin.json')).toBe(false);
    expect(run.stdout).toContain(`removed 1 file it wrote before that are no longer rendered: ${out}/arm/rules/demo-signin.json`);
    expect(after.get('yaml/demo-signin.yaml')).toContain('# my change');
    expect(run.stdout).toContain(`kept ${out}/yaml/demo-signin.yaml: no longer rendered, but changed since breakglass wrote it`);
  });

  it('refuses to overwrite a file it did not write, changing nothing; --force overwrites it', async () => {
    const dir = await usersFolder();
    await mkdir(join(dir, 'arm', 'rules'), { recursive: true });
    await writeFile(join(dir, 'arm', 'rules', 'signin-success.json'), '{"mine": true}\n');
    const before = await snapshot(dir);
    const run = await render('.', [], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('./arm/rules/signin-success.json: not written by breakglass');
    expect(run.stdout).toContain('nothing written to ./: 1 file there would be overwritten that breakglass did not write (listed above); move it away, choose another --out, or pass --force to overwrite');
    expect(await snapshot(dir)).toEqual(before);
    const json = JSON.parse((await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', '.', '--format', 'json'], dir)).stdout) as { ok: boolean; refused: unknown[]; files: unknown[] };
    expect(json).toMatchObject({ ok: false, files: [], refused: [{ file: './arm/rules/signin-success.json', reason: 'not written by breakglass' }] });
    const forced = await render('.', ['--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'arm', 'rules', 'signin-success.json'), 'utf8')).toContain('"contentVersion"');
    expect(await readFile(join(dir, 'yaml', 'my-pipeline.yaml'), 'utf8')).toBe('trigger: main\n');
  });

  it('refuses to overwrite a file of its own that someone changed since', async () => {
    const out = await tempDir();
    await render(out);
    await writeFile(join(out, 'arm', 'playbook.json'), '{"edited": true}\n');
    const run = await render(out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${out}/arm/playbook.json: changed since breakglass wrote it`);
    expect(await readFile(join(out, 'arm', 'playbook.json'), 'utf8')).toBe('{"edited": true}\n');
  });
});

describe('a failed write leaves --out as it was, with one line naming the path', () => {
  it('out is a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'out'), 'a file\n');
    const run = await render('out', [], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('breakglass: cannot write out: it is a file, not a folder (choose another --out); nothing was changed\n');
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('a file\n');
  });

  it('a folder on the way is a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'arm'), 'a file where render needs a folder\n');
    const run = await render('.', [], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^breakglass: cannot write arm\/rules\/[a-z-]+\.json: a part of the path is a file, not a folder \(ENOTDIR\); nothing was changed\n$/);
    expect([...(await snapshot(dir)).keys()]).toEqual(['arm']);
  });

  const failingOn = (n: number, code: string, onWrite?: () => void): WriterFs => {
    let writes = 0;
    return {
      ...(fs as unknown as WriterFs),
      async writeFile(path, data) {
        onWrite?.();
        if (++writes === n) throw Object.assign(new Error(`${code}: failed, write '${path}'`), { code });
        await fs.writeFile(path, data);
      },
    };
  };

  it.each([
    ['the disk fills up', 'ENOSPC', 'no space left on the device (ENOSPC)'],
    ['a folder is not writable', 'EACCES', 'permission denied (EACCES)'],
  ])('%s halfway: nothing is left behind, the earlier render stays whole', async (_, code, reason) => {
    const out = await tempDir();
    const { result } = await built();
    // An earlier render, and a user's file, both untouched by the failed one.
    await writeOutputFiles(out, result.files.slice(0, 5), { owner: 'render' });
    await writeFile(join(out, 'mine.txt'), 'mine\n');
    const before = await snapshot(out);
    const error = await writeOutputFiles(out, result.files, { owner: 'render', fs: failingOn(12, code) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toMatch(new RegExp(`^cannot write ${out}/\\S+: ${reason.replace(/[()]/g, '\\$&')}$`));
    expect(await snapshot(out)).toEqual(before);
    // A fresh folder is removed again.
    const fresh = join(await tempDir(), 'out');
    await expect(writeOutputFiles(fresh, result.files, { owner: 'render', fs: failingOn(3, code) })).rejects.toThrow(WriteError);
    await expect(fs.stat(fresh)).rejects.toThrow(/ENOENT/);
  });

  it('Ctrl-C while the files are written: stops, removes what it staged, reports interrupted', async () => {
    const out = await tempDir();
    const { result } = await built();
    await writeOutputFiles(out, result.files, { owner: 'render' });
    const before = await snapshot(out);
    const controller = new AbortController();
    let writes = 0;
    const outcome = await writeOutputFiles(out, result.files.map((f) => ({ ...f, content: `${f.content}\n` })), {
      owner: 'render',
      signal: controller.signal,
      fs: failingOn(Number.POSITIVE_INFINITY, '', () => {
        if (++writes === 4) controller.abort();
      }),
    });
    expect(outcome).toEqual({ state: 'interrupted' });
    expect(await snapshot(out)).toEqual(before);
  });
});

let builtOnce: Promise<{ result: import('../generator/build.js').BuildResult }> | undefined;
function built() {
  builtOnce ??= import('./helpers/content.js').then(async ({ loadContent }) => ({ result: (await loadContent()).build() }));
  return builtOnce;
}

describe('Ctrl-C', () => {
  it('before render writes: exit 130, nothing written, one line', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = await tempDir();
    const run = await runCli(['render', '--manifest', EXAMPLE_MANIFEST, '--out', out], undefined, { signal: controller.signal });
    expect(run.code).toBe(130);
    expect(run.stderr).toBe('breakglass: interrupted; nothing was written\n');
    expect(await snapshot(out)).toEqual(new Map());
  });

  // One real process each, run side by side: the signal, the handler and the exit code as a shell sees them.
  it('pressed during render or test in a real process: exit 130, --out as it was, no report', async () => {
    const dir = await usersFolder();
    const before = await snapshot(dir);
    const [rendering, testing] = await Promise.all([runAndInterrupt(['render', '--manifest', EXAMPLE_MANIFEST, '--out', '.'], dir), runAndInterrupt(['test', '--manifest', EXAMPLE_MANIFEST], dir)]);
    expect(rendering).toMatchObject({ code: 130, signal: null, stdout: '', stderr: 'breakglass: interrupted; nothing was written\n' });
    expect(testing).toMatchObject({ code: 130, signal: null, stdout: '' });
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('preview --out keeps a page it did not write', () => {
  it('refuses to overwrite a preview/index.html of someone else, changing nothing; --force overwrites it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'preview'), { recursive: true });
    await writeFile(join(dir, 'preview', 'index.html'), '<p>mine</p>\n');
    const run = await runCli(['preview', '--manifest', EXAMPLE_MANIFEST, '--out', '.'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('breakglass: preview/index.html is there and was not written by breakglass preview; nothing written (move it away, choose another --out, or pass --force to overwrite it)\n');
    expect(await readFile(join(dir, 'preview', 'index.html'), 'utf8')).toBe('<p>mine</p>\n');
    const forced = await runCli(['preview', '--manifest', EXAMPLE_MANIFEST, '--out', '.', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'preview', 'index.html'), 'utf8')).toContain('<!doctype html>');
    // Then it is ours: the next preview replaces it without --force, and render leaves it alone.
    expect((await runCli(['preview', '--manifest', EXAMPLE_MANIFEST, '--out', '.'], dir)).code).toBe(0);
    expect((await render('.', [], dir)).code).toBe(0);
    expect((await snapshot(dir)).has('preview/index.html')).toBe(true);
  });
});
