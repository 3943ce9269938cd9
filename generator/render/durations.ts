/** Durations as Sentinel's rule YAML writes them (5m, 1h, 14d) and as its API takes them (PT5M, PT1H, P14D). */
const UNIT_MINUTES = { m: 1, h: 60, d: 1440 } as const;

export function durationMinutes(text: string): number {
  const match = /^([1-9][0-9]*)([mhd])$/.exec(text);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(text)} (expected e.g. 5m, 1h, 14d)`);
  return Number(match[1]) * UNIT_MINUTES[match[2] as keyof typeof UNIT_MINUTES];
}

export function isoDuration(text: string): string {
  const minutes = durationMinutes(text);
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}

/** Milliseconds as the rule YAML writes a duration: 5m, 1h, 14d. */
export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/**
 * Minutes of an ISO 8601 duration as ARM writes them (`PT5M`, `P14D`, `P2DT1H30M`, `PT0.5H`);
 * undefined when the text is not one. Years and months have no fixed length and are refused.
 */
export function isoDurationMinutes(text: string): number | undefined {
  const match = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, m, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  return w! * 7 * 1440 + d! * 1440 + h! * 60 + m! + s! / 60;
}
