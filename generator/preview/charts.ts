/**
 * The workbook's charts as inline SVG, drawn as its visualisations say: a timechart (a line per
 * series over time), a barchart (a bar per category and number column) and a piechart (a slice per
 * category). No script and nothing fetched: the page stays one self-contained file. Every label
 * passes through escapeHtml. Deterministic: the same rows give the same picture.
 */
import { escapeHtml } from './html-text.js';

export type ColumnKind = 'datetime' | 'number' | 'bool' | 'string' | 'dynamic';

export interface ChartData {
  columns: readonly string[];
  rows: readonly Readonly<Record<string, unknown>>[];
  /** What the values of each column are (from the evaluator's typed result). */
  kinds: Readonly<Record<string, ColumnKind>>;
}

/** Colours of the series, in order (Fluent's palette, distinguishable for most colour vision). */
export const SERIES_COLOURS = ['#0f6cbd', '#c4314b', '#13a10e', '#8764b8', '#ca5010', '#038387', '#986f0b', '#5c2e91', '#4f6bed', '#e3008c'];

const WIDTH = 960;
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,sans-serif" font-size="12"';

/** The chart for a visualisation, or undefined when it is a table or the rows cannot make one. */
export function chartSvg(visualization: string | undefined, title: string, data: ChartData): string | undefined {
  if (data.rows.length === 0) return undefined;
  if (visualization === 'timechart') return timeChart(title, data);
  if (visualization === 'barchart') return barChart(title, data);
  if (visualization === 'piechart') return pieChart(title, data);
  return undefined;
}

const numberColumns = (data: ChartData) => data.columns.filter((c) => data.kinds[c] === 'number');
const labelColumns = (data: ChartData) => data.columns.filter((c) => data.kinds[c] === 'string' || data.kinds[c] === 'bool');
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const label = (row: Readonly<Record<string, unknown>>, columns: readonly string[]): string => columns.map((c) => (row[c] === null || row[c] === undefined || row[c] === '' ? '(empty)' : String(row[c]))).join(' · ') || '(all)';

/** A round step for an axis from 0 to max, about five ticks. */
function niceStep(max: number): number {
  if (max <= 0) return 1;
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  return Math.max(step, Number.isInteger(max) ? 1 : step);
}

function svgOpen(title: string, kind: string, height: number, description: string): string {
  return `<svg class="chart ${kind}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}" ${FONT}><title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>`;
}

function legend(names: readonly string[], y: number, x = 60): string {
  let at = x;
  return names
    .map((name, i) => {
      const text = name.length > 40 ? `${name.slice(0, 39)}…` : name;
      const item = `<g class="legend-item"><rect x="${at}" y="${y - 9}" width="10" height="10" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}"/><text x="${at + 14}" y="${y}">${escapeHtml(text)}</text></g>`;
      at += 14 + text.length * 6.6 + 18;
      return item;
    })
    .join('');
}

