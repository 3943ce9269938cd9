import type { CatalogRule } from '../catalog/rule-template.js';
import type { Manifest, RuleKind, RuleOverride, Severity } from '../manifest/types.js';
import { ruleGuid } from './ownership.js';

/** A catalog rule with the manifest's overrides applied: what will be deployed. */
export interface ResolvedRule extends CatalogRule {
  id: string;
  /** Stable Sentinel rule id: UUID v5 of the rule id in the manifest's namespace. */
  guid: string;
  enabled: boolean;
  severity: Severity;
  kind: RuleKind;
  queryFrequency: string;
  queryPeriod: string;
  /** Which settings the manifest set (findings about them point into the manifest). */
  overridden: (keyof RuleOverride)[];
}

export function resolveRules(manifest: Manifest, rules: readonly CatalogRule[]): ResolvedRule[] {
  return rules.map((rule) => {
    const t = rule.template;
    const o: RuleOverride = manifest.rules?.[t.id] ?? {};
    return {
      ...rule,
      id: t.id,
      guid: ruleGuid(manifest.idNamespace, t.id),
      enabled: o.enabled ?? true,
      severity: o.severity ?? t.severity,
      kind: o.kind ?? t.kind,
      queryFrequency: o.queryFrequency ?? t.queryFrequency,
      queryPeriod: o.queryPeriod ?? t.queryPeriod,
      overridden: Object.keys(o) as (keyof RuleOverride)[],
    };
  });
}
