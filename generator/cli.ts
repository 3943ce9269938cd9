import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type BuildResult } from './build.js';
import { readCatalog } from './catalog/read-catalog.js';
import { countBySeverity, type Finding } from './findings.js';
import { writeOutputFiles } from './io/write-files.js';
import { packageRoot, packageVersion } from './package-info.js';
import { sarifReport } from './report/sarif-report.js';
import { ANSI_COLORS, findingTotals, formatFindings, NO_COLORS, type Colors } from './report/text-report.js';
import { workspaceGlobals } from './validate/kusto-schema.js';
import { DeployUsageError, runDeployCommand, type DeployArgs } from './deploy/deploy-command.js';
import { readPlaybook } from './playbook/read-playbook.js';
import { parseWorkbookTemplate } from './workbook/workbook-template.js';
import { testRules } from './rule-tests/test-rules.js';
import { caseTotals, formatCaseResults } from './report/case-report.js';
import { eventsTable, EventsSpecError, mergeTables, parseEventsSpec, recordsFromText } from './rule-tests/event-records.js';
import { replayRules, type ReplayResult } from './rule-tests/replay.js';
import { InputRowError } from './evaluate/input-rows.js';
import { formatDateTime, KDateTime, parseDateTime } from './evaluate/values.js';
import { LOG_ANALYTICS_TABLES } from './validate/kusto-schema.js';
import type { Table } from './evaluate/table.js';
import type { Manifest } from './manifest/types.js';
import { COMMAND_NAMES, commandHelp, commandSpec, generalHelp, OPTIONS } from './cli/commands.js';
import { InitUsageError, runInit } from './cli/init-command.js';
import type { InitFlags } from './init/init-answers.js';
import { previewData } from './preview/preview-data.js';
import { previewHtml } from './preview/preview-html.js';
import type { Catalog } from './catalog/rule-template.js';
import type { RenderedRule } from './render/sentinel-rule.js';

export interface CliIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env?: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: push starts no new writes. */
  signal?: AbortSignal;
  /** Asks the person at the terminal (push without --yes); absent when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  /** Asks one question (init); absent when nobody is at the terminal. */
  prompt?: (question: string) => Promise<string>;
  /** Seam for tests: init's id namespace. */
  newGuid?: () => string;
  /** Seam for tests and benchmarks: reuse one loaded Kusto global state. */
  globals?: () => Kusto.Language.GlobalState;
}

export class UsageError extends Error {}

