/**
 * Text every rule we render carries at the end of its description. With the deterministic GUID it
 * is how a push recognises its own rules, and it tells an analyst in the portal where to edit.
 */
export const MANAGED_MARKER = 'Managed by breakglass-sentinel';

export function managedDescription(description: string, ruleId: string, version: string): string {
  return `${description.trimEnd()}\n\n${MANAGED_MARKER} (rule ${ruleId}, version ${version}). Change it in the accounts manifest or the rule catalog, not in the portal: the next push reverts portal edits.`;
}
