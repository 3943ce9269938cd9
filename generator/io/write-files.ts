/**
 * Writes rendered files into the output folder without losing anything of the user's there.
 *
 * - Only files this tool wrote are removed or overwritten: what it wrote is recorded, with a hash
 *   of each file's content, in `<out>/.breakglass-files.json`. A file it would write that is
 *   already there with other content and is not recorded as ours (or was changed since) is the
 *   user's: the write is refused, untouched, unless `force` is given. A file of ours that is no
 *   longer rendered (a rule dropped from the catalog) is removed, so nobody imports it by mistake;
 *   if someone changed it since, it is kept and reported.
 * - All or nothing: every new file is first written to a temporary sibling; only when all are
 *   written are they renamed into place. A failed write (out is a file, a folder is not writable,
 *   the disk is full) or an interruption before that point removes the temporaries and any folder
 *   made for them, leaving the output folder as it was.
 * - A file-system failure becomes a WriteError naming the path and the reason in one line.
 */
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputFile } from '../render/output-files.js';

/** The record of what was written, inside the output folder. */
export const WRITTEN_RECORD = '.breakglass-files.json';

/** The file-system calls the writer makes (a seam: tests inject failures). */
export interface WriterFs {
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  lstat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean }>;
}

export interface WriteOptions {
  /** Which command's files these are (render, preview): each keeps its own list in the record. */
  owner: string;
  /** Overwrite files that are not ours. */
  force?: boolean;
  /** Aborted (Ctrl-C): stop before anything is renamed into place. */
  signal?: AbortSignal;
  fs?: WriterFs;
}

export type WriteOutcome =
  | {
      state: 'written';
      /** Files written or replaced. */
      written: string[];
      /** Files that already had this content. */
      unchanged: string[];
      /** Files of ours no longer rendered, removed. */
      removed: string[];
      /** Files of ours no longer rendered that someone changed: left in place. */
      kept: string[];
    }
  /** Files there that are not ours; nothing was written. */
  | { state: 'refused'; conflicts: { path: string; why: string }[] }
  /** Stopped by the signal; nothing was written. */
  | { state: 'interrupted' };

/** A file-system failure, with the path it happened on. */
export class WriteError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'WriteError';
  }
}

/** What a Node file-system error code means to a person, in a few words. */
export function fsReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    EEXIST: 'something else is already there',
    ENAMETOOLONG: 'the name is too long',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
  };
  const code = e?.code;
  return code ? `${words[code] ?? e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${code})` : String(error);
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Owner (render, preview) -> path -> SHA-256 of the content written. */
type WrittenRecord = Record<string, Record<string, string>>;

