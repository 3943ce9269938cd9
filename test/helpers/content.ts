import { build, type BuildResult } from '../../generator/build.js';
import type { Catalog } from '../../generator/catalog/rule-template.js';
import type { PlaybookSource } from '../../generator/playbook/playbook-definition.js';
import type { ParsedWorkbook } from '../../generator/workbook/workbook-template.js';
import { builtInCatalog, builtInPlaybook, builtInWorkbook, exampleManifestText, sharedGlobals } from './harness.js';

export interface Content {
  catalog: Catalog;
  playbook: PlaybookSource;
  workbook: ParsedWorkbook;
  example: string;
  build(text?: string): BuildResult;
}

/** The built-in catalog, playbook and workbook, loaded once, and a build of any manifest text. */
export async function loadContent(): Promise<Content> {
  const [catalog, playbook, workbook, example] = await Promise.all([builtInCatalog(), builtInPlaybook(), builtInWorkbook(), exampleManifestText()]);
  return {
    catalog,
    playbook,
    workbook,
    example,
    build: (text = example) => build({ manifestText: text, manifestFile: 'examples/accounts.yaml', catalog, playbook, workbook, globals: sharedGlobals() }),
  };
}

/** A rendered file, parsed as JSON. */
export function jsonFile<T>(result: BuildResult, path: string): T {
  const file = result.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} among ${result.files.map((f) => f.path).join(', ')}; findings: ${JSON.stringify(result.findings)}`);
  return JSON.parse(file.content) as T;
}
