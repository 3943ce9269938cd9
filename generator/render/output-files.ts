import { stringify } from 'yaml';
import { armTemplateText } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import { armRuleTemplate } from './arm-rule-template.js';
import type { RenderedRules } from './render-rules.js';
import { sentinelYamlRule } from './sentinel-yaml.js';
import { watchlistCsv } from './watchlist-csv.js';
import { queryContext } from './query-context.js';

export interface OutputFile {
  /** Relative to the output folder, with forward slashes. */
  path: string;
  content: string;
}

/** Every file `render` writes, in a fixed order with fixed formatting: same input, same bytes. */
export function outputFiles(manifest: Manifest, rendered: RenderedRules): OutputFile[] {
  const files: OutputFile[] = [];
  for (const rule of rendered.rules) {
    files.push({ path: `arm/rules/${rule.id}.json`, content: armTemplateText(armRuleTemplate(rule)) });
  }
  for (const rule of rendered.rules) {
    files.push({ path: `yaml/${rule.id}.yaml`, content: stringify(sentinelYamlRule(rule), { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false }) });
  }
  if (rendered.accountSource === 'watchlist') {
    files.push({ path: `watchlist/${queryContext(manifest).watchlist.alias}.csv`, content: watchlistCsv(manifest) });
  }
  return files;
}
