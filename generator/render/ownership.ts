import { uuidV5 } from './uuid-v5.js';

/**
 * What makes a resource in a workspace ours, i.e. this manifest's: push --prune deletes only those,
 * and push refuses to take over a watchlist that is not.
 *
 * A rule is ours when BOTH hold:
 * - its resource name is the id we derive for a rule id: UUID v5 of the rule id in the manifest's
 *   `idNamespace` (a portal copy of our rule gets a new GUID; a hand-made rule has its own);
 * - its description carries our marker naming that rule id, and, when it names a manifest, this
 *   manifest (another manifest's rules in the same workspace name theirs).
 * Quoting the marker is not enough, and neither is a GUID alone.
 */
export const MANAGED_MARKER = 'Managed by breakglass-sentinel';

export function ruleGuid(namespace: string, ruleId: string): string {
  return uuidV5(`breakglass-sentinel/analytics-rule/${ruleId}`, namespace.toLowerCase());
}

/** The note every rule we render ends with: who manages it, for which manifest, which rule and version. */
export function managedDescription(description: string, namespace: string, ruleId: string, version: string): string {
  return `${description.trimEnd()}\n\n${MANAGED_MARKER} (manifest ${namespace.toLowerCase()}, rule ${ruleId}, version ${version}). Change it in the accounts manifest or the rule catalog, not in the portal: the next push reverts portal edits.`;
}

/** The watchlist's description: the same marker, naming the manifest. */
export function managedWatchlistDescription(namespace: string): string {
  return `Emergency access accounts watched by the breakglass-sentinel rules. ${MANAGED_MARKER} (manifest ${namespace.toLowerCase()}): edit the accounts manifest, not this watchlist.`;
}

interface Marker {
  /** Absent in rules pushed before markers named their manifest. */
  namespace?: string;
  ruleId?: string;
}

const MARKER = /Managed by breakglass-sentinel \((?:manifest ([0-9a-fA-F-]{36})(?:, )?)?(?:rule ([a-z][a-z0-9-]*))?/;

export function parseMarker(description: string): Marker | undefined {
  const match = MARKER.exec(description);
  if (!match) return undefined;
  return { ...(match[1] ? { namespace: match[1].toLowerCase() } : {}), ...(match[2] ? { ruleId: match[2] } : {}) };
}

/**
 * `ours`: made by this manifest (see above). `looks-like-ours`: it carries our marker but is not
 * ours (a portal copy, another manifest's rule, a rule quoting the marker): never touched, and
 * the plan says so. `foreign`: anything else.
 */
export type Ownership = 'ours' | 'looks-like-ours' | 'foreign';

export function ruleOwnership(namespace: string, name: string, description: string): Ownership {
  const marker = parseMarker(description);
  if (!marker) return 'foreign';
  const sameManifest = marker.namespace === undefined || marker.namespace === namespace.toLowerCase();
  return sameManifest && marker.ruleId !== undefined && name.toLowerCase() === ruleGuid(namespace, marker.ruleId) ? 'ours' : 'looks-like-ours';
}

/** A watchlist is ours when our marker in it names this manifest (and we are its provider). */
export function watchlistOwnership(namespace: string, provider: unknown, description: unknown): Ownership {
  const marker = typeof description === 'string' ? parseMarker(description) : undefined;
  if (!marker) return 'foreign';
  return provider === 'breakglass-sentinel' && marker.namespace === namespace.toLowerCase() ? 'ours' : 'looks-like-ours';
}
