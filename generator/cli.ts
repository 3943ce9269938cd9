import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type BuildResult } from './build.js';
import { readCatalog } from './catalog/read-catalog.js';
import { countBySeverity, type Finding } from './findings.js';
import { writeOutputFiles } from './io/write-files.js';
import { packageRoot, packageVersion } from './package-info.js';
import { sarifReport } from './report/sarif-report.js';
import { ANSI_COLORS, findingTotals, formatFindings, NO_COLORS, type Colors } from './report/text-report.js';
import { workspaceGlobals } from './validate/kusto-schema.js';
import { readPlaybook } from './playbook/read-playbook.js';
import { parseWorkbookTemplate } from './workbook/workbook-template.js';

export interface CliIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Seam for tests and benchmarks: reuse one loaded Kusto global state. */
  globals?: () => Kusto.Language.GlobalState;
}

class UsageError extends Error {}

const HELP = `breakglass: Microsoft Sentinel content for Entra ID break-glass accounts, from one manifest

Usage:
  breakglass render   --manifest FILE [--out DIR] [--format text|json|sarif] [--allow-warnings]
  breakglass validate --manifest FILE [--format text|json|sarif] [--allow-warnings]
  breakglass --help | --version

Commands:
  render     render the analytics rules (ARM templates and Azure-Sentinel YAML), validate them,
             and write them to --out (default: out) only if validation passes
  validate   render and validate in memory; write nothing

Options:
  --manifest FILE     the accounts manifest (YAML); see examples/accounts.yaml
  --out DIR           output folder for render (default: out)
  --format FORMAT     text (default), json, or sarif (SARIF 2.1.0 for code scanning)
  --rules DIR         an extra folder of rule templates, added to the built-in catalog (repeatable)
  --allow-warnings    warnings (e.g. fewer than two accounts) do not fail the run

Examples:
  breakglass render --manifest examples/accounts.yaml --out out
  breakglass validate --manifest accounts.yaml --format sarif > breakglass.sarif

Exit codes: 0 ok, 1 validation failed (or warnings without --allow-warnings), 2 usage error.
`;

/** The one place that turns outcomes into exit codes. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`breakglass: ${error.message}\nRun 'breakglass --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`breakglass: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCli(argv);
  if (args.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const manifestPath = resolve(io.cwd, args.manifest);
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
  if (args.command === 'render' && !failed) await writeOutputFiles(outDir, result.files);
  report(args, io, result, findings, failed, displayPath(io.cwd, outDir));
  return failed ? 1 : 0;
}

interface CliArgs {
  command: 'render' | 'validate';
  manifest: string;
  out: string;
  format: 'text' | 'json' | 'sarif';
  rules: string[];
  allowWarnings: boolean;
  help: boolean;
  version: boolean;
}

function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        manifest: { type: 'string', short: 'm' },
        out: { type: 'string', short: 'o', default: 'out' },
        format: { type: 'string', default: 'text' },
        rules: { type: 'string', multiple: true, default: [] },
        'allow-warnings': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const base = { help: values.help === true, version: values.version === true };
  if (base.help || base.version) return { command: 'validate', manifest: '', out: '', format: 'text', rules: [], allowWarnings: false, ...base };
  const [command, ...extra] = positionals;
  if (command !== 'render' && command !== 'validate') {
    throw new UsageError(command === undefined ? 'name a command: render or validate' : `unknown command '${command}' (commands: render, validate)`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (!values.manifest) throw new UsageError(`${command} needs --manifest FILE`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
  return { command, manifest: values.manifest, out: values.out ?? 'out', format, rules: values.rules ?? [], allowWarnings: values['allow-warnings'] === true, ...base };
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
