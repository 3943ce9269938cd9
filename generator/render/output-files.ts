import { stringify } from 'yaml';
import { armTemplateText, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import type { PlaybookSource } from '../playbook/playbook-definition.js';
import { playbookTemplate } from '../playbook/playbook-template.js';
import { armRuleTemplate } from './arm-rule-template.js';
import { automationRuleTemplate } from './automation-rule.js';
import { azureDeployTemplate } from './azuredeploy.js';
import { diagnosticSettingsTemplate } from './diagnostic-settings.js';
import { maesterConfig, scubaGearConfig } from './interop.js';
import { queryContext } from './query-context.js';
import type { RenderedRules } from './render-rules.js';
import { sentinelYamlRule } from './sentinel-yaml.js';
import { ssprExclusionFile } from './sspr-exclusion-rule.js';
import { watchersTemplate } from './watcher-alerts.js';
import { watchlistTemplate } from './watchlist-resource.js';
import { watchlistCsv } from './watchlist-csv.js';

export interface OutputFile {
  /** Relative to the output folder, with forward slashes. */
  path: string;
  content: string;
}

export interface OutputInput {
  manifest: Manifest;
  rendered: RenderedRules;
  /** The Azure Monitor alerts (accounts inline: it has no watchlists); absent when Azure Monitor would refuse them. */
  azureMonitor?: ArmValue;
  playbook: PlaybookSource;
  workbook: { template: ArmValue; resource: ArmValue };
  ssprRule: string;
}

/** Every file `render` writes, in a fixed order with fixed formatting: same input, same bytes. */
export function outputFiles(input: OutputInput): OutputFile[] {
  const { manifest, rendered } = input;
  const files: OutputFile[] = [];
  for (const rule of rendered.rules) files.push({ path: `arm/rules/${rule.id}.json`, content: armTemplateText(armRuleTemplate(rule)) });
  for (const rule of rendered.rules) {
    files.push({ path: `yaml/${rule.id}.yaml`, content: stringify(sentinelYamlRule(rule), { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false }) });
  }
  files.push(
    { path: 'arm/azuredeploy.json', content: armTemplateText(azureDeployTemplate(manifest, rendered, input.playbook, input.workbook.resource)) },
    { path: 'arm/playbook.json', content: armTemplateText(playbookTemplate(manifest, rendered.rules, input.playbook)) },
    { path: 'arm/automation-rule.json', content: armTemplateText(automationRuleTemplate(manifest, rendered.rules)) },
    { path: 'arm/workbook.json', content: armTemplateText(input.workbook.template) },
    { path: 'arm/watchlist.json', content: armTemplateText(watchlistTemplate(manifest)) },
    { path: 'arm/diagnostic-settings.json', content: armTemplateText(diagnosticSettingsTemplate(manifest)) },
    ...(input.azureMonitor ? [{ path: 'azure-monitor/alerts.json', content: armTemplateText(input.azureMonitor) }] : []),
    { path: 'azure-monitor/watchers.json', content: armTemplateText(watchersTemplate(manifest, rendered.rules)) },
    { path: 'entra/sspr-exclusion-rule.txt', content: ssprExclusionFile(input.ssprRule) },
    { path: `watchlist/${queryContext(manifest).watchlist.alias}.csv`, content: watchlistCsv(manifest, 'people') },
    { path: 'interop/maester-config.json', content: maesterConfig(manifest) },
    { path: 'interop/scubagear-config.yaml', content: scubaGearConfig(manifest) },
  );
  return files;
}
