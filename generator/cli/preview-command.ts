import { join } from 'node:path';
import type { BuildResult } from '../build.js';
import type { Catalog } from '../catalog/rule-template.js';
import type { Manifest } from '../manifest/types.js';
import { previewData } from '../preview/preview-data.js';
import { previewHtml } from '../preview/preview-html.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { colorsFor, type Colors } from '../report/text-report.js';
import { LOG_ANALYTICS_TABLES } from '../validate/kusto-schema.js';
import { writeOutputFiles } from '../io/write-files.js';
import { displayPath } from './display-path.js';

export interface PreviewIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** Writes <out>/preview/index.html; exit 1 when a case fails or a workbook query cannot run (the page is written anyway). */
export async function runPreview(
  io: PreviewIo,
  manifest: Manifest,
  catalog: Catalog,
  rules: readonly RenderedRule[],
  workbook: NonNullable<BuildResult['workbook']>,
  globals: Kusto.Language.GlobalState,
  outDir: string,
  options: { force: boolean; signal?: AbortSignal; checkpoint: () => Promise<void> },
): Promise<number> {
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
  await options.checkpoint();
  const file = join(outDir, 'preview', 'index.html');
  const write = await writeOutputFiles(outDir, [{ path: 'preview/index.html', content: previewHtml(data) }], { owner: 'preview', force: options.force, ...(options.signal ? { signal: options.signal } : {}) });
  if (write.state === 'interrupted') await options.checkpoint();
  if (write.state === 'refused') {
    io.stderr.write(`breakglass: ${displayPath(io.cwd, file)} is there and was not written by breakglass preview; nothing written (move it away, choose another --out, or pass --force to overwrite it)\n`);
    return 1;
  }
  const runs = data.rules.flatMap((r) => r.cases);
  const failedCases = runs.filter((c) => c.status === 'failed').length;
  const queries = data.sections.filter((s) => s.query !== undefined);
  const brokenQueries = queries.filter((s) => s.error !== undefined);
  const colors: Colors = colorsFor(io.stdout);
  io.stdout.write(
    `wrote ${displayPath(io.cwd, file)}: ${queries.length} workbook queries over ${Object.values(data.rowCounts).reduce((a, b) => a + b, 0) - data.simulatedIncidents} test rows and ${data.simulatedIncidents} incidents they raise, ${data.rules.length} rules, ${runs.length} case runs` +
      ` (${failedCases > 0 ? colors.red(`${failedCases} failed`) : 'all passed or skipped'})\n`,
  );
  for (const s of brokenQueries) io.stdout.write(`  ${colors.red('error')} workbook ${s.item.name}: ${s.error}\n`);
  return failedCases > 0 || brokenQueries.length > 0 ? 1 : 0;
}
