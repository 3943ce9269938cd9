import { asReal } from './arithmetic.js';
import { isBag, newBag, type KBag, type KValue } from './values.js';

/**
 * Spherical geometry as Kusto's geospatial functions define it (geo-*-function.md): WGS-84
 * coordinates on a sphere, edges are geodesics, the sphere's radius is that of the S2 library
 * Kusto uses (6,371,010 m: the pages' distances match it to the last digit), and a ring encloses
 * the smaller of the two regions it divides the sphere into. Points are unit vectors.
 */

export const EARTH_RADIUS = 6_371_010;
const RAD = Math.PI / 180;

export type Vec = [number, number, number];
export type LngLat = [number, number];

export const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a: Vec) => Math.hypot(a[0], a[1], a[2]);
export const add = (a: Vec, b: Vec): Vec => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Vec, k: number): Vec => [a[0] * k, a[1] * k, a[2] * k];
export const normalize = (a: Vec): Vec => {
  const n = norm(a);
  return n === 0 ? a : scale(a, 1 / n);
};

export function toPoint([lng, lat]: LngLat): Vec {
  const phi = lat * RAD;
  const theta = lng * RAD;
  const c = Math.cos(phi);
  return [c * Math.cos(theta), c * Math.sin(theta), Math.sin(phi)];
}

export function toLngLat(p: Vec): LngLat {
  return [Math.atan2(p[1], p[0]) / RAD, Math.atan2(p[2], Math.hypot(p[0], p[1])) / RAD];
}

/** The angle between two unit vectors, accurate for small angles too. */
export function angle(a: Vec, b: Vec): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

export function validLngLat(lng: number, lat: number): boolean {
  return Number.isFinite(lng) && Number.isFinite(lat) && lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90;
}

/** Longitude and latitude arguments as a point; undefined when either is not a valid coordinate. */
export function coordinate(lng: KValue | undefined, lat: KValue | undefined): LngLat | undefined {
  const x = asReal(lng ?? null);
  const y = asReal(lat ?? null);
  return x !== null && y !== null && validLngLat(x, y) ? [x, y] : undefined;
}

// ---- GeoJSON in and out

function position(value: KValue): LngLat | undefined {
  if (!Array.isArray(value) || value.length < 2) return undefined;
  const lng = asReal(value[0] ?? null);
  const lat = asReal(value[1] ?? null);
  return lng !== null && lat !== null && validLngLat(lng, lat) ? [lng, lat] : undefined;
}

function positions(value: KValue | undefined): LngLat[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: LngLat[] = [];
  for (const item of value) {
    const p = position(item);
    if (!p) return undefined;
    out.push(p);
  }
  return out;
}

/** Consecutive equal positions as one. */
function distinctRun(line: readonly LngLat[]): LngLat[] {
  return line.filter((p, i) => i === 0 || p[0] !== line[i - 1]![0] || p[1] !== line[i - 1]![1]);
}

/** A LineString's lines, or a MultiLineString's; undefined when invalid (fewer than two positions, a bad coordinate). */
export function parseLines(value: KValue | undefined, allowMulti = true): LngLat[][] | undefined {
  if (!isBag(value ?? null)) return undefined;
  const bag = value as KBag;
  const type = bag['type'];
  const coordinates = bag['coordinates'];
  let lines: LngLat[][] | undefined;
  if (type === 'LineString') {
    const line = positions(coordinates);
    lines = line ? [line] : undefined;
  } else if (type === 'MultiLineString' && allowMulti && Array.isArray(coordinates)) {
    const parsed = coordinates.map((c) => positions(c));
    lines = parsed.every((l): l is LngLat[] => l !== undefined) ? parsed : undefined;
  }
  if (!lines || lines.length === 0 || lines.some((l) => l.length < 2)) return undefined;
  // An edge must be shorter than 180 degrees.
  for (const line of lines) for (let i = 1; i < line.length; i++) if (angle(toPoint(line[i - 1]!), toPoint(line[i]!)) >= Math.PI - 1e-12) return undefined;
  return lines;
}

/** A polygon: its shell and holes, each a ring without the closing position. */
export type Polygon = LngLat[][];

