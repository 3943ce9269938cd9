/**
 * The headless Chromium the browser tests drive, found without apt or a download: CHROMIUM_PATH
 * when set, else a system Chromium, else the binary that the @sparticuz/chromium package ships
 * inside itself (brotli-compressed), unpacked once into node_modules/.cache. `npm ci && npm test`
 * is then enough on a machine with only Node and npm.
 */
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './harness.js';

/** Where distributions put their Chromium (Debian and Ubuntu's package, Google's). */
export const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'];

/**
 * Flags for a closed network: without them Chromium keeps trying to reach its own services and
 * every start logs refused connections. Playwright adds --headless and a fresh, empty
 * --user-data-dir of its own for every launch (it refuses one given here).
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface FoundChromium {
  path: string;
  /** How it was found, for messages: CHROMIUM_PATH, system, or the npm package and its version. */
  source: string;
}

export interface FindOptions {
  env?: Record<string, string | undefined>;
  /** Seam for tests: the system paths looked at (none, to prove the packaged binary works). */
  systemPaths?: readonly string[];
  /** Seam for tests: where the packaged binary is unpacked. */
  cacheRoot?: string;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

export async function findChromium(options: FindOptions = {}): Promise<FoundChromium> {
  const env = options.env ?? process.env;
  const given = env['CHROMIUM_PATH'];
  if (given) {
    if (!(await isExecutable(given))) throw new Error(`CHROMIUM_PATH=${given} is not an executable file: point it at a Chromium or Chrome binary, or unset it to use the one in @sparticuz/chromium`);
    return { path: given, source: 'CHROMIUM_PATH' };
  }
  for (const path of options.systemPaths ?? SYSTEM_CHROMIUM) if (await isExecutable(path)) return { path, source: 'system' };
  return packagedChromium(options.cacheRoot ?? join(ROOT, 'node_modules', '.cache', 'breakglass-chromium'));
}

/**
 * The package's Chromium, unpacked into `cacheRoot/<version>/`: the binary and the SwiftShader
 * GL libraries it looks for beside itself. The folder is made under a temporary name and renamed
 * into place, so a run stopped halfway or a second worker unpacking at the same time never leaves
 * a half-written binary to be used.
 */
async function packagedChromium(cacheRoot: string): Promise<FoundChromium> {
  const packageDir = await packageFolder('@sparticuz/chromium');
  const packageFile = join(packageDir, 'package.json');
  const { version } = JSON.parse(await readFile(packageFile, 'utf8')) as { version: string };
  const source = `@sparticuz/chromium ${version}`;
  const folder = join(cacheRoot, version);
  const binary = join(folder, 'chromium');
  if (existsSync(binary)) return { path: binary, source };
  const bin = join(dirname(packageFile), 'bin');
  const staging = `${folder}.partial-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(join(staging, 'chromium'), brotliDecompressSync(await readFile(join(bin, 'chromium.br'))));
    await chmod(join(staging, 'chromium'), 0o755);
    for (const entry of untar(brotliDecompressSync(await readFile(join(bin, 'swiftshader.tar.br'))))) {
      await writeFile(join(staging, entry.name), entry.data, { mode: entry.mode });
    }
    await rename(staging, folder).catch(async (error: NodeJS.ErrnoException) => {
      // Another worker got there first: its copy is complete (it was renamed whole).
      if (!existsSync(binary)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { path: binary, source };
}

/** The folder of an installed package (its exports map hides package.json from require.resolve). */
async function packageFolder(name: string): Promise<string> {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(await readFile(file, 'utf8')) as { name?: string }).name === name) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the folder of ${name}; run npm ci`);
    dir = dirname(dir);
  }
}

/** The regular files of a ustar archive (flat: the SwiftShader archive has no folders). */
function untar(archive: Buffer): { name: string; mode: number; data: Buffer }[] {
  const files: { name: string; mode: number; data: Buffer }[] = [];
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from: number, length: number): string => header.subarray(from, from + length).toString('latin1').replace(/\0.*$/s, '').trim();
    const name = text(0, 100).replace(/^\.\//, '');
    const size = parseInt(text(124, 12), 8);
    const type = text(156, 1);
    const data = archive.subarray(offset + 512, offset + 512 + size);
    if ((type === '0' || type === '') && name !== '' && !name.includes('/')) files.push({ name, mode: parseInt(text(100, 8), 8) & 0o777, data });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** A headless Chromium, launched with the closed-network flags. */
export async function launchChromium(options: FindOptions = {}): Promise<{ browser: Browser; found: FoundChromium }> {
  const found = await findChromium(options);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS }).catch((error: unknown) => {
    throw new Error(`could not start Chromium from ${found.source} (${found.path}): ${error instanceof Error ? error.message : String(error)}`);
  });
  return { browser, found };
}