/** The one place that turns outcomes into exit codes. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`breakglass: ${error.message}\n${error.message.includes('--help') ? '' : "Run 'breakglass --help' for usage.\n"}`);
      return 2;
    }
    io.stderr.write(`breakglass: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCli(argv);
  if (args.help !== undefined) {
    io.stdout.write(args.help);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const manifestPath = resolve(io.cwd, args.manifest);
  if (args.command === 'init') {
    try {
      return await runInit(args.init, manifestPath, displayPath(io.cwd, manifestPath), join(packageRoot(), 'schemas', 'manifest.schema.json'), io);
    } catch (error) {
      if (error instanceof InitUsageError) throw new UsageError(error.message);
      throw error;
    }
  }
  const manifestText = await readFile(manifestPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the manifest ${args.manifest}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const root = packageRoot();
  const catalogDirs = [join(root, 'analytics-rules'), ...args.rules.map((d) => resolve(io.cwd, d))];
  const { catalog, findings: catalogFindings } = await readCatalog(catalogDirs, io.cwd).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read a rule folder: ${error.message}`);
  });
  const playbook = await readPlaybook(join(root, 'playbooks'), io.cwd);
  const workbookFile = join(root, 'workbooks', 'breakglass-accounts.yaml');
  const workbook = parseWorkbookTemplate(await readFile(workbookFile, 'utf8'), displayPath(io.cwd, workbookFile));
  const globals = (io.globals ?? workspaceGlobals)();
  const result = build({ manifestText, manifestFile: displayPath(io.cwd, manifestPath), catalog, playbook, workbook, globals });
  const findings = [...catalogFindings, ...result.findings];
  const counts = countBySeverity(findings);
  const failed = counts.error > 0 || (counts.warning > 0 && !args.allowWarnings);
  const outDir = resolve(io.cwd, args.out);
  if (args.command === 'plan' || args.command === 'push' || args.command === 'drift') {
    if (failed) {
      report({ ...args, command: 'validate' }, io, result, findings, failed, '');
      return 1;
    }
    if (findings.length > 0 && args.format === 'text') io.stderr.write(`${formatFindings(findings, io.stderr.isTTY ? ANSI_COLORS : NO_COLORS)}\n`);
    try {
      return await runDeployCommand({ ...args, command: args.command }, result, playbook, {
        stdout: io.stdout,
        env: io.env ?? process.env,
        colors: io.stdout.isTTY ? ANSI_COLORS : NO_COLORS,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.confirm ? { confirm: io.confirm } : {}),
      });
    } catch (error) {
      if (error instanceof DeployUsageError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (args.command === 'test' || args.command === 'replay') {
    if (failed || !result.manifest || !result.rendered) {
      report({ ...args, command: 'validate' }, io, result, findings, failed, '');
      return 1;
    }
    if (args.command === 'test') return runTests(args, io, result.manifest, catalog, globals);
    return runReplay(args, io, result.manifest, result.rendered.rules, globals);
  }
  if (args.command === 'preview') {
    if (failed || !result.manifest || !result.rendered || !result.workbook) {
      report({ ...args, command: 'validate' }, io, result, findings, failed, '');
      return 1;
    }
    return runPreview(io, result.manifest, catalog, result.rendered.rules, result.workbook, globals, outDir);
  }
  if (args.command === 'render' && !failed) await writeOutputFiles(outDir, result.files);
  report(args, io, result, findings, failed, displayPath(io.cwd, outDir));
  return failed ? 1 : 0;
}

type CommandName = 'init' | 'render' | 'validate' | 'plan' | 'push' | 'drift' | 'test' | 'replay' | 'preview';

export interface CliArgs extends Omit<DeployArgs, 'command'> {
  command: CommandName;
  manifest: string;
  out: string;
  rules: string[];
  allowWarnings: boolean;
  events: string[];
  now?: string;
  init: InitFlags;
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
  const empty = { command: 'validate' as const, manifest: '', out: '', format: 'text' as const, rules: [], allowWarnings: false, events: [], workspaces: [], prune: false, yes: false, detailedExitcode: false, concurrency: 8, init: { accounts: [], emails: [], sms: [], workspaceIds: [], force: false }, version: false };
  if (flag('version') && !wantsHelp) return { ...empty, version: true };
  if (wantsHelp) {
    if (commandName !== undefined && !spec) throw new UsageError(`unknown command '${commandName}' (commands: ${COMMAND_NAMES.join(', ')})`);
    return { ...empty, help: spec ? commandHelp(spec) : generalHelp() };
  }
  if (!spec) throw new UsageError(commandName === undefined ? `name a command: ${COMMAND_NAMES.join(', ')}` : `unknown command '${commandName}' (commands: ${COMMAND_NAMES.join(', ')})`);
  const command = spec.name as CommandName;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  for (const name of Object.keys(values)) {
    if (!spec.options.includes(name)) throw new UsageError(`--${name} is not an option of ${command} (see 'breakglass ${command} --help')`);
  }
  for (const name of spec.required ?? []) {
    if (values[name] === undefined) throw new UsageError(`${command} needs --${name} ${OPTIONS.find((o) => o.name === name)?.arg ?? ''}`.trimEnd());
  }
  const format = str('format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  if (format === 'sarif' && command !== 'render' && command !== 'validate') throw new UsageError(`--format sarif is for render and validate, not ${command}`);
  const concurrency = Number(str('concurrency') ?? '8');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
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
    ...(now !== undefined ? { now } : {}),
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

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function report(args: CliArgs, io: CliIo, result: BuildResult, findings: Finding[], failed: boolean, outDisplay: string): void {
  if (args.format === 'sarif') {
    io.stdout.write(`${JSON.stringify(sarifReport(findings, packageVersion()), null, 2)}\n`);
    return;
  }
  if (args.format === 'json') {
    const json = {
      ok: !failed,
      command: args.command,
      manifest: args.manifest,
      accountSource: result.rendered?.accountSource ?? null,
      rules: result.validations.map(({ rule, analysis }) => ({
        id: rule.id,
        guid: rule.guid,
        kind: rule.apiKind,
        enabled: rule.enabled,
        severity: rule.severity,
        queryLength: rule.query.text.length,
        outputColumns: analysis.outputColumns ? Object.fromEntries(analysis.outputColumns) : null,
      })),
      files: args.command === 'render' && !failed ? result.files.map((f) => `${outDisplay}/${f.path}`) : [],
      queriesAnalysed: result.analysedQueries.length,
      findings,
      summary: countBySeverity(findings),
    };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const colors: Colors = io.stdout.isTTY ? ANSI_COLORS : NO_COLORS;
  const errColors: Colors = io.stderr.isTTY ? ANSI_COLORS : NO_COLORS;
  if (findings.length > 0) io.stderr.write(`${formatFindings(findings, errColors)}\n\n`);
  const lines: string[] = [];
  const manifest = result.manifest;
  if (manifest && result.rendered) {
    lines.push(`${args.manifest}: ${manifest.accounts.length} account${manifest.accounts.length === 1 ? '' : 's'}, account lists ${result.rendered.accountSource === 'inline' ? 'inline in each query' : 'read from a watchlist'}`);
    const errorsByRule = new Map<string, number>();
    for (const f of findings) if (f.ruleId && f.severity === 'error') errorsByRule.set(f.ruleId, (errorsByRule.get(f.ruleId) ?? 0) + 1);
    for (const { rule, analysis } of result.validations) {
      const errors = errorsByRule.get(rule.id) ?? 0;
      const state = errors > 0 ? colors.red(`${errors} error${errors === 1 ? '' : 's'}`) : 'ok';
      lines.push(`  ${rule.id.padEnd(28)} ${rule.apiKind.padEnd(9)} ${rule.severity.padEnd(13)} ${rule.enabled ? 'enabled ' : 'disabled'} ${String(rule.query.text.length).padStart(5)} chars  ${String(analysis.outputColumns?.size ?? 0).padStart(2)} columns  ${state}`);
    }
  }
  lines.push(`${result.validations.length} rules validated with Kusto.Language against the workspace schema: ${findingTotals(findings)}`);
  if (args.command === 'render') {
    lines.push(failed ? `nothing written to ${outDisplay}/ (fix the errors above${countBySeverity(findings).error === 0 ? ', or pass --allow-warnings' : ''})` : `wrote ${result.files.length} files to ${outDisplay}/`);
  } else if (failed && countBySeverity(findings).error === 0) {
    lines.push('failed on warnings (pass --allow-warnings to accept them)');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}

async function runPreview(io: CliIo, manifest: Manifest, catalog: Catalog, rules: readonly RenderedRule[], workbook: NonNullable<BuildResult['workbook']>, globals: Kusto.Language.GlobalState, outDir: string): Promise<number> {
  const data = previewData({
    manifest,
    catalog,
    rules,
    workbook: workbook.template,
    workbookQueries: workbook.rendered.queries,
    workbookText: workbook.rendered.texts,
    globals,
    schemas: LOG_ANALYTICS_TABLES,
  });
  const file = join(outDir, 'preview', 'index.html');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, previewHtml(data), 'utf8');
  const runs = data.rules.flatMap((r) => r.cases);
  const failedCases = runs.filter((c) => c.status === 'failed').length;
  const queries = data.sections.filter((s) => s.query !== undefined);
  const brokenQueries = queries.filter((s) => s.error !== undefined);
  const colors: Colors = io.stdout.isTTY ? ANSI_COLORS : NO_COLORS;
  io.stdout.write(
    `wrote ${displayPath(io.cwd, file)}: ${queries.length} workbook queries over ${Object.values(data.rowCounts).reduce((a, b) => a + b, 0)} test rows, ${data.rules.length} rules, ${runs.length} case runs` +
      ` (${failedCases > 0 ? colors.red(`${failedCases} failed`) : 'all passed or skipped'})\n`,
  );
  for (const s of brokenQueries) io.stdout.write(`  ${colors.red('error')} workbook ${s.item.name}: ${s.error}\n`);
  return failedCases > 0 || brokenQueries.length > 0 ? 1 : 0;
}

function runTests(args: CliArgs, io: CliIo, manifest: Manifest, catalog: Catalog, globals: Kusto.Language.GlobalState): number {
  const results = testRules(manifest, catalog, globals);
  const totals = caseTotals(results);
  if (args.format === 'json') {
    io.stdout.write(`${JSON.stringify({ ok: totals.failed === 0, command: 'test', manifest: args.manifest, cases: results, summary: totals }, null, 2)}\n`);
  } else {
    const colors: Colors = io.stdout.isTTY ? ANSI_COLORS : NO_COLORS;
    const rules = new Set(results.map((r) => r.ruleId)).size;
    io.stdout.write(`${formatCaseResults(results, colors)}\n`);
    io.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped: ${rules} rules, each case run with the accounts inline and from the watchlist\n`);
  }
  return totals.failed > 0 ? 1 : 0;
}

async function runReplay(args: CliArgs, io: CliIo, manifest: Manifest, rules: readonly RenderedRule[], globals: Kusto.Language.GlobalState): Promise<number> {
  const specs = args.events.map((spec) => {
    try {
      return parseEventsSpec(spec, LOG_ANALYTICS_TABLES);
    } catch (error) {
      if (error instanceof EventsSpecError) throw new UsageError(error.message);
      throw error;
    }
  });
  let now: number | undefined;
  if (args.now !== undefined) {
    const parsed = parseDateTime(args.now);
    if (!parsed) throw new UsageError(`--now ${args.now} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
    now = parsed.ms;
  }
  const parts: { table: string; rows: Table }[] = [];
  for (const spec of specs) {
    const path = resolve(io.cwd, spec.file);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the events file ${spec.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    try {
      parts.push({ table: spec.table, rows: eventsTable(recordsFromText(text, spec.file), spec.table, LOG_ANALYTICS_TABLES, spec.file) });
    } catch (error) {
      if (!(error instanceof InputRowError)) throw error;
      io.stderr.write(`breakglass: ${error.message}\nNothing was replayed: fix the records and run again.\n`);
      return 1;
    }
  }
  const events = mergeTables(parts);
  const replay = replayRules(rules, manifest, events, globals, now);
  if (args.format === 'json') io.stdout.write(`${JSON.stringify(replayJson(replay, events), null, 2)}\n`);
  else io.stdout.write(`${replayText(replay, events, io.stdout.isTTY ? ANSI_COLORS : NO_COLORS)}\n`);
  return replay.rules.some((r) => r.error !== undefined) ? 1 : 0;
}

function replayJson(replay: ReplayResult, events: ReadonlyMap<string, Table>): unknown {
  return {
    now: formatDateTime(new KDateTime(replay.now)),
    records: Object.fromEntries([...events].map(([name, table]) => [name, table.rows.length])),
    rules: Object.fromEntries(replay.rules.map((r) => [r.ruleId, { fired: r.fired, recordsInWindow: r.recordsInWindow, ...(r.error ? { error: r.error } : {}), rows: r.result?.rows ?? [] }])),
  };
}

/** Columns worth a glance in a terminal; --format json gives every column. */
const REPLAY_COLUMNS = ['TimeGenerated', 'AccountUPN', 'IPAddress', 'SignInType', 'OperationName', 'ResultType'];

function replayText(replay: ReplayResult, events: ReadonlyMap<string, Table>, colors: Colors): string {
  const counts = [...events].map(([name, table]) => `${table.rows.length} ${name}`).join(', ');
  const lines = [`replay as of ${formatDateTime(new KDateTime(replay.now))} over ${counts} records`];
  for (const r of replay.rules) {
    const rows = r.result?.rows ?? [];
    const state = r.error ? colors.red('error') : r.fired ? colors.yellow(`fires, ${rows.length} row${rows.length === 1 ? '' : 's'}`) : 'silent';
    lines.push(`  ${r.ruleId.padEnd(28)} ${state.padEnd(r.fired && !r.error ? 0 : 6)}  ${colors.dim(`${r.recordsInWindow} records in its look-back window`)}`);
    if (r.error) lines.push(`      ${r.error}`);
    for (const row of rows) lines.push(`      ${REPLAY_COLUMNS.filter((c) => c in row).map((c) => `${c}=${String(row[c])}`).join('  ')}`);
  }
  const fired = replay.rules.filter((r) => r.fired).length;
  lines.push(`${fired} of ${replay.rules.length} enabled rules fire`);
  return lines.join('\n');
}