async function readRecord(fs: WriterFs, outDir: string): Promise<WrittenRecord> {
  try {
    const value = JSON.parse((await fs.readFile(join(outDir, WRITTEN_RECORD))).toString('utf8')) as { files?: unknown };
    const files = value.files;
    if (typeof files !== 'object' || files === null) return {};
    const record: WrittenRecord = {};
    for (const [owner, list] of Object.entries(files)) {
      if (typeof list !== 'object' || list === null) continue;
      record[owner] = Object.fromEntries(Object.entries(list).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
    return record;
  } catch {
    // No record, or a damaged one: nothing counts as ours, so nothing is removed or overwritten.
    return {};
  }
}

/** The content of a file, or undefined when there is none; a folder in the way is an error. */
async function existing(fs: WriterFs, path: string): Promise<Buffer | 'folder' | undefined> {
  let stat;
  try {
    stat = await fs.lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new WriteError(path, fsReason(error));
  }
  if (stat.isDirectory()) return 'folder';
  try {
    return await fs.readFile(path);
  } catch (error) {
    throw new WriteError(path, fsReason(error));
  }
}

export async function writeOutputFiles(outDir: string, files: readonly OutputFile[], options: WriteOptions): Promise<WriteOutcome> {
  const fs = options.fs ?? (nodeFs as unknown as WriterFs);
  const stat = await fs.lstat(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new WriteError(outDir, fsReason(error));
  });
  if (stat && !stat.isDirectory()) throw new WriteError(outDir, 'it is a file, not a folder (choose another --out)');

  const record = stat ? await readRecord(fs, outDir) : {};
  const ours = new Map<string, string>();
  for (const list of Object.values(record)) for (const [path, hash] of Object.entries(list)) ours.set(path, hash);
  const previous = record[options.owner] ?? {};

  const conflicts: { path: string; why: string }[] = [];
  const toWrite: OutputFile[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const target = join(outDir, ...file.path.split('/'));
    const current = stat ? await existing(fs, target) : undefined;
    if (current === 'folder') conflicts.push({ path: file.path, why: 'a folder is there' });
    else if (current === undefined) toWrite.push(file);
    else if (current.equals(Buffer.from(file.content, 'utf8'))) unchanged.push(file.path);
    else if (ours.get(file.path) === sha256(current)) toWrite.push(file);
    else {
      conflicts.push({ path: file.path, why: ours.has(file.path) ? 'changed since breakglass wrote it' : 'not written by breakglass' });
      toWrite.push(file);
    }
  }
  const wanted = new Set(files.map((f) => f.path));
  const stale: string[] = [];
  const kept: string[] = [];
  for (const [path, hash] of Object.entries(previous)) {
    if (wanted.has(path)) continue;
    const current = await existing(fs, join(outDir, ...path.split('/')));
    if (current === undefined || current === 'folder') continue;
    if (sha256(current) === hash) stale.push(path);
    else kept.push(path);
  }
  if (conflicts.some((c) => c.why === 'a folder is there') || (conflicts.length > 0 && !options.force)) return { state: 'refused', conflicts };
  if (options.signal?.aborted) return { state: 'interrupted' };

  // Stage: every file to a temporary sibling; any failure or Ctrl-C removes them all.
  const suffix = `.breakglass-${process.pid}.tmp`;
  const staged: { temp: string; target: string }[] = [];
  const madeFolders: string[] = [];
  const rollback = async (): Promise<void> => {
    for (const { temp } of staged) await fs.rm(temp, { force: true }).catch(() => undefined);
    for (const folder of madeFolders.reverse()) await fs.rm(folder, { recursive: true, force: true }).catch(() => undefined);
  };
  const entries = [...toWrite.map((f) => ({ path: f.path, content: f.content })), { path: WRITTEN_RECORD, content: recordText(record, options.owner, files) }];
  try {
    for (const entry of entries) {
      const target = join(outDir, ...entry.path.split('/'));
      const folder = dirname(target);
      const made = await fs.mkdir(folder, { recursive: true }).catch((error: unknown) => {
        throw new WriteError(folder, fsReason(error));
      });
      if (made !== undefined) madeFolders.push(made);
      const temp = `${target}${suffix}`;
      staged.push({ temp, target });
      await fs.writeFile(temp, entry.content).catch((error: unknown) => {
        throw new WriteError(target, fsReason(error));
      });
      if (options.signal?.aborted) {
        await rollback();
        return { state: 'interrupted' };
      }
    }
  } catch (error) {
    await rollback();
    throw error;
  }
  // Commit: renames within one folder, each atomic; the record goes last.
  for (const { temp, target } of staged) {
    await fs.rename(temp, target).catch(async (error: unknown) => {
      await rollback();
      throw new WriteError(target, fsReason(error));
    });
  }
  for (const path of stale) await fs.rm(join(outDir, ...path.split('/')), { force: true }).catch(() => undefined);
  return { state: 'written', written: toWrite.map((f) => f.path), unchanged, removed: stale, kept };
}

/** The record after this write: the owner's list replaced by the files just written. Deterministic. */
function recordText(record: WrittenRecord, owner: string, files: readonly OutputFile[]): string {
  const next: WrittenRecord = { ...record, [owner]: Object.fromEntries(files.map((f) => [f.path, sha256(f.content)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))) };
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${JSON.stringify({ comment: 'Files breakglass wrote here, with the SHA-256 of their content: render removes or overwrites only these. Do not edit.', files: sorted }, null, 2)}\n`;
}