function ring(value: KValue): LngLat[] | undefined {
  const all = positions(value);
  if (!all || all.length < 4) return undefined;
  const first = all[0]!;
  const last = all[all.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) return undefined;
  const open = distinctRun(all.slice(0, -1));
  if (open.length > 1 && open[0]![0] === open[open.length - 1]![0] && open[0]![1] === open[open.length - 1]![1]) open.pop();
  // The vertices must be distinct: at least three, and no vertex repeated (that makes a degenerate ring).
  const keys = new Set(open.map(([x, y]) => `${x},${y}`));
  if (open.length < 3 || keys.size !== open.length) return undefined;
  if (Math.abs(ringSignedArea(open)) < 1e-30) return undefined;
  return open;
}

/** A Polygon's or MultiPolygon's polygons; undefined when invalid. */
export function parsePolygons(value: KValue | undefined): Polygon[] | undefined {
  if (!isBag(value ?? null)) return undefined;
  const bag = value as KBag;
  const coordinates = bag['coordinates'];
  const parsePolygon = (rings: KValue): Polygon | undefined => {
    if (!Array.isArray(rings) || rings.length === 0) return undefined;
    const parsed = rings.map(ring);
    return parsed.every((r): r is LngLat[] => r !== undefined) ? parsed : undefined;
  };
  if (bag['type'] === 'Polygon') {
    const polygon = parsePolygon(coordinates ?? null);
    return polygon ? [polygon] : undefined;
  }
  if (bag['type'] === 'MultiPolygon' && Array.isArray(coordinates) && coordinates.length > 0) {
    const polygons = coordinates.map(parsePolygon);
    return polygons.every((p): p is Polygon => p !== undefined) ? polygons : undefined;
  }
  return undefined;
}

export function pointJson(p: LngLat): KValue {
  return newBag([
    ['type', 'Point'],
    ['coordinates', [p[0], p[1]]],
  ]);
}

export function lineJson(lines: readonly LngLat[][]): KValue {
  if (lines.length === 0) return emptyCollection();
  if (lines.length === 1) return newBag([['type', 'LineString'], ['coordinates', lines[0]!.map((p) => [p[0], p[1]])]]);
  return newBag([['type', 'MultiLineString'], ['coordinates', lines.map((l) => l.map((p) => [p[0], p[1]]))]]);
}

export function polygonJson(rings: readonly LngLat[][]): KValue {
  return newBag([['type', 'Polygon'], ['coordinates', rings.map((r) => [...r, r[0]!].map((p) => [p[0], p[1]]))]]);
}

export function emptyCollection(): KValue {
  return newBag([['type', 'GeometryCollection'], ['geometries', []]]);
}

// ---- measures (S2's formulas)

/** The area of the spherical triangle abc (l'Huilier's formula; Girard's for skinny triangles). */
function triangleArea(a: Vec, b: Vec, c: Vec): number {
  const sa = angle(b, c);
  const sb = angle(c, a);
  const sc = angle(a, b);
  const s = 0.5 * (sa + sb + sc);
  if (s >= 3e-4) {
    const s2 = s * s;
    const dmin = s - Math.max(sa, sb, sc);
    if (dmin < 1e-2 * s * s2 * s2) {
      const girard = girardArea(a, b, c);
      if (dmin < s * (0.1 * girard)) return girard;
    }
  }
  return 4 * Math.atan(Math.sqrt(Math.max(0, Math.tan(0.5 * s) * Math.tan(0.5 * (s - sa)) * Math.tan(0.5 * (s - sb)) * Math.tan(0.5 * (s - sc)))));
}

function girardArea(a: Vec, b: Vec, c: Vec): number {
  const ab = cross(a, b);
  const bc = cross(b, c);
  const ac = cross(a, c);
  return Math.max(0, angleBetween(ab, ac) - angleBetween(ab, bc) + angleBetween(bc, ac));
}

function angleBetween(a: Vec, b: Vec): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

function signedTriangleArea(a: Vec, b: Vec, c: Vec): number {
  const area = triangleArea(a, b, c);
  return dot(a, cross(b, c)) > 0 ? area : -area;
}

/** The signed area (steradians) of a ring by a fan of triangles from its first vertex: positive when counterclockwise. */
function ringSignedArea(ring: readonly LngLat[]): number {
  const points = ring.map(toPoint);
  let sum = 0;
  for (let i = 1; i + 1 < points.length; i++) sum += signedTriangleArea(points[0]!, points[i]!, points[i + 1]!);
  return sum;
}

/** The area of the smaller region a ring bounds (steradians). */
export function ringArea(ring: readonly LngLat[]): number {
  let area = Math.abs(ringSignedArea(ring));
  if (area > 2 * Math.PI) area = 4 * Math.PI - area;
  return area;
}

