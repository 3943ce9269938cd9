import { isoDurationMinutes } from '../render/durations.js';
import { printable } from './azure-rest.js';
import { ruleOwnership, watchlistOwnership } from '../render/ownership.js';
import { PHASES, type DesiredResource, type ResourceKind } from './desired-state.js';

/** What the workspace holds, as read from it. */
export interface ActualResource {
  kind: ResourceKind;
  name: string;
  /** The resource's path under the Resource Manager endpoint. */
  path: string;
  label: string;
  body: Record<string, unknown>;
  etag?: string;
}

export type Action = 'create' | 'update' | 'no-op' | 'delete';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface PlannedChange {
  kind: ResourceKind;
  name: string;
  path: string;
  label: string;
  action: Action;
  changes: FieldChange[];
  /** For create and update. */
  body?: Record<string, unknown>;
  /** For update: the version we compared against (optimistic concurrency). */
  etag?: string;
}

/**
 * Fields that differ, looking only at what we set: fields the server adds (etag, timestamps,
 * ids, defaults) are not ours and never count as a change.
 */
export function diffFields(desired: unknown, actual: unknown, path = ''): FieldChange[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return [{ path, before: actual, after: desired }];
    return desired.flatMap((item, i) => diffFields(item, actual[i], `${path}[${i}]`));
  }
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [{ path, before: actual, after: desired }];
    return Object.entries(desired as Record<string, unknown>).flatMap(([key, value]) =>
      value === undefined ? [] : diffFields(value, (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
    );
  }
  const same = actual instanceof Date ? actual.toISOString() === desired : actual === desired || sameValue(desired, actual);
  return same ? [] : [{ path, before: actual, after: desired }];
}

/**
 * Two spellings of one value, as the service may give ours back: a duration (the contract's
 * `format: duration`; the service keeps a TimeSpan and writes it its own way, PT90M as PT1H30M)
 * and a resource id (Resource Manager ids are case-insensitive).
 */
function sameValue(desired: unknown, actual: unknown): boolean {
  if (typeof desired !== 'string' || typeof actual !== 'string') return false;
  if (desired.startsWith('/subscriptions/') && actual.toLowerCase() === desired.toLowerCase()) return true;
  if (!desired.startsWith('P') || !actual.startsWith('P')) return false;
  const [a, b] = [isoDurationMinutes(desired), isoDurationMinutes(actual)];
  return a !== undefined && a === b;
}

const key = (kind: ResourceKind, name: string) => `${kind}/${name.toLowerCase()}`;

export interface PlanOptions {
  prune: boolean;
  /** The manifest's idNamespace: what makes a resource this manifest's (render/ownership.ts). */
  namespace: string;
  /** Take over a watchlist of our alias that this manifest did not create. */
  adopt?: boolean;
}

export interface WorkspacePlan {
  changes: PlannedChange[];
  /** Resources that carry our marker but are not this manifest's: never touched, shown so nobody wonders. */
  notOurs: string[];
  /** Set when nothing may be done in this workspace, and why. */
  refused?: string;
}

const properties = (body: Record<string, unknown>) => (body['properties'] ?? {}) as Record<string, unknown>;

/**
 * The changes that make a workspace match the desired state. Pure.
 * - Rules: a rule the workspace has and we no longer render is deleted only with `prune` and only
 *   when it is ours (render/ownership.ts); one that only looks like ours is listed, never touched.
 * - The watchlist: one of our alias that this manifest did not create is not taken over (its
 *   settings and items would be overwritten) unless `adopt`: the workspace is refused instead.
 *   The items of our own watchlist are its content and always follow the manifest.
 * - Deployments and automation rules have names derived from the manifest's namespace: ours.
 */
export function planWorkspace(desired: readonly DesiredResource[], actual: readonly ActualResource[], options: PlanOptions): WorkspacePlan {
  const actualByKey = new Map(actual.map((a) => [key(a.kind, a.name), a]));
  const wanted = new Set(desired.map((d) => key(d.kind, d.name)));
  const watchlist = actual.find((a) => a.kind === 'watchlist');
  if (watchlist && !options.adopt) {
    const p = properties(watchlist.body);
    if (watchlistOwnership(options.namespace, p['provider'], p['description']) !== 'ours') {
      return {
        changes: [],
        notOurs: [],
        refused: `the watchlist '${printable(watchlist.name)}' exists and was not made by this manifest (provider ${printable(JSON.stringify(p['provider'] ?? null))}): push would overwrite its settings and replace its items, so nothing was planned here. If it is yours (made by an earlier version of breakglass-sentinel, or by hand for these rules), run push --adopt once; otherwise give this manifest another watchlist.alias`,
      };
    }
  }
  const upserts: PlannedChange[] = desired.map((d) => {
    const current = actualByKey.get(key(d.kind, d.name));
    const id = { kind: d.kind, name: d.name, path: d.path, label: d.label };
    if (!current) return { ...id, action: 'create', changes: [], body: d.body };
    const changes = diffFields(d.compare, current.body);
    if (changes.length === 0) return { ...id, action: 'no-op', changes };
    return { ...id, action: 'update', changes, body: d.body, ...(current.etag ? { etag: current.etag } : {}) };
  });
  const notOurs: string[] = [];
  const deletes: PlannedChange[] = [];
  for (const a of actual) {
    if (wanted.has(key(a.kind, a.name))) continue;
    if (a.kind === 'alertRule') {
      const ownership = ruleOwnership(options.namespace, a.name, String(properties(a.body)['description'] ?? ''));
      if (ownership === 'looks-like-ours') notOurs.push(`${a.label} (${printable(a.name)}): carries the breakglass-sentinel marker, but its id or manifest is not this manifest's (a copy, or another manifest's rule)`);
      if (ownership !== 'ours' || !options.prune) continue;
    } else if (a.kind !== 'watchlistItem') continue;
    deletes.push({ kind: a.kind, name: a.name, path: a.path, label: a.label, action: 'delete', changes: [] });
  }
  const phase = (c: PlannedChange) => PHASES.indexOf(c.kind);
  upserts.sort((a, b) => phase(a) - phase(b));
  deletes.sort((a, b) => phase(b) - phase(a));
  return { changes: [...upserts, ...deletes], notOurs };
}

export function pendingChanges(plan: readonly PlannedChange[]): PlannedChange[] {
  return plan.filter((c) => c.action !== 'no-op');
}
