import type { Finding } from '../findings.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import type { Locator } from './sentinel-limits.js';

/**
 * A rule written for some kinds only (allowedKinds in its file) must not be switched to another:
 * a query that waits for records to settle (signin-interrupted judges a sign-in ten minutes after
 * it arrived) finds nothing in a near-real-time rule's one-minute window, silently.
 */
export function allowedKindFindings(rule: RenderedRule, at: Locator): Finding[] {
  const allowed = rule.template.allowedKinds;
  if (!allowed || allowed.includes(rule.kind)) return [];
  return [
    {
      severity: 'error',
      code: 'catalog/kind-not-allowed',
      ruleId: rule.id,
      message: `${rule.id}: the rule is written for ${allowed.join(' or ')} only and cannot run as ${rule.kind}`,
      hint: `Remove kind: ${rule.kind} from rules.${rule.id} in the manifest.`,
      ...at(rule, 'kind', ['kind']),
    },
  ];
}