export function polygonArea(polygon: Polygon): number {
  const [shell, ...holes] = polygon;
  return ringArea(shell!) - holes.reduce((s, h) => s + ringArea(h), 0);
}

export function lineLength(line: readonly LngLat[]): number {
  let sum = 0;
  for (let i = 1; i < line.length; i++) sum += angle(toPoint(line[i - 1]!), toPoint(line[i]!));
  return sum;
}

export function ringLength(ring: readonly LngLat[]): number {
  return lineLength([...ring, ring[0]!]);
}

/** S2's true centroid of a triangle, scaled by its area. */
function triangleCentroid(a: Vec, b: Vec, c: Vec): Vec {
  const f = (t: number) => (t === 0 ? 1 : t / Math.sin(t));
  const ra = f(angle(b, c));
  const rb = f(angle(c, a));
  const rc = f(angle(a, b));
  const x: Vec = [a[0], b[0] - a[0], c[0] - a[0]];
  const y: Vec = [a[1], b[1] - a[1], c[1] - a[1]];
  const z: Vec = [a[2], b[2] - a[2], c[2] - a[2]];
  const r: Vec = [ra, rb - ra, rc - ra];
  return scale([dot(cross(y, z), r), dot(cross(z, x), r), dot(cross(x, y), r)], 0.5);
}

export function polygonCentroid(polygons: readonly Polygon[]): Vec {
  let sum: Vec = [0, 0, 0];
  for (const polygon of polygons) {
    polygon.forEach((r, k) => {
      const points = r.map(toPoint);
      let c: Vec = [0, 0, 0];
      for (let i = 1; i + 1 < points.length; i++) c = add(c, triangleCentroid(points[0]!, points[i]!, points[i + 1]!));
      // The shell counts for its region, a hole against it, whatever way the rings turn.
      const sign = Math.sign(ringSignedArea(r)) * (k === 0 ? 1 : -1);
      sum = add(sum, scale(c, sign));
    });
  }
  return sum;
}

/** S2's centroid of an edge, scaled by its length. */
export function edgeCentroid(a: Vec, b: Vec): Vec {
  const vd = sub(a, b);
  const vs = add(a, b);
  const s2 = dot(vd, vd);
  const c2 = dot(vs, vs);
  return c2 === 0 ? [0, 0, 0] : scale(vs, Math.sqrt(s2 / c2));
}

/** The point at angle `ax` from a toward b along their geodesic. */
export function interpolateAtAngle(a: Vec, b: Vec, ax: number): Vec {
  const tangent = cross(cross(a, b), a);
  const t = norm(tangent);
  if (t === 0) return a;
  return normalize(add(scale(a, Math.cos(ax)), scale(tangent, Math.sin(ax) / t)));
}

/** a × b computed as (a + b) × (b − a) / 2: the same vector, accurate when a and b are close (S2's RobustCrossProd). */
export function robustCross(a: Vec, b: Vec): Vec {
  return scale(cross(add(a, b), sub(b, a)), 0.5);
}

/** The point of edge ab closest to x (S2::Project). */
export function projectOnEdge(x: Vec, a: Vec, b: Vec): Vec {
  const n = robustCross(a, b);
  const n2 = dot(n, n);
  if (n2 === 0) return a;
  const p = sub(x, scale(n, dot(x, n) / n2));
  // On the edge when the projection lies between a and b on their great circle.
  if (dot(cross(n, a), p) >= 0 && dot(cross(p, b), n) >= 0 && norm(p) > 0) return normalize(p);
  const da = sub(x, a);
  const db = sub(x, b);
  return dot(da, da) <= dot(db, db) ? a : b;
}

/** The signed distance from x to the plane of edge a0a1 (normal n of length nLength), measured from the nearer endpoint. */
function planeProjection(x: Vec, n: Vec, a0: Vec, a1: Vec): number {
  const x0 = sub(x, a0);
  const x1 = sub(x, a1);
  return dot(x0, x0) <= dot(x1, x1) ? dot(x0, n) : dot(x1, n);
}

/** S2's GetIntersectionStable: the crossing point of two edges, computed from the longer edge's plane. */
function crossingPoint(a0: Vec, a1: Vec, b0: Vec, b1: Vec): Vec | undefined {
  const la = sub(a1, a0);
  const lb = sub(b1, b0);
  if (dot(la, la) < dot(lb, lb)) [a0, a1, b0, b1] = [b0, b1, a0, a1];
  const n = cross(sub(a0, a1), add(a0, a1));
  const d0 = planeProjection(b0, n, a0, a1);
  const d1 = planeProjection(b1, n, a0, a1);
  if (d0 === d1) return undefined;
  const x = sub(scale(b1, d0), scale(b0, d1));
  const length = norm(x);
  if (length === 0) return undefined;
  const p = scale(x, 1 / length);
  return dot(p, add(add(a0, a1), add(b0, b1))) < 0 ? scale(p, -1) : p;
}

