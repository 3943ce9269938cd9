import type { Catalog } from '../catalog/rule-template.js';
import { hasErrors, type Finding } from '../findings.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { colorsFor, formatFindings } from '../report/text-report.js';
import type { CliIo } from '../cli.js';
import type { CliArgs } from './parse-cli.js';
import { UsageError } from './usage-error.js';

/**
 * posture and drill read the tenant and the workspace, not the rendered content: they need only a
 * valid manifest (and the catalog's rule ids), so they skip the Kusto analysis, and load the Graph
 * and Log Analytics clients only when they run.
 */
export async function runTenantCommand(args: CliArgs & { command: 'posture' | 'drill' }, io: CliIo, manifestText: string, manifestFile: string, catalog: Catalog, catalogFindings: readonly Finding[]): Promise<number> {
  const parsed = parseManifest(manifestText, manifestFile, catalog.rules.map((r) => r.template.id));
  const findings = [...catalogFindings, ...parsed.findings];
  if (findings.length > 0) io.stderr.write(`${formatFindings(findings, colorsFor(io.stderr))}\n`);
  if (hasErrors(findings) || !parsed.manifest || !parsed.source) return 1;
  const common = { stdout: io.stdout, stderr: io.stderr, env: io.env ?? process.env, colors: colorsFor(io.stdout), ...(io.signal ? { signal: io.signal } : {}) };
  const { TenantUsageError } = await import('../posture/posture-command.js');
  try {
    if (args.command === 'posture') {
      const { runPosture } = await import('../posture/posture-command.js');
      return await runPosture({ format: args.format, detailedExitcode: args.detailedExitcode, ...(args.graphEndpoint ? { graphEndpoint: args.graphEndpoint } : {}) }, parsed.manifest, parsed.source, manifestFile, common);
    }
    const { runDrill } = await import('../drill/drill-command.js');
    return await runDrill(
      { account: args.drill!.account, since: args.drill!.since, workspaces: args.workspaces, out: args.out, format: args.format === 'json' ? 'json' : 'text', ...(args.logsEndpoint ? { logsEndpoint: args.logsEndpoint } : {}) },
      parsed.manifest,
      catalog,
      manifestFile,
      { ...common, cwd: io.cwd },
    );
  } catch (error) {
    if (error instanceof TenantUsageError) throw new UsageError(error.message, args.command);
    throw error;
  }
}
