/**
 * The command line, read against the command table: an option another command owns, a missing
 * required option or a bad value is a usage error here, before anything is read or written.
 */
import { parseArgs } from 'node:util';
import type { DeployArgs } from '../deploy/deploy-command.js';
import type { InitFlags } from '../init/init-answers.js';
import { COMMAND_NAMES, commandHelp, commandSpec, generalHelp, OPTIONS, type CommandName } from './commands.js';
import { UsageError } from './usage-error.js';

export interface CliArgs extends Omit<DeployArgs, 'command'> {
  command: CommandName;
  manifest: string;
  out: string;
  rules: string[];
  allowWarnings: boolean;
  events: string[];
  now?: string;
  /** replay: every scheduled run over the records' span, not one run as of the newest record. */
  history: boolean;
  init: InitFlags;
  /** query: the file of the query. */
  queryFile?: string;
  /** Print this help text and stop. */
  help?: string;
  version: boolean;
}

type OptionValue = string | boolean | (string | boolean)[] | undefined;

/** The command line as the CLI reads it; throws a usage error (exit 2) for anything it would refuse. */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(OPTIONS.map((o) => [o.name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }])),
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values: Record<string, OptionValue> = parsed.values;
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = (name: string): string[] => (Array.isArray(values[name]) ? (values[name] as unknown[]).filter((v): v is string => typeof v === 'string') : []);
  const flag = (name: string): boolean => values[name] === true;
  const [first, ...extra] = parsed.positionals;
  // `breakglass help push` reads like `breakglass push --help`.
  const commandName = first === 'help' ? extra.shift() : first;
  const spec = commandName === undefined ? undefined : commandSpec(commandName);
  const wantsHelp = flag('help') || first === 'help';
  const empty = { command: 'validate' as const, manifest: '', out: '', format: 'text' as const, rules: [], allowWarnings: false, events: [], history: false, workspaces: [], prune: false, yes: false, detailedExitcode: false, concurrency: 8, init: { accounts: [], emails: [], sms: [], workspaceIds: [], force: false }, version: false };
  if (flag('version') && !wantsHelp) return { ...empty, version: true };
  if (wantsHelp) {
    if (commandName !== undefined && !spec) throw new UsageError(`unknown command '${commandName}' (commands: ${COMMAND_NAMES.join(', ')})`);
    return { ...empty, help: spec ? commandHelp(spec) : generalHelp() };
  }
  if (!spec) throw new UsageError(commandName === undefined ? `name a command: ${COMMAND_NAMES.join(', ')}` : `unknown command '${commandName}' (commands: ${COMMAND_NAMES.join(', ')})`);
  const command = spec.name as CommandName;
  const positional = spec.positional ? extra.shift() : undefined;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, command);
  for (const name of Object.keys(values)) {
    if (!spec.options.includes(name)) throw new UsageError(`--${name} is not an option of ${command}`, command);
  }
  for (const name of spec.required ?? []) {
    if (values[name] !== undefined) continue;
    const option = OPTIONS.find((o) => o.name === name)!;
    throw new UsageError(`${command} needs ${option.multiple ? 'at least one ' : ''}--${name} ${option.arg ?? ''}${option.example ? `, e.g. ${option.example}` : ''}`, command);
  }
  const format = str('format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'`, command);
  if (format === 'sarif' && command !== 'render' && command !== 'validate') throw new UsageError(`--format sarif is for render and validate, not ${command}`, command);
  const concurrency = Number(str('concurrency') ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64', command);
  const now = str('now');
  const armEndpoint = str('arm-endpoint');
  const tenantId = str('tenant-id');
  const group = str('group');
  return {
    command,
    manifest: str('manifest') ?? (command === 'init' ? 'accounts.yaml' : ''),
    out: str('out') ?? 'out',
    format,
    rules: list('rules'),
    allowWarnings: flag('allow-warnings'),
    events: list('events'),
    history: flag('history'),
    ...(now !== undefined ? { now } : {}),
    ...(positional !== undefined ? { queryFile: positional } : {}),
    workspaces: list('workspace'),
    prune: flag('prune'),
    yes: flag('yes'),
    detailedExitcode: flag('detailed-exitcode'),
    concurrency,
    ...(armEndpoint ? { armEndpoint } : {}),
    init: { accounts: list('account'), emails: list('email'), sms: list('sms'), workspaceIds: list('workspace-id'), force: flag('force'), ...(group !== undefined ? { group } : {}), ...(tenantId !== undefined ? { tenantId } : {}) },
    version: false,
  };
}