/** Where the arcs ab and cd cross; undefined when they do not (a shared vertex counts). */
export function edgeIntersection(a: Vec, b: Vec, c: Vec, d: Vec): Vec | undefined {
  for (const [p, q] of [
    [a, c],
    [a, d],
    [b, c],
    [b, d],
  ] as const)
    if (p[0] === q[0] && p[1] === q[1] && p[2] === q[2]) return p;
  const n1 = robustCross(a, b);
  const n2 = robustCross(c, d);
  const on = (q: Vec, s: Vec, e: Vec, n: Vec) => dot(cross(s, q), n) >= -1e-15 && dot(cross(q, e), n) >= -1e-15;
  const p = crossingPoint(a, b, c, d) ?? (() => {
    const x = cross(n1, n2);
    return norm(x) < 1e-300 ? undefined : normalize(x);
  })();
  if (!p) return undefined;
  if (on(p, a, b, n1) && on(p, c, d, n2)) return p;
  const q = scale(p, -1);
  if (on(q, a, b, n1) && on(q, c, d, n2)) return q;
  return undefined;
}

/**
 * Whether a polygon (shell minus holes) holds the point. The test projects the ring onto the plane
 * tangent at its centre (a gnomonic projection: geodesics become straight lines) and counts
 * crossings; a ring that reaches near a hemisphere from its centre cannot be projected so, and is
 * refused rather than answered wrongly.
 */
export function polygonContains(polygon: Polygon, p: Vec): boolean | 'too-large' {
  const [shell, ...holes] = polygon;
  const inShell = ringContains(shell!, p);
  if (inShell !== true) return inShell;
  for (const hole of holes) {
    const inHole = ringContains(hole, p);
    if (inHole === 'too-large') return inHole;
    if (inHole) return false;
  }
  return true;
}

