import type { Finding } from '../findings.js';
import { checkWorkflowExpressions } from '../logic-app/check-workflow.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import type { Manifest } from '../manifest/types.js';
import { checkMessageTemplate } from './message-templates.js';
import { MESSAGE_NAMES, type PlaybookSource } from './playbook-definition.js';
import { workflowDefinition } from './playbook-template.js';

const REQUIRED_METADATA = ['title', 'description', 'lastUpdateTime', 'version'] as const;

/** Message templates use only safe helpers; every expression of the built workflow parses. */
export function checkPlaybook(manifest: Manifest, rules: readonly RenderedRule[], source: PlaybookSource): Finding[] {
  const findings: Finding[] = [];
  for (const key of REQUIRED_METADATA) {
    if (typeof source.metadata?.[key] !== 'string' || source.metadata[key].length === 0) {
      findings.push({ severity: 'error', code: 'playbook/metadata', message: `playbook metadata has no ${key}`, location: { file: source.files.metadata } });
    }
  }
  for (const name of MESSAGE_NAMES) {
    for (const problem of checkMessageTemplate(source.messages[name])) {
      findings.push({ severity: 'error', code: 'playbook/template', message: problem.message, location: { file: source.files[name], line: problem.line, column: problem.column + 1 } });
    }
  }
  if (findings.length > 0) return findings;
  return checkWorkflowExpressions(workflowDefinition(manifest, rules, source), 'out/arm/playbook.json');
}
