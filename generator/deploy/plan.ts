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
  /** Carries our marker (or our deterministic id): only such resources are ever deleted. */
  owned: boolean;
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
  const same = actual instanceof Date ? actual.toISOString() === desired : actual === desired;
  return same ? [] : [{ path, before: actual, after: desired }];
}

const key = (kind: ResourceKind, name: string) => `${kind}/${name.toLowerCase()}`;

/**
 * The changes that make a workspace match the desired state. Pure. Resources the workspace has
 * and we do not want are deleted only when they are ours and `prune` is set; items of our own
 * watchlist are its content and are always kept in step.
 */
export function planWorkspace(desired: readonly DesiredResource[], actual: readonly ActualResource[], options: { prune: boolean }): PlannedChange[] {
  const actualByKey = new Map(actual.map((a) => [key(a.kind, a.name), a]));
  const wanted = new Set(desired.map((d) => key(d.kind, d.name)));
  const upserts: PlannedChange[] = desired.map((d) => {
    const current = actualByKey.get(key(d.kind, d.name));
    const id = { kind: d.kind, name: d.name, path: d.path, label: d.label };
    if (!current) return { ...id, action: 'create', changes: [], body: d.body };
    const changes = diffFields(d.compare, current.body);
    if (changes.length === 0) return { ...id, action: 'no-op', changes };
    return { ...id, action: 'update', changes, body: d.body, ...(current.etag ? { etag: current.etag } : {}) };
  });
  const deletes: PlannedChange[] = actual
    .filter((a) => !wanted.has(key(a.kind, a.name)) && a.owned && (options.prune || a.kind === 'watchlistItem'))
    .map((a) => ({ kind: a.kind, name: a.name, path: a.path, label: a.label, action: 'delete', changes: [] }));
  const phase = (c: PlannedChange) => PHASES.indexOf(c.kind);
  upserts.sort((a, b) => phase(a) - phase(b));
  deletes.sort((a, b) => phase(b) - phase(a));
  return [...upserts, ...deletes];
}

export function pendingChanges(plan: readonly PlannedChange[]): PlannedChange[] {
  return plan.filter((c) => c.action !== 'no-op');
}
