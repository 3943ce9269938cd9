import type { RuleKind } from '../manifest/types.js';
import { durationMinutes } from '../render/durations.js';

/**
 * How Sentinel runs a rule, as replay models it.
 * - NRT: every minute, over the records ingested in the minute before ("NRT rules are hard-coded
 *   to run once every minute and capture events ingested in the preceding minute",
 *   learn.microsoft.com/azure/sentinel/near-real-time-rules). Sentinel adds a fixed two-minute
 *   delay; a constant shift, left out.
 * - scheduled: every queryFrequency, over the records whose TimeGenerated is within the last
 *   queryPeriod and that have been ingested by then (a record still in flight is not there yet).
 */
export interface RunSchedule {
  kind: RuleKind;
  everyMs: number;
  lookBackMs: number;
  /** The time a window is measured on. */
  by: 'ingestion' | 'generated';
}

export const NRT_RUN_MS = 60_000;

export function runSchedule(rule: { kind: RuleKind; queryFrequency: string; queryPeriod: string }): RunSchedule {
  if (rule.kind === 'nrt') return { kind: 'nrt', everyMs: NRT_RUN_MS, lookBackMs: NRT_RUN_MS, by: 'ingestion' };
  return { kind: 'scheduled', everyMs: durationMinutes(rule.queryFrequency) * 60_000, lookBackMs: durationMinutes(rule.queryPeriod) * 60_000, by: 'generated' };
}