function ringContains(ring: readonly LngLat[], p: Vec): boolean | 'too-large' {
  const points = ring.map(toPoint);
  const center = normalize(points.reduce<Vec>((s, v) => add(s, v), [0, 0, 0]));
  const reach = Math.max(...points.map((v) => angle(center, v)));
  if (angle(center, p) > reach + 1e-12) return false;
  if (reach > 80 * RAD) return 'too-large';
  // Tangent plane basis at the centre.
  const east = normalize(Math.abs(center[2]) < 0.9 ? cross([0, 0, 1], center) : cross([1, 0, 0], center));
  const north = cross(center, east);
  const project = (v: Vec): [number, number] => {
    const d = dot(v, center);
    return [dot(v, east) / d, dot(v, north) / d];
  };
  const [px, py] = project(p);
  const flat = points.map(project);
  let inside = false;
  for (let i = 0, j = flat.length - 1; i < flat.length; j = i++) {
    const [xi, yi] = flat[i]!;
    const [xj, yj] = flat[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The edges of a polygon's rings, closed. */
export function ringEdges(polygon: Polygon): [Vec, Vec][] {
  const edges: [Vec, Vec][] = [];
  for (const r of polygon) {
    const points = r.map(toPoint);
    for (let i = 0; i < points.length; i++) edges.push([points[i]!, points[(i + 1) % points.length]!]);
  }
  return edges;
}

export function lineEdges(line: readonly LngLat[]): [Vec, Vec][] {
  const points = line.map(toPoint);
  const edges: [Vec, Vec][] = [];
  for (let i = 1; i < points.length; i++) edges.push([points[i - 1]!, points[i]!]);
  return edges;
}

/** The initial bearing from a to b, clockwise from north, in radians [0, 2π). */
export function azimuth(a: LngLat, b: LngLat): number {
  const p1 = a[1] * RAD;
  const p2 = b[1] * RAD;
  const dl = (b[0] - a[0]) * RAD;
  const bearing = Math.atan2(Math.sin(dl) * Math.cos(p2), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl));
  return (bearing + 2 * Math.PI) % (2 * Math.PI);
}

/**
 * Densify: edges whose planar (longitude-latitude) midpoint lies more than `tolerance` meters from
 * their geodesic midpoint are halved, recursively; the added vertices are the planar midpoints.
 */
export function densify(line: readonly LngLat[], tolerance: number): LngLat[] {
  const out: LngLat[] = [line[0]!];
  const split = (a: LngLat, b: LngLat, depth: number) => {
    const planar: LngLat = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const geodesic = normalize(add(toPoint(a), toPoint(b)));
    if (depth < 30 && angle(geodesic, toPoint(planar)) * EARTH_RADIUS > tolerance) {
      split(a, planar, depth + 1);
      split(planar, b, depth + 1);
    } else out.push(b);
  };
  for (let i = 1; i < line.length; i++) split(line[i - 1]!, line[i]!, 0);
  return out;
}

/** A bag is a GeoJSON object of this type. */
export function geoType(value: KValue | undefined): string | undefined {
  return isBag(value ?? null) ? String((value as KBag)['type'] ?? '') : undefined;
}

/** Where a point lies relative to the great circle through a and b: positive left, negative right, 0 on it (to rounding). */
function side(a: Vec, b: Vec, c: Vec): number {
  const det = dot(cross(a, b), c);
  return Math.abs(det) < 1e-18 ? 0 : Math.sign(det);
}

/**
 * Whether edges ab and cd cross (S2's CrossingSign): 1 when they cross at a point interior to
 * both, -1 when they do not meet, 0 when they touch or a vertex lies on the other edge.
 */
export function crossingSign(a: Vec, b: Vec, c: Vec, d: Vec): number {
  if (samePoint(a, c) || samePoint(a, d) || samePoint(b, c) || samePoint(b, d)) return 0;
  const acb = -side(a, b, c);
  const bda = side(a, b, d);
  if (acb === 0 || bda === 0 || side(c, d, a) === 0 || side(c, d, b) === 0) {
    // On a great circle of the other edge: whether they actually meet decides.
    return edgeIntersection(a, b, c, d) ? 0 : -1;
  }
  if (acb !== bda) return -1;
  const cbd = -side(c, d, b);
  if (cbd !== acb) return -1;
  const dac = side(c, d, a);
  return dac === acb ? 1 : -1;
}

const samePoint = (a: Vec, b: Vec) => angle(a, b) < 1e-14;

/**
 * How a polygon's rings meet: 'ok' when they neither cross nor share an edge (shared vertices are
 * allowed), 'invalid' when they do (Kusto's constraints make it null), 'unsure' when a vertex
 * touches another edge, which only Kusto's exact predicates decide.
 */
export function ringsCheck(polygon: Polygon): 'ok' | 'invalid' | 'unsure' {
  const edges = ringEdges(polygon);
  for (let x = 0; x < edges.length; x++) {
    const [a, b] = edges[x]!;
    for (let y = x + 1; y < edges.length; y++) {
      const [c, d] = edges[y]!;
      const sign = crossingSign(a, b, c, d);
      if (sign > 0) return 'invalid';
      if (sign === 0) {
        const shared = [samePoint(a, c), samePoint(a, d), samePoint(b, c), samePoint(b, d)].filter(Boolean).length;
        if (shared === 2) return 'invalid';
        if (shared === 1) {
          // Edges from one vertex touch there only, unless they run along each other.
          const [p, q] = samePoint(a, c) || samePoint(a, d) ? [b, samePoint(a, c) ? d : c] : [a, samePoint(b, c) ? d : c];
          const o = samePoint(a, c) || samePoint(a, d) ? a : b;
          if (side(o, p, q) === 0 && dot(sub(p, o), sub(q, o)) > 0) return 'invalid';
          continue;
        }
        return 'unsure';
      }
    }
  }
  // Holes must lie inside their shell.
  const [shell, ...holes] = polygon;
  for (const hole of holes) {
    const inside = ringContains(shell!, toPoint(hole[0]!));
    if (inside !== true) return 'unsure';
  }
  return 'ok';
}

/**
 * The squared chord distance from x to edge ab, as S2's UpdateMinDistance computes it (Kusto's
 * distances agree with it to the last printed digit): the nearer endpoint, or the great circle
 * when x's projection falls inside the edge.
 */
function edgeChord2(x: Vec, a: Vec, b: Vec): number {
  const xa = sub(x, a);
  const xb = sub(x, b);
  const xa2 = dot(xa, xa);
  const xb2 = dot(xb, xb);
  let best = Math.min(xa2, xb2);
  const ab = sub(a, b);
  const ab2 = dot(ab, ab);
  if (Math.abs(xa2 - xb2) < ab2 + 4.75 * Number.EPSILON * (xa2 + xb2 + ab2) + 8 * Number.EPSILON * Number.EPSILON) {
    const c = cross(add(b, a), sub(b, a));
    const c2 = dot(c, c);
    const xc = dot(x, c);
    const cx = cross(c, x);
    if (c2 > 0 && !(dot(sub(a, x), cx) >= 0 || dot(sub(b, x), cx) <= 0)) {
      const qr = 1 - Math.sqrt(dot(cx, cx) / c2);
      best = Math.min(best, (xc * xc) / c2 + qr * qr);
    }
  }
  return best;
}

const chordToAngle = (length2: number) => 2 * Math.asin(Math.min(1, 0.5 * Math.sqrt(length2)));

/** The distance from a point to a set of edges (radians), and the closest point on them (the first of equals). */
export function closestOnEdges(x: Vec, edges: readonly [Vec, Vec][]): { distance: number; point: Vec; index: number } {
  let best = Infinity;
  let index = -1;
  edges.forEach(([a, b], i) => {
    const d = edgeChord2(x, a, b);
    if (d < best) {
      best = d;
      index = i;
    }
  });
  if (index < 0) return { distance: Infinity, point: x, index };
  const [a, b] = edges[index]!;
  return { distance: chordToAngle(best), point: projectOnEdge(x, a, b), index };
}

/** Whether two polygon sets share no point: no edges meet and no polygon holds a vertex of the other. */
export function polygonsApart(first: readonly Polygon[], second: readonly Polygon[]): boolean | 'too-large' {
  const e1 = first.flatMap(ringEdges);
  const e2 = second.flatMap(ringEdges);
  for (const [a, b] of e1) for (const [c, d] of e2) if (crossingSign(a, b, c, d) >= 0) return false;
  for (const [p, q] of [
    [first, second],
    [second, first],
  ] as const) {
    for (const polygon of p) {
      const vertex = toPoint(polygon[0]![0]!);
      for (const other of q) {
        const inside = polygonContains(other, vertex);
        if (inside !== false) return inside;
      }
    }
  }
  return true;
}

/** Whether two edges run along the same great circle and share more than a point. */
export function edgesOverlap(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  if (side(a, b, c) !== 0 || side(a, b, d) !== 0) return false;
  const onAB = (p: Vec) => angle(a, p) + angle(p, b) - angle(a, b) < 1e-14;
  const onCD = (p: Vec) => angle(c, p) + angle(p, d) - angle(c, d) < 1e-14;
  const mid = (p: Vec, q: Vec) => normalize(add(p, q));
  // Overlapping arcs share an interior point: the midpoint of one of them or of a shared stretch.
  return onAB(mid(c, d)) || onCD(mid(a, b)) || (onAB(c) && onCD(a) && !samePoint(a, c)) || (onAB(c) && onCD(b) && !samePoint(b, c)) || (onAB(d) && onCD(a) && !samePoint(a, d)) || (onAB(d) && onCD(b) && !samePoint(b, d));
}

export { samePoint };

/**
 * The length of the boundary of the union of polygons: each ring edge split where it crosses
 * another polygon's ring, the pieces outside every other polygon kept. 'unsure' when a vertex
 * touches another polygon's boundary or edges run along each other (Kusto's exact predicates decide those).
 */
export function unionBoundaryLength(polygons: readonly Polygon[]): number | 'unsure' {
  const edgesOf = polygons.map(ringEdges);
  let total = 0;
  for (let i = 0; i < polygons.length; i++) {
    const others = polygons.filter((_, j) => j !== i);
    const otherEdges = edgesOf.filter((_, j) => j !== i).flat();
    for (const [a, b] of edgesOf[i]!) {
      const cuts: Vec[] = [];
      for (const [c, d] of otherEdges) {
        const sign = crossingSign(a, b, c, d);
        if (sign === 0 || edgesOverlap(a, b, c, d)) return 'unsure';
        if (sign > 0) cuts.push(edgeIntersection(a, b, c, d)!);
      }
      cuts.sort((p, q) => angle(a, p) - angle(a, q));
      const stops = [a, ...cuts, b];
      for (let k = 1; k < stops.length; k++) {
        const mid = normalize(add(stops[k - 1]!, stops[k]!));
        let inside = false;
        for (const other of others) {
          const held = polygonContains(other, mid);
          if (held === 'too-large') return 'unsure';
          if (held) inside = true;
        }
        if (!inside) total += angle(stops[k - 1]!, stops[k]!);
      }
    }
  }
  return total;
}
