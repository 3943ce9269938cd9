/**
 * The orchestrator: read (manifest, catalog, templates) -> build (pure) -> one command's output.
 * Every outcome becomes an exit code here and nowhere else.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from './build.js';
import { readCatalog } from './catalog/read-catalog.js';
import { countBySeverity } from './findings.js';
import { WriteError, writeOutputFiles, type WriteOutcome } from './io/write-files.js';
import { packageRoot, packageVersion } from './package-info.js';
import { colorsFor, formatFindings } from './report/text-report.js';
import { workspaceGlobals } from './validate/kusto-schema.js';
import { readPlaybook } from './playbook/read-playbook.js';
import { parseWorkbookTemplate } from './workbook/workbook-template.js';
import { buildReport } from './cli/build-report.js';
import { displayPath } from './cli/display-path.js';
import { InitUsageError, runInit } from './cli/init-command.js';
import { Interrupted, INTERRUPTED_EXIT_CODE } from './cli/interrupted.js';
import { parseCli } from './cli/parse-cli.js';
import { terminalProgress } from './cli/progress.js';
import { runPreview } from './cli/preview-command.js';
import { runQuery } from './cli/query-command.js';
import { runReplay } from './cli/replay-command.js';
import { runTenantCommand } from './cli/tenant-command.js';
import { runTests } from './cli/test-command.js';
import { UsageError } from './cli/usage-error.js';

export interface CliIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env?: Record<string, string | undefined>;
  /**
   * Aborted on Ctrl-C: push starts no new writes and finishes what is under way; every other
   * command stops at its next step, writes nothing and exits 130.
   */
  signal?: AbortSignal;
  /** Asks the person at the terminal (push without --yes); absent when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  /** Asks one question (init); absent when nobody is at the terminal. */
  prompt?: (question: string) => Promise<string>;
  /** Seam for tests: init's id namespace. */
  newGuid?: () => string;
  /** Seam for tests and benchmarks: reuse one loaded Kusto global state. */
  globals?: () => Kusto.Language.GlobalState;
  /** Seams for plan, push and drift in tests: a credential and the certificate of a local emulator. */
  deploy?: Pick<import('./deploy/deploy-command.js').DeployIo, 'credential' | 'tls' | 'workspaceApi'>;
}

/** The one place that turns outcomes into exit codes. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`breakglass: ${error.message}\nRun 'breakglass ${error.command ? `${error.command} ` : ''}--help' for usage.\n`);
      return 2;
    }
    if (error instanceof WriteError) {
      io.stderr.write(`breakglass: ${displayPathOf(io.cwd, error)}; nothing was changed\n`);
      return 1;
    }
    if (error instanceof Interrupted) {
      io.stderr.write(`breakglass: interrupted; nothing was written\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    io.stderr.write(`breakglass: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function displayPathOf(cwd: string, error: WriteError): string {
  return `cannot write ${displayPath(cwd, error.path)}: ${error.reason}`;
}

/**
 * Lets a pending Ctrl-C be seen (the signal is delivered between event-loop turns, never inside
 * synchronous work), then stops if it came.
 */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new Interrupted();
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
  // query runs one query over records: it needs no manifest.
  if (args.command === 'query') return runQuery(args, io);
  const manifestPath = resolve(io.cwd, args.manifest);
  if (args.command === 'init') {
    try {
      return await runInit(args.init, manifestPath, displayPath(io.cwd, manifestPath), join(packageRoot(), 'schemas', 'manifest.schema.json'), io);
    } catch (error) {
      if (error instanceof InitUsageError) throw new UsageError(error.message, 'init');
      throw error;
    }
  }
  const deploying = args.command === 'plan' || args.command === 'push' || args.command === 'drift';
  if (deploying) {
    io.signal?.addEventListener('abort', () => io.stderr.write('\ninterrupted: no new changes will be started (Ctrl-C again to stop at once)\n'), { once: true });
  } else {
    await checkpoint(io.signal);
  }
  const manifestText = await readFile(manifestPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the manifest ${args.manifest}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const root = packageRoot();
  const catalogDirs = [join(root, 'analytics-rules'), ...args.rules.map((d) => resolve(io.cwd, d))];
  const { catalog, findings: catalogFindings } = await readCatalog(catalogDirs, io.cwd).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read a rule folder: ${error.message}`);
  });
  if (args.command === 'posture' || args.command === 'drill') {
    return runTenantCommand({ ...args, command: args.command }, io, manifestText, displayPath(io.cwd, manifestPath), catalog, catalogFindings);
  }
  const playbook = await readPlaybook(join(root, 'playbooks'), io.cwd);
  const workbookFile = join(root, 'workbooks', 'breakglass-accounts.yaml');
  const workbook = parseWorkbookTemplate(await readFile(workbookFile, 'utf8'), displayPath(io.cwd, workbookFile));
  const globals = (io.globals ?? workspaceGlobals)();
  const progress = terminalProgress(io.stderr);
  const result = build({ manifestText, manifestFile: displayPath(io.cwd, manifestPath), catalog, playbook, workbook, globals, onAnalysed: (done, total) => progress.update('analysing queries with Kusto.Language', done, total) });
  progress.clear();
  const findings = [...catalogFindings, ...result.findings];
  const counts = countBySeverity(findings);
  const failed = counts.error > 0 || (counts.warning > 0 && !args.allowWarnings);
  const outDir = resolve(io.cwd, args.out);
  if (!deploying) await checkpoint(io.signal);
  if (args.command === 'render' || args.command === 'validate') {
    let write: WriteOutcome | undefined;
    if (args.command === 'render' && !failed) {
      write = await writeOutputFiles(outDir, result.files, { owner: 'render', force: args.force, ...(io.signal ? { signal: io.signal } : {}) });
      if (write.state === 'interrupted') throw new Interrupted();
    }
    buildReport(args, io, result, findings, failed, displayPath(io.cwd, outDir), write);
    return failed || write?.state === 'refused' ? 1 : 0;
  }
  // Every other command works on valid content only.
  if (failed || !result.manifest || !result.rendered || !result.workbook) {
    buildReport({ ...args, command: 'validate' }, io, result, findings, failed, '');
    return 1;
  }
  const { manifest, rendered } = result;
  const stop = () => checkpoint(io.signal);
  switch (args.command) {
    case 'test':
      return runTests(args, io, manifest, catalog, globals, stop);
    case 'replay':
      return runReplay(args, io, manifest, rendered.rules, globals, stop);
    case 'preview':
      return runPreview(io, manifest, catalog, rendered.rules, result.workbook, globals, outDir, { force: args.force, ...(io.signal ? { signal: io.signal } : {}), checkpoint: stop });
    default:
      break;
  }
  if (findings.length > 0 && args.format === 'text') io.stderr.write(`${formatFindings(findings, colorsFor(io.stderr))}\n`);
  // The Azure SDK takes a third of a second to load: only plan, push and drift pay for it.
  const { DeployUsageError, runDeployCommand } = await import('./deploy/deploy-command.js');
  try {
    return await runDeployCommand({ ...args, command: args.command }, result, playbook, {
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env ?? process.env,
      colors: colorsFor(io.stdout),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.confirm ? { confirm: io.confirm } : {}),
      ...io.deploy,
    });
  } catch (error) {
    if (error instanceof DeployUsageError) throw new UsageError(error.message, args.command);
    throw error;
  }
}