function timeLabel(ms: number, sameDay: boolean): string {
  const iso = new Date(ms).toISOString();
  return sameDay ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** A line per series (the text columns together), the time on x and the first number column on y. */
function timeChart(title: string, data: ChartData): string | undefined {
  const time = data.columns.find((c) => data.kinds[c] === 'datetime');
  const value = numberColumns(data)[0];
  if (!time || !value) return undefined;
  const seriesColumns = labelColumns(data);
  const points = data.rows
    .map((row) => ({ t: Date.parse(String(row[time])), v: num(row[value]), series: label(row, seriesColumns) }))
    .filter((p) => Number.isFinite(p.t));
  if (points.length === 0) return undefined;
  const names = [...new Set(points.map((p) => p.series))].sort();
  const minT = Math.min(...points.map((p) => p.t));
  const maxT = Math.max(...points.map((p) => p.t));
  const span = maxT - minT || 3_600_000;
  const maxV = Math.max(...points.map((p) => p.v), 0);
  const step = niceStep(maxV);
  const top = Math.max(step, Math.ceil(maxV / step) * step);
  const height = 280;
  const left = 60;
  const right = WIDTH - 20;
  const plotTop = 40;
  const bottom = height - 40;
  const x = (t: number) => left + ((t - (maxT === minT ? minT - span / 2 : minT)) / span) * (right - left);
  const y = (v: number) => bottom - (v / top) * (bottom - plotTop);
  const parts: string[] = [svgOpen(title, 'timechart', height, `${value} over ${time}, ${names.length} series`)];
  for (let v = 0; v <= top; v += step) parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e8ec"/><text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#5a6572">${v}</text>`);
  const sameDay = new Date(minT).toISOString().slice(0, 10) === new Date(maxT).toISOString().slice(0, 10);
  const ticks = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
  const shown = ticks.filter((_, i) => i % Math.ceil(ticks.length / 8) === 0);
  for (const t of shown) parts.push(`<text class="x-label" x="${x(t).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" fill="#5a6572">${escapeHtml(timeLabel(t, sameDay))}</text>`);
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#8a939e"/>`);
  names.forEach((name, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const own = points.filter((p) => p.series === name).sort((a, b) => a.t - b.t);
    const coords = own.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    parts.push(`<g class="series" data-series="${escapeHtml(name)}"><polyline points="${coords.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of own) parts.push(`<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeHtml(`${name}: ${p.v} at ${new Date(p.t).toISOString().slice(0, 16).replace('T', ' ')} UTC`)}</title></circle>`);
    parts.push('</g>');
  });
  parts.push(legend(names, 20), '</svg>');
  return parts.join('');
}

/** A bar per row (its text columns as the label) and number column, longest first, horizontal. */
function barChart(title: string, data: ChartData): string | undefined {
  const values = numberColumns(data);
  if (values.length === 0) return undefined;
  const labels = labelColumns(data);
  const rows = [...data.rows].sort((a, b) => values.reduce((n, c) => n + num(b[c]), 0) - values.reduce((n, c) => n + num(a[c]), 0)).slice(0, 15);
  const barHeight = 16;
  const groupHeight = values.length * barHeight + 10;
  const plotTop = values.length > 1 ? 36 : 12;
  const height = plotTop + rows.length * groupHeight + 10;
  const left = 220;
  const right = WIDTH - 60;
  const max = Math.max(...rows.flatMap((row) => values.map((c) => num(row[c]))), 1);
  const parts: string[] = [svgOpen(title, 'barchart', height, `${values.join(', ')} by ${labels.join(', ') || 'row'}`)];
  rows.forEach((row, r) => {
    const name = label(row, labels);
    const groupTop = plotTop + r * groupHeight;
    parts.push(`<text x="${left - 8}" y="${groupTop + (values.length * barHeight) / 2 + 4}" text-anchor="end">${escapeHtml(name.length > 32 ? `${name.slice(0, 31)}…` : name)}</text>`);
    values.forEach((column, i) => {
      const v = num(row[column]);
      const w = (v / max) * (right - left);
      const top = groupTop + i * barHeight;
      parts.push(`<rect class="bar" x="${left}" y="${top}" width="${Math.max(w, v > 0 ? 1 : 0).toFixed(1)}" height="${barHeight - 3}" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}"><title>${escapeHtml(`${name}: ${v} ${column}`)}</title></rect><text x="${(left + w + 6).toFixed(1)}" y="${top + barHeight - 6}" fill="#5a6572">${v}</text>`);
    });
  });
  if (values.length > 1) parts.push(legend(values, 20, left));
  parts.push('</svg>');
  return parts.join('');
}

/** A slice per row (its text columns as the label) of the first number column, largest first. */
function pieChart(title: string, data: ChartData): string | undefined {
  const value = numberColumns(data)[0];
  if (!value) return undefined;
  const labels = labelColumns(data);
  const slices = data.rows.map((row) => ({ name: label(row, labels), v: num(row[value]) })).filter((s) => s.v > 0).sort((a, b) => b.v - a.v || a.name.localeCompare(b.name));
  const total = slices.reduce((n, s) => n + s.v, 0);
  if (total === 0) return undefined;
  const height = Math.max(240, 40 + slices.length * 22);
  const cx = 130;
  const cy = 120;
  const r = 100;
  const parts: string[] = [svgOpen(title, 'piechart', height, `${value} by ${labels.join(', ') || 'row'}, ${slices.length} slices`)];
  let angle = -Math.PI / 2;
  slices.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const share = s.v / total;
    const tip = `<title>${escapeHtml(`${s.name}: ${s.v} (${(share * 100).toFixed(1)}%)`)}</title>`;
    if (share >= 1) parts.push(`<circle class="slice" cx="${cx}" cy="${cy}" r="${r}" fill="${colour}">${tip}</circle>`);
    else {
      const end = angle + share * 2 * Math.PI;
      const point = (a: number) => `${(cx + r * Math.cos(a)).toFixed(2)},${(cy + r * Math.sin(a)).toFixed(2)}`;
      parts.push(`<path class="slice" d="M${cx},${cy} L${point(angle)} A${r},${r} 0 ${share > 0.5 ? 1 : 0} 1 ${point(end)} Z" fill="${colour}" stroke="#fff" stroke-width="1">${tip}</path>`);
      angle = end;
    }
    const y = 30 + i * 22;
    const name = s.name.length > 48 ? `${s.name.slice(0, 47)}…` : s.name;
    parts.push(`<rect x="280" y="${y - 10}" width="12" height="12" fill="${colour}"/><text x="298" y="${y}">${escapeHtml(`${name}: ${s.v} (${(share * 100).toFixed(0)}%)`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
