/**
 * `breakglass init`: flags first, then questions for whatever is missing (only when someone is at
 * the terminal), then the manifest text, checked by the same parser as every other command before
 * one exclusive write.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { colorsFor, formatFindings } from '../report/text-report.js';
import { hasErrors } from '../findings.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import {
  InitInputError,
  missingFlags,
  readAccount,
  readObjectId,
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
  const answers = await collect(flags, io);
  const schemaRef = relative(dirname(target), schemaFile).split(sep).join('/');
  const text = manifestText(answers, schemaRef);
  const { findings } = parseManifest(text, display, []);
  if (findings.length > 0) io.stderr.write(`${formatFindings(findings, colorsFor(io.stderr))}\n`);
  if (hasErrors(findings)) {
    io.stderr.write(`nothing written: the values above do not make a valid manifest (the paths name the setting; fix the flag or answer and run init again)\n`);
    return 1;
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text, { encoding: 'utf8', flag: flags.force ? 'w' : 'wx' });
  io.stdout.write(
    `wrote ${display}: ${answers.accounts.length} account${answers.accounts.length === 1 ? '' : 's'}, ${answers.emails.length} e-mail and ${answers.sms.length} SMS recipient${answers.sms.length === 1 ? '' : 's'}, ${answers.workspaces.length} workspace${answers.workspaces.length === 1 ? '' : 's'}\n` +
      `next: npx breakglass render --manifest ${display} --out out\n`,
  );
  return 0;
}

async function collect(flags: InitFlags, io: InitIo): Promise<InitAnswers> {
  try {
    const accounts = flags.accounts.map(readAccount);
    let exclusionGroup = flags.group === undefined ? undefined : readGroup(flags.group);
    let emails = flags.emails.map(readEmail);
    let sms = flags.sms.map(readSms);
    let workspaces = flags.workspaceIds.map(readWorkspaceId);
    let tenantId = flags.tenantId === undefined ? undefined : readTenantId(flags.tenantId);
    const missing = missingFlags(flags);
    if (missing.length > 0) {
      const prompt = io.prompt;
      if (!prompt) throw new InitUsageError(`init needs ${missing.join(', ')} (or run it in a terminal to be asked)`);
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
      if (accounts.length === 0) {
        io.stdout.write('Break-glass accounts: their object id and user principal name (Entra admin center > Users).\n');
        for (let n = 1; ; n++) {
          const optional = n > 2;
          const objectId = await ask(`  account ${n} object id${optional ? ' (empty when done)' : ''}: `, (a) => (optional && a === '' ? '' : readObjectId(a)));
          if (objectId === '') break;
          const upn = await ask(`  account ${n} user principal name: `, readUpn);
          const role = await ask(`  account ${n} role (empty for Global Administrator): `, (a) => a.trim());
          accounts.push(role === '' ? { objectId, userPrincipalName: upn, kind: 'global-admin' } : { objectId, userPrincipalName: upn, kind: 'privileged-role', role });
        }
      }
      if (!exclusionGroup) {
        const objectId = await ask('Conditional Access exclusion group object id: ', readObjectId);
        const displayName = await ask('  its display name: ', (a) => readGroup(`${objectId}=${a}`).displayName);
        exclusionGroup = { objectId, displayName };
      }
      if (emails.length === 0) emails = await ask('E-mail addresses to notify (comma-separated): ', (a) => list(a, readEmail, 'at least one address'));
      if (flags.sms.length === 0) sms = await ask('SMS numbers to notify, e.g. +1-4255550100 (comma-separated, empty for none): ', (a) => (a === '' ? [] : list(a, readSms, '')));
      if (workspaces.length === 0) workspaces = await ask('Sentinel workspace Resource ID (/subscriptions/.../workspaces/NAME): ', (a) => [readWorkspaceId(a)]);
      if (tenantId === undefined) tenantId = await ask('Tenant id (empty to set AZURE_TENANT_ID instead): ', (a) => (a === '' ? undefined : readTenantId(a)));
    }
    return {
      idNamespace: (io.newGuid ?? randomUUID)(),
      ...(tenantId !== undefined ? { tenantId } : {}),
      accounts,
      exclusionGroup: exclusionGroup!,
      emails,
      sms,
      workspaces,
    };
  } catch (error) {
    if (error instanceof InitInputError) throw new InitUsageError(error.message);
    throw error;
  }
}

function list<T>(answer: string, read: (item: string) => T, what: string): T[] {
  const items = answer.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 && what !== '') throw new InitInputError(`give ${what}`);
  return items.map(read);
}
