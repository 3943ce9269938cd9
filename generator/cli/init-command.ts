/**
 * `breakglass init`: flags first, then questions for whatever is missing (only when someone is at
 * the terminal), each answer checked as it is given (its form, and against the answers before it),
 * then the manifest text, checked by the same parser as every other command before one exclusive
 * write. Ctrl-C or Ctrl-D at a question stops quietly and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { colorsFor, formatFindings } from '../report/text-report.js';
import { hasErrors, type Finding } from '../findings.js';
import { BUILT_IN_ROLES, builtInRole, closestRole } from '../manifest/directory-roles.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import type { ExclusionGroup, ManifestAccount, SmsRecipient, Workspace } from '../manifest/types.js';
import {
  InitInputError,
  missingFlags,
  readAccount,
  readDisplayName,
  readObjectId,
  readRoleName,
  readUpn,
  readEmail,
  readGroup,
  readSms,
  readTenantId,
  readWorkspaceId,
  type InitAnswers,
  type InitFlags,
} from '../init/init-answers.js';
import { manifestText } from '../init/manifest-text.js';
import { fsReason, WriteError } from '../io/write-files.js';
import { INTERRUPTED_EXIT_CODE } from './interrupted.js';
import { PromptCancelled } from './terminal-prompt.js';

export interface InitIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Asks one question and returns the answer; absent when nobody is at the terminal. */
  prompt?: (question: string) => Promise<string>;
  /** Seam for tests: the manifest's id namespace. */
  newGuid?: () => string;
}

/** Thrown for what the caller reports as a usage error (exit 2). */
export class InitUsageError extends Error {}

export async function runInit(flags: InitFlags, target: string, display: string, schemaFile: string, io: InitIo): Promise<number> {
  if (!flags.force && (await stat(target).catch(() => undefined))) {
    throw new InitUsageError(`${display} exists; pass --force to overwrite it, or --manifest to write another file`);
  }
  let answers: InitAnswers;
  try {
    answers = await collect(flags, io);
  } catch (error) {
    if (!(error instanceof PromptCancelled)) throw error;
    io.stderr.write(`init stopped${error.how === 'end' ? ' (the input ended)' : ''}: nothing written\n`);
    return error.how === 'interrupt' ? INTERRUPTED_EXIT_CODE : 1;
  }
  const schemaRef = relative(dirname(target), schemaFile).split(sep).join('/');
  const text = manifestText(answers, schemaRef);
  // The file is not written yet: findings name the setting, not a line of it.
  const findings = parseManifest(text, display, []).findings.map(forInit);
  if (findings.length > 0) io.stderr.write(`${formatFindings(findings, colorsFor(io.stderr))}\n`);
  if (hasErrors(findings)) {
    io.stderr.write(`nothing written: the values above do not make a valid manifest (the paths name the setting; fix the flag or answer and run init again)\n`);
    return 1;
  }
  await writeManifest(target, text, flags.force);
  io.stdout.write(
    `wrote ${display}: ${answers.accounts.length} account${answers.accounts.length === 1 ? '' : 's'}, ${answers.emails.length} e-mail and ${answers.sms.length} SMS recipient${answers.sms.length === 1 ? '' : 's'}, ${answers.workspaces.length} workspace${answers.workspaces.length === 1 ? '' : 's'}\n` +
      `next: npx breakglass render --manifest ${display} --out out\n`,
  );
  return 0;
}

/** A finding about the manifest init is about to write, in init's terms. */
function forInit(finding: Finding): Finding {
  const { location: _unwritten, ...rest } = finding;
  if (finding.code === 'manifest/single-account') {
    return { ...rest, hint: 'Add a second emergency access account (so one lost credential does not lock you out): run init again with two --account flags, or add it to the file; until then render and validate need --allow-warnings.' };
  }
  return rest;
}

/**
 * Written whole or not at all: to a temporary sibling first, then linked into place (which fails
 * if a file appeared there meanwhile) or, with --force, renamed over the old one.
 */
