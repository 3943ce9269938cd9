/**
 * The command line, read against the command table: an option another command owns, a missing
 * required option or a bad value is a usage error here, before anything is read or written.
 */
import type { DeployArgs } from '../deploy/deploy-command.js';
import type { InitFlags } from '../init/init-answers.js';
import { COMMAND_NAMES, commandHelp, commandSpec, generalHelp, OPTIONS, type CommandName } from './commands.js';
import { closestMatch } from '../suggest.js';
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
  /** render, preview: overwrite files in --out that breakglass did not write; init: overwrite the manifest. */
  force: boolean;
  init: InitFlags;
  /** posture: Microsoft Graph endpoint override. */
  graphEndpoint?: string;
  /** drill: Log Analytics query endpoint override. */
  logsEndpoint?: string;
  /** drill: the account signed in to, and how far back to look. */
  drill?: { account: string; since: string };
  /** query: the file of the query. */
  queryFile?: string;
  /** Print this help text and stop. */
  help?: string;
  version: boolean;
}

type OptionValue = string | boolean | string[] | undefined;

interface ReadLine {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/**
 * The words of a command line, read against the option table in our own words: an unknown option
 * gets a did-you-mean from the command's options, an option given twice (unless it repeats by
 * design, like --account) or without its value is refused. `--` ends the options.
 */
function readCommandLine(argv: readonly string[]): ReadLine {
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  const unknown: string[] = [];
  let problem: string | undefined;
  const refuse = (message: string): void => {
    problem ??= message;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const long = word.startsWith('--');
    const [name = '', inline] = long ? splitOnce(word.slice(2), '=') : [word.slice(1), undefined];
    const option = long ? OPTIONS.find((o) => o.name === name) : OPTIONS.find((o) => o.short === name);
    if (!option) {
      unknown.push(word.split('=')[0]!);
      continue;
    }
    const shown = `--${option.name}`;
    if (option.type === 'boolean') {
      if (inline !== undefined) refuse(`${shown} takes no value (remove '=${inline}')`);
      values[option.name] = true;
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i++;
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      refuse(`${shown} needs a value: ${shown} ${option.arg ?? 'VALUE'}${option.example ? `, e.g. ${option.example}` : ''}`);
      if (inline === undefined && value !== undefined) i--;
      continue;
    }
    const previous = values[option.name];
    if (option.multiple) values[option.name] = [...(Array.isArray(previous) ? previous : []), value];
    else if (previous !== undefined) refuse(`${shown} is given twice ('${previous}' and '${value}'); give it once`);
    else values[option.name] = value;
  }
  const command = commandSpec(positionals[0] === 'help' ? (positionals[1] ?? '') : (positionals[0] ?? ''));
  if (problem !== undefined) throw new UsageError(problem, command?.name);
  if (unknown.length > 0) {
    const candidates = command ? [...command.options, 'help'] : OPTIONS.map((o) => o.name);
    const first = unknown[0]!;
    const guess = first.startsWith('--') ? closestMatch(first.slice(2), candidates) : undefined;
    throw new UsageError(`unknown option ${first}${guess ? ` (did you mean --${guess}?)` : ''}`, command?.name);
  }
  return { values, positionals };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** The command line as the CLI reads it; throws a usage error (exit 2) for anything it would refuse. */
export function parseCli(argv: readonly string[]): CliArgs {
  const parsed = readCommandLine(argv);
  const values: Record<string, OptionValue> = parsed.values;
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = (name: string): string[] => (Array.isArray(values[name]) ? (values[name] as unknown[]).filter((v): v is string => typeof v === 'string') : []);
  const flag = (name: string): boolean => values[name] === true;
  const [first, ...extra] = parsed.positionals;
  // `breakglass help push` reads like `breakglass push --help`.
  const commandName = first === 'help' ? extra.shift() : first;
  const spec = commandName === undefined ? undefined : commandSpec(commandName);
  const wantsHelp = flag('help') || first === 'help';
  const empty = { command: 'validate' as const, manifest: '', out: '', format: 'text' as const, rules: [], allowWarnings: false, events: [], history: false, force: false, workspaces: [], prune: false, yes: false, detailedExitcode: false, concurrency: 8, init: { accounts: [], emails: [], sms: [], workspaceIds: [], force: false }, version: false };
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
  if (format === 'sarif' && command !== 'render' && command !== 'validate' && command !== 'posture') throw new UsageError(`--format sarif is for render, validate and posture, not ${command}`, command);
  if (command === 'drill' && list('account').length > 1) throw new UsageError('drill takes one --account: the user principal name signed in to', command);
  const since = str('since') ?? '24h';
  if (command === 'drill' && !/^[1-9]\d{0,4}[mhd]$/.test(since)) throw new UsageError(`--since must be minutes, hours or days such as 30m, 2h or 1d, not '${since}'`, command);
  const graphEndpoint = str('graph-endpoint');
  const logsEndpoint = str('logs-endpoint');
  const concurrency = Number(str('concurrency') ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64', command);
  const seconds = (name: string, max: number): number | undefined => {
    const text = str(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || value <= 0 || value > max) throw new UsageError(`--${name} must be a number of seconds from 0.001 to ${max}, not '${text}'`, command);
    return Math.round(value * 1000);
  };
  const requestTimeoutMs = seconds('request-timeout', 3600);
  const retryBudgetMs = seconds('retry-budget', 86_400);
  const deploymentTimeoutMs = seconds('deployment-timeout', 86_400);
  const timing = {
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(retryBudgetMs !== undefined ? { retryBudgetMs } : {}),
    ...(deploymentTimeoutMs !== undefined ? { deploymentTimeoutMs } : {}),
  };
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
    force: flag('force'),
    ...(now !== undefined ? { now } : {}),
    ...(positional !== undefined ? { queryFile: positional } : {}),
    workspaces: list('workspace'),
    prune: flag('prune'),
    adopt: flag('adopt'),
    yes: flag('yes'),
    detailedExitcode: flag('detailed-exitcode'),
    concurrency,
    timing,
    ...(armEndpoint ? { armEndpoint } : {}),
    ...(graphEndpoint ? { graphEndpoint } : {}),
    ...(logsEndpoint ? { logsEndpoint } : {}),
    ...(command === 'drill' ? { drill: { account: list('account')[0]!, since } } : {}),
    init: { accounts: list('account'), emails: list('email'), sms: list('sms'), workspaceIds: list('workspace-id'), force: flag('force'), ...(group !== undefined ? { group } : {}), ...(tenantId !== undefined ? { tenantId } : {}) },
    version: false,
  };
}
