import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputFile } from '../render/output-files.js';

/** The folders `render` owns inside the output folder; stale files in them are removed. */
const OWNED_FOLDERS = ['arm', 'arm/rules', 'yaml', 'watchlist', 'azure-monitor', 'entra'];

/**
 * Writes the rendered files. A rule dropped from the catalog must not leave its old file behind
 * (someone would import it), so the folders we own are emptied of files we did not just write.
 */
export async function writeOutputFiles(outDir: string, files: readonly OutputFile[]): Promise<void> {
  const wanted = new Set(files.map((f) => f.path));
  for (const folder of OWNED_FOLDERS) {
    const entries = await readdir(join(outDir, folder), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile() && !wanted.has(`${folder}/${entry.name}`)) await rm(join(outDir, folder, entry.name), { force: true });
    }
  }
  for (const file of files) {
    const path = join(outDir, ...file.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, 'utf8');
  }
}