async function writeManifest(target: string, text: string, force: boolean): Promise<void> {
  const temp = `${target}.breakglass-${process.pid}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, text, 'utf8');
    if (force) await rename(temp, target);
    else await link(temp, target);
  } catch (error) {
    throw new WriteError(target, fsReason(error));
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

interface Collected {
  accounts: ManifestAccount[];
  exclusionGroup?: ExclusionGroup;
  emails: string[];
  sms: SmsRecipient[];
  workspaces: Workspace[];
  tenantId?: string;
}

/** An object id or user principal name that repeats an earlier account's (the manifest refuses duplicates). */
function duplicateId(accounts: readonly ManifestAccount[], objectId: string): string | undefined {
  const i = accounts.findIndex((a) => a.objectId === objectId.toLowerCase());
  return i >= 0 ? `object id ${objectId} is already account ${i + 1} (${accounts[i]!.userPrincipalName})` : undefined;
}

function duplicateUpn(accounts: readonly ManifestAccount[], upn: string): string | undefined {
  const i = accounts.findIndex((a) => a.userPrincipalName.toLowerCase() === upn.toLowerCase());
  return i >= 0 ? `${upn} is already account ${i + 1}` : undefined;
}

function groupProblem(accounts: readonly ManifestAccount[], objectId: string): string | undefined {
  const i = accounts.findIndex((a) => a.objectId === objectId.toLowerCase());
  return i >= 0 ? `${objectId} is the object id of account ${i + 1} (${accounts[i]!.userPrincipalName}), not of a group` : undefined;
}

/** The flags, each checked alone and against the ones before it; a problem is a usage error. */
function fromFlags(flags: InitFlags): Collected {
  const collected: Collected = { accounts: [], emails: [], sms: [], workspaces: [] };
  for (const value of flags.accounts) {
    const account = readAccount(value);
    const duplicate = duplicateId(collected.accounts, account.objectId) ?? duplicateUpn(collected.accounts, account.userPrincipalName);
    if (duplicate) throw new InitInputError(`--account ${value}: ${duplicate}`);
    collected.accounts.push(account);
  }
  if (flags.group !== undefined) {
    const group = readGroup(flags.group);
    const problem = groupProblem(collected.accounts, group.objectId);
    if (problem) throw new InitInputError(`--group ${flags.group}: ${problem}`);
    collected.exclusionGroup = group;
  }
  collected.emails = unique(flags.emails.map(readEmail), (a) => a.toLowerCase(), (a) => `--email ${a} is given twice`);
  collected.sms = unique(flags.sms.map(readSms), (s) => `+${s.countryCode}${s.phoneNumber}`, (s) => `--sms +${s.countryCode}${s.phoneNumber} is given twice`);
  collected.workspaces = unique(flags.workspaceIds.map(readWorkspaceId), (w) => (w.name ?? w.workspaceName).toLowerCase(), (w) => `--workspace-id names the workspace ${w.workspaceName} twice`);
  if (flags.tenantId !== undefined) collected.tenantId = readTenantId(flags.tenantId);
  return collected;
}

function unique<T>(items: T[], key: (item: T) => string, message: (item: T) => string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(key(item))) throw new InitInputError(message(item));
    seen.add(key(item));
  }
  return items;
}

async function collect(flags: InitFlags, io: InitIo): Promise<InitAnswers> {
  let collected: Collected;
  try {
    collected = fromFlags(flags);
  } catch (error) {
    if (error instanceof InitInputError) throw new InitUsageError(error.message);
    throw error;
  }
  const missing = missingFlags(flags);
  if (missing.length > 0) {
    const prompt = io.prompt;
    if (!prompt) throw new InitUsageError(`init needs ${missing.join(', ')} (or run it in a terminal to be asked)`);
    await askMissing(collected, prompt, io);
  }
  return {
    idNamespace: (io.newGuid ?? randomUUID)(),
    ...(collected.tenantId !== undefined ? { tenantId: collected.tenantId } : {}),
    accounts: collected.accounts,
    exclusionGroup: collected.exclusionGroup!,
    emails: collected.emails,
    sms: collected.sms,
    workspaces: collected.workspaces,
  };
}

/** The questions for what the flags left out; a wrong answer is said at once and asked again. */
async function askMissing(collected: Collected, prompt: (question: string) => Promise<string>, io: InitIo): Promise<void> {
  const ask = async <T>(question: string, read: (answer: string) => T): Promise<T> => {
    for (;;) {
      const answer = (await prompt(question)).trim();
      try {
        return read(answer);
      } catch (error) {
        if (!(error instanceof InitInputError)) throw error;
        io.stderr.write(`  ${error.message.replace(/^--[a-z-]+ /, '')}\n`);
      }
    }
  };
  const check = <T>(value: T, problem: string | undefined): T => {
    if (problem) throw new InitInputError(problem);
    return value;
  };
  const { accounts } = collected;
  if (accounts.length === 0) {
    io.stdout.write('Break-glass accounts: their object id and user principal name (Entra admin center > Users).\n');
    for (let n = 1; ; n++) {
      const optional = n > 2;
      const objectId = await ask(`  account ${n} object id${optional ? ' (empty when done)' : ''}: `, (a) =>
        optional && a === '' ? '' : check(readObjectId(a), duplicateId(accounts, a)),
      );
      if (objectId === '') break;
      const upn = await ask(`  account ${n} user principal name: `, (a) => check(readUpn(a), duplicateUpn(accounts, a)));
      const role = await askRole(`  account ${n} role (empty for Global Administrator): `, prompt, io);
      accounts.push(role === undefined ? { objectId, userPrincipalName: upn, kind: 'global-admin' } : { objectId, userPrincipalName: upn, kind: 'privileged-role', role });
    }
  }
  if (!collected.exclusionGroup) {
    const objectId = await ask('Conditional Access exclusion group object id: ', (a) => check(readObjectId(a), groupProblem(accounts, a)));
    const displayName = await ask('  its display name: ', readDisplayName);
    collected.exclusionGroup = { objectId, displayName };
  }
  if (collected.emails.length === 0) {
    collected.emails = await ask('E-mail addresses to notify (comma-separated): ', (a) =>
      unique(list(a, readEmail, 'at least one address'), (e) => e.toLowerCase(), (e) => `${e} is given twice`),
    );
  }
  if (collected.sms.length === 0) {
    collected.sms = await ask('SMS numbers to notify, e.g. +1 425 555 0100 (comma-separated, empty for none): ', (a) =>
      a === '' ? [] : unique(list(a, readSms, ''), (s) => `+${s.countryCode}${s.phoneNumber}`, (s) => `+${s.countryCode}${s.phoneNumber} is given twice`),
    );
  }
  if (collected.workspaces.length === 0) collected.workspaces = await ask('Sentinel workspace Resource ID (/subscriptions/.../workspaces/NAME): ', (a) => [readWorkspaceId(a)]);
  if (collected.tenantId === undefined) {
    const tenantId = await ask('Tenant id (empty to set AZURE_TENANT_ID instead): ', (a) => (a === '' ? undefined : readTenantId(a)));
    if (tenantId !== undefined) collected.tenantId = tenantId;
  }
}

/**
 * A role: empty is Global Administrator, a built-in role is kept under its own name, anything else
 * is flagged with the built-in roles and kept only when typed again (a custom role of the tenant).
 */
async function askRole(question: string, prompt: (question: string) => Promise<string>, io: InitIo): Promise<string | undefined> {
  let flagged: string | undefined;
  let listed = false;
  for (;;) {
    const answer = (await prompt(question)).trim();
    if (answer === '') return undefined;
    try {
      readRoleName(answer);
    } catch (error) {
      if (!(error instanceof InitInputError)) throw error;
      io.stderr.write(`  ${error.message}\n`);
      continue;
    }
    const known = builtInRole(answer);
    if (known) return known.name;
    if (flagged !== undefined && answer.toLowerCase() === flagged.toLowerCase()) return answer;
    flagged = answer;
    const guess = closestRole(answer);
    io.stderr.write(`  '${answer}' is not a Microsoft Entra built-in role${guess ? ` (did you mean '${guess}'?)` : ''}.\n`);
    if (!listed) {
      io.stderr.write(wrapList('  Built-in roles: ', BUILT_IN_ROLES.map((r) => r.name), 100));
      listed = true;
    }
    io.stderr.write('  Type it again to keep it (a custom role of your tenant), or type another.\n');
  }
}

function wrapList(head: string, items: readonly string[], width: number): string {
  const lines: string[] = [];
  let line = head;
  items.forEach((item, i) => {
    const piece = `${item}${i < items.length - 1 ? ',' : '.'}`;
    if (line.length + piece.length + 1 > width && line.trim() !== head.trim()) {
      lines.push(line.trimEnd());
      line = ' '.repeat(head.length);
    }
    line += `${piece} `;
  });
  lines.push(line.trimEnd());
  return `${lines.join('\n')}\n`;
}

function list<T>(answer: string, read: (item: string) => T, what: string): T[] {
  const items = answer.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 && what !== '') throw new InitInputError(`give ${what}`);
  return items.map(read);
}
