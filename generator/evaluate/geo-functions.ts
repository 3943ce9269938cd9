import { asReal } from './arithmetic.js';
import { toBool } from './convert.js';
import { EvaluationError } from './evaluation-error.js';
import {
  cellCenter,
  cellFromToken,
  cellToken,
  cellVertices,
  geohashBox,
  geohashNeighbors,
  lngLatToCell,
  maxCellArea,
  pointToGeohash,
} from './geo-cells.js';
import {
  EARTH_RADIUS,
  add,
  angle,
  azimuth,
  closestOnEdges,
  coordinate,
  crossingSign,
  densify,
  edgeCentroid,
  edgeIntersection,
  edgesOverlap,
  emptyCollection,
  interpolateAtAngle,
  lineEdges,
  lineJson,
  lineLength,
  normalize,
  parseLines,
  parsePolygons,
  pointJson,
  polygonArea,
  polygonCentroid,
  polygonContains,
  polygonJson,
  polygonsApart,
  ringEdges,
  ringLength,
  ringsCheck,
  samePoint,
  toLngLat,
  toPoint,
  type LngLat,
  type Polygon,
  unionBoundaryLength,
  type Vec,
} from './geo-sphere.js';
import { arg, fn, type ScalarFunction } from './scalar-function.js';
import { isBag, newBag, toKustoString, type KValue } from './values.js';

/**
 * Kusto's geospatial functions (geo-*-function.md) on a sphere, as geo-sphere.ts describes. Where
 * Kusto's answer depends on something its pages do not define (the order of a cell's neighbours,
 * how overlapping shapes merge, buffers, coverings), the function refuses by name rather than
 * guess; invalid input gives null as the pages say.
 */

const refuse = (what: string) => new EvaluationError(`${what} is not supported by the offline evaluator`, { code: 'unsupported' });

const real = (value: KValue | undefined) => asReal(value ?? null);
const meters = (radians: number) => radians * EARTH_RADIUS;
const lngLatJson = (p: Vec) => pointJson(toLngLat(p));

/** The polygons of a Polygon or MultiPolygon; undefined when invalid (null result). */
function polygonsOf(value: KValue | undefined, name: string): Polygon[] | undefined {
  const polygons = parsePolygons(value);
  if (!polygons) return undefined;
  for (const polygon of polygons) {
    const check = ringsCheck(polygon);
    if (check === 'invalid') return undefined;
    if (check === 'unsure') throw refuse(`${name}() of a polygon whose rings touch (or a hole not inside its shell)`);
  }
  return polygons;
}

/** A MultiPolygon measured as the union of its polygons: they must not overlap. */
function disjointPolygons(value: KValue | undefined, name: string): Polygon[] | undefined {
  const polygons = polygonsOf(value, name);
  if (!polygons) return undefined;
  for (let i = 0; i < polygons.length; i++) {
    for (let j = i + 1; j < polygons.length; j++) {
      if (polygonsApart([polygons[i]!], [polygons[j]!]) !== true) throw refuse(`${name}() of a MultiPolygon whose polygons meet (Kusto measures their union)`);
    }
  }
  return polygons;
}

/** The lines of a LineString or MultiLineString; a MultiLineString measured as a union must not have overlapping edges. */
function linesOf(value: KValue | undefined, name: string, union = false): LngLat[][] | undefined {
  const lines = parseLines(value);
  if (!lines || !union) return lines;
  const edges = lines.flatMap(lineEdges);
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      if (edgesOverlap(edges[i]![0], edges[i]![1], edges[j]![0], edges[j]![1])) throw refuse(`${name}() of lines that overlap (Kusto measures their union)`);
    }
  }
  return lines;
}

function contains(polygons: readonly Polygon[], p: Vec, name: string): boolean {
  for (const polygon of polygons) {
    const inside = polygonContains(polygon, p);
    if (inside === 'too-large') throw refuse(`${name}() with a polygon that spans most of a hemisphere`);
    if (inside) return true;
  }
  return false;
}

/** Containment where the page leaves a point on the boundary undefined: such a point is refused. */
function strictlyContains(polygons: readonly Polygon[], p: Vec, name: string): boolean {
  if (closestOnEdges(p, polygons.flatMap(ringEdges)).distance < 1e-14) throw refuse(`${name}() of a point on the polygon's boundary`);
  return contains(polygons, p, name);
}

function sphereOnly(value: KValue | undefined, name: string): void {
  if (value !== undefined && toBool(value) === true) throw refuse(`${name}() with use_spheroid = true`);
}

/** A tolerance argument in meters within the page's range; undefined when outside it (null result). */
function tolerance(value: KValue | undefined, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  const t = real(value);
  return t !== null && t >= min && t <= max ? t : undefined;
}

const level = (value: KValue | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = real(value);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 30 ? n : undefined;
};

// ---- points

const distance2Points = fn(4, 5, (args) => {
  sphereOnly(arg(args, 4), 'geo_distance_2points');
  const a = coordinate(args[0], args[1]);
  const b = coordinate(args[2], args[3]);
  return a && b ? meters(angle(toPoint(a), toPoint(b))) : null;
});

const pointInCircle = fn(5, 5, (args) => {
  const p = coordinate(args[0], args[1]);
  const c = coordinate(args[2], args[3]);
  const radius = real(args[4]);
  if (!p || !c || radius === null || !(radius > 0) || !Number.isFinite(radius)) return null;
  return meters(angle(toPoint(p), toPoint(c))) <= radius;
});

const distinctPoints = (a: LngLat, b: LngLat) => {
  const d = angle(toPoint(a), toPoint(b));
  return d > 0 && d < Math.PI;
};

const geoAzimuth = fn(4, 4, (args) => {
  const a = coordinate(args[0], args[1]);
  const b = coordinate(args[2], args[3]);
  return a && b && distinctPoints(a, b) ? azimuth(a, b) : null;
});

const geoAngle = fn(6, 6, (args) => {
  const p1 = coordinate(args[0], args[1]);
  const p2 = coordinate(args[2], args[3]);
  const p3 = coordinate(args[4], args[5]);
  if (!p1 || !p2 || !p3 || !distinctPoints(p1, p2) || !distinctPoints(p2, p3)) return null;
  const turn = azimuth(p2, p3) - azimuth(p2, p1);
  return ((turn % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
});

// ---- lines

const lineLengthFn = fn(1, 1, ([line]) => {
  const lines = linesOf(line, 'geo_line_length', true);
  return lines ? meters(lines.reduce((s, l) => s + lineLength(l), 0)) : null;
});

const lineCentroid = fn(1, 1, ([line]) => {
  const lines = linesOf(line, 'geo_line_centroid', true);
  if (!lines) return null;
  let sum: Vec = [0, 0, 0];
  for (const [a, b] of lines.flatMap(lineEdges)) sum = add(sum, edgeCentroid(a, b));
  return Math.hypot(...sum) === 0 ? null : lngLatJson(normalize(sum));
});

/** A single LineString (the functions that walk along a line take no MultiLineString). */
function singleLine(value: KValue | undefined, name: string): LngLat[] | undefined {
  if (isBag(value ?? null) && (value as Record<string, KValue>)['type'] === 'MultiLineString' && parseLines(value)) throw refuse(`${name}() of a MultiLineString`);
  return parseLines(value, false)?.[0];
}

const lineInterpolate = fn(2, 2, ([line, fraction]) => {
  const points = singleLine(line, 'geo_line_interpolate_point')?.map(toPoint);
  const f = real(fraction);
  if (!points || f === null || !(f >= 0 && f <= 1)) return null;
  if (f === 0) return lngLatJson(points[0]!);
  const lengths = points.slice(1).map((p, i) => angle(points[i]!, p));
  let target = f * lengths.reduce((s, l) => s + l, 0);
  for (let i = 0; i < lengths.length; i++) {
    if (target < lengths[i]!) return lngLatJson(interpolateAtAngle(points[i]!, points[i + 1]!, target));
    target -= lengths[i]!;
  }
  return lngLatJson(points[points.length - 1]!);
});

const lineLocate = fn(3, 4, (args) => {
  sphereOnly(arg(args, 3), 'geo_line_locate_point');
  const line = singleLine(args[0], 'geo_line_locate_point');
  const p = coordinate(args[1], args[2]);
  if (!line || !p) return null;
  const points = line.map(toPoint);
  const edges = lineEdges(line);
  const { point, index } = closestOnEdges(toPoint(p), edges);
  const lengths = edges.map(([a, b]) => angle(a, b));
  const total = lengths.reduce((s, l) => s + l, 0);
  const before = lengths.slice(0, index).reduce((s, l) => s + l, 0) + angle(points[index]!, point);
  return total === 0 ? 0 : Math.min(1, before / total);
});

const distancePointToLine = fn(3, 3, ([lng, lat, line]) => {
  const p = coordinate(lng, lat);
  const lines = parseLines(line);
  return p && lines ? meters(closestOnEdges(toPoint(p), lines.flatMap(lineEdges)).distance) : null;
});

const closestPointOnLine = fn(3, 3, ([lng, lat, line]) => {
  const p = coordinate(lng, lat);
  const lines = parseLines(line);
  return p && lines ? lngLatJson(closestOnEdges(toPoint(p), lines.flatMap(lineEdges)).point) : null;
});

/** Longitudes more than 180 degrees apart: the planar edge would cross the antimeridian. */
const crossesAntimeridian = (ring: readonly LngLat[], closed: boolean) =>
  ring.some((p, i) => {
    const q = ring[i + 1] ?? (closed ? ring[0] : undefined);
    return q !== undefined && Math.abs(q[0] - p[0]) > 180;
  });

function densifyArgs(args: readonly KValue[], name: string): number | undefined {
  if (arg(args, 2) !== undefined && toBool(args[2] ?? null) === true) throw refuse(`${name}() with preserve_crossing = true`);
  return tolerance(arg(args, 1), 10, 0.1, 10000);
}

const lineDensify = fn(1, 3, (args) => {
  const t = densifyArgs(args, 'geo_line_densify');
  const lines = parseLines(args[0]);
  if (t === undefined || !lines) return null;
  if (lines.some((l) => crossesAntimeridian(l, false))) throw refuse('geo_line_densify() of an edge across the antimeridian');
  return lineJson(lines.map((l) => densify(l, t)));
});

const polygonDensify = fn(1, 3, (args) => {
  const t = densifyArgs(args, 'geo_polygon_densify');
  const polygons = polygonsOf(args[0], 'geo_polygon_densify');
  if (t === undefined || !polygons) return null;
  if (polygons.some((p) => p.some((r) => crossesAntimeridian(r, true)))) throw refuse('geo_polygon_densify() of an edge across the antimeridian');
  const rings = polygons.map((p) => p.map((r) => densify([...r, r[0]!], t).slice(0, -1)));
  if (rings.length === 1) return polygonJson(rings[0]!);
  return newBag([
    ['type', 'MultiPolygon'],
    ['coordinates', rings.map((p) => (polygonJson(p) as Record<string, KValue>)['coordinates']!)],
  ]);
});

const lineSimplify = fn(1, 2, (args) => {
  const lines = parseLines(args[0]);
  const t = tolerance(arg(args, 1), 10, 0, 7_800_000);
  if (!lines || t === undefined) return null;
  // No two vertices may be closer than the tolerance: a line whose vertices all lie within it of
  // each other collapses to a point and disappears (the page: "high tolerance may cause small line to disappear").
  const points = lines.flat().map(toPoint);
  const collapses = points.every((p) => points.every((q) => meters(angle(p, q)) < t));
  if (collapses) return null;
  throw refuse('geo_line_simplify() of a line longer than its tolerance');
});

const unionLines = fn(1, 1, ([array]) => {
  if (!Array.isArray(array)) return null;
  const all = array.map((line) => parseLines(line));
  if (all.some((l) => !l)) return null;
  if (all.length === 0) return null;
  return unionOfLines(all.flatMap((l) => l!));
});

/**
 * The union of lines when it is one simple path with every edge running the path's way (the
 * page's examples); anything else (crossings, branches, several pieces) is refused.
 */
function unionOfLines(lines: readonly LngLat[][]): KValue {
  const key = (p: LngLat) => `${p[0]},${p[1]}`;
  const edges = new Map<string, [LngLat, LngLat]>();
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1]!;
      const b = line[i]!;
      if (key(a) === key(b)) continue;
      if (edges.has(`${key(b)}|${key(a)}`)) throw refuse('geo_union_lines_array() of lines running opposite ways');
      edges.set(`${key(a)}|${key(b)}`, [a, b]);
    }
  }
  const list = [...edges.values()];
  const vectors = list.map(([a, b]) => [toPoint(a), toPoint(b)] as const);
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      const [a, b] = vectors[i]!;
      const [c, d] = vectors[j]!;
      const sign = crossingSign(a, b, c, d);
      const shared = samePoint(a, c) || samePoint(a, d) || samePoint(b, c) || samePoint(b, d);
      if (sign > 0 || (sign === 0 && !shared) || edgesOverlap(a, b, c, d)) throw refuse('geo_union_lines_array() of lines that cross or overlap');
    }
  }
  const next = new Map<string, LngLat>();
  const into = new Map<string, number>();
  for (const [a, b] of list) {
    if (next.has(key(a))) throw refuse('geo_union_lines_array() of lines that branch');
    next.set(key(a), b);
    into.set(key(b), (into.get(key(b)) ?? 0) + 1);
  }
  const starts = list.map(([a]) => a).filter((a) => !into.has(key(a)));
  if (starts.length !== 1 || [...into.values()].some((n) => n > 1)) throw refuse('geo_union_lines_array() of lines that form several pieces or a loop');
  const path: LngLat[] = [starts[0]!];
  for (let p = next.get(key(starts[0]!)); p; p = next.get(key(p))) path.push(p);
  if (path.length !== list.length + 1) throw refuse('geo_union_lines_array() of lines that form several pieces or a loop');
  return lineJson([path.map((p) => toLngLat(toPoint(p)))]);
}

// ---- polygons

const polygonAreaFn = fn(1, 1, ([value]) => {
  const polygons = disjointPolygons(value, 'geo_polygon_area');
  return polygons ? polygons.reduce((s, p) => s + polygonArea(p), 0) * EARTH_RADIUS * EARTH_RADIUS : null;
});

/** The perimeter of a MultiPolygon is that of its polygons' union: overlapping parts of their boundaries drop out. */
const polygonPerimeter = fn(1, 1, ([value]) => {
  const polygons = polygonsOf(value, 'geo_polygon_perimeter');
  if (!polygons) return null;
  if (polygons.length === 1) return meters(polygons[0]!.reduce((t, r) => t + ringLength(r), 0));
  const length = unionBoundaryLength(polygons);
  if (length === 'unsure') throw refuse('geo_polygon_perimeter() of a MultiPolygon whose polygons touch or share edges');
  return meters(length);
});

const polygonCentroidFn = fn(1, 1, ([value]) => {
  const polygons = disjointPolygons(value, 'geo_polygon_centroid');
  if (!polygons) return null;
  const c = polygonCentroid(polygons);
  return Math.hypot(...c) === 0 ? null : lngLatJson(normalize(c));
});

const pointInPolygon = fn(3, 3, ([lng, lat, value]) => {
  const p = coordinate(lng, lat);
  const polygons = polygonsOf(value, 'geo_point_in_polygon');
  return p && polygons ? strictlyContains(polygons, toPoint(p), 'geo_point_in_polygon') : null;
});

const distancePointToPolygon = fn(3, 3, ([lng, lat, value]) => {
  const p = coordinate(lng, lat);
  const polygons = polygonsOf(value, 'geo_distance_point_to_polygon');
  if (!p || !polygons) return null;
  const x = toPoint(p);
  if (strictlyContains(polygons, x, 'geo_distance_point_to_polygon')) return 0;
  return meters(closestOnEdges(x, polygons.flatMap(ringEdges)).distance);
});

const closestPointOnPolygon = fn(3, 3, ([lng, lat, value]) => {
  const p = coordinate(lng, lat);
  const polygons = polygonsOf(value, 'geo_closest_point_on_polygon');
  if (!p || !polygons) return null;
  const x = toPoint(p);
  if (strictlyContains(polygons, x, 'geo_closest_point_on_polygon')) return pointJson(p);
  return lngLatJson(closestOnEdges(x, polygons.flatMap(ringEdges)).point);
});

// ---- intersections

const intersects2Lines = fn(2, 2, ([first, second]) => {
  const a = parseLines(first);
  const b = parseLines(second);
  if (!a || !b) return null;
  const e2 = b.flatMap(lineEdges);
  return a.flatMap(lineEdges).some(([p, q]) => e2.some(([r, s]) => crossingSign(p, q, r, s) >= 0));
});

const intersection2Lines = fn(2, 2, ([first, second]) => {
  const a = parseLines(first);
  const b = parseLines(second);
  if (!a || !b) return null;
  const e2 = b.flatMap(lineEdges);
  const points: Vec[] = [];
  for (const [p, q] of a.flatMap(lineEdges)) {
    for (const [r, s] of e2) {
      if (edgesOverlap(p, q, r, s)) throw refuse('geo_intersection_2lines() of lines that overlap along an edge');
      if (crossingSign(p, q, r, s) < 0) continue;
      const x = edgeIntersection(p, q, r, s);
      if (x && !points.some((y) => samePoint(x, y))) points.push(x);
    }
  }
  if (points.length === 0) return emptyCollection();
  if (points.length > 1) throw refuse('geo_intersection_2lines() of lines that meet more than once');
  return lngLatJson(points[0]!);
});

const intersectsLineWithPolygon = fn(2, 2, ([line, polygon]) => {
  const lines = parseLines(line);
  const polygons = polygonsOf(polygon, 'geo_intersects_line_with_polygon');
  if (!lines || !polygons) return null;
  const rings = polygons.flatMap(ringEdges);
  if (lines.flatMap(lineEdges).some(([p, q]) => rings.some(([r, s]) => crossingSign(p, q, r, s) >= 0))) return true;
  return lines.some((l) => contains(polygons, toPoint(l[0]!), 'geo_intersects_line_with_polygon'));
});

/** The parts of lines inside polygons: each edge split where it crosses a ring, the inside pieces kept. */
const intersectionLineWithPolygon = fn(2, 2, ([line, polygon]) => {
  const lines = parseLines(line);
  const polygons = polygonsOf(polygon, 'geo_intersection_line_with_polygon');
  if (!lines || !polygons) return null;
  const name = 'geo_intersection_line_with_polygon';
  const rings = polygons.flatMap(ringEdges);
  const pieces: Vec[][] = [];
  for (const l of lines) {
    let current: Vec[] | undefined;
    for (const [a, b] of lineEdges(l)) {
      const cuts: Vec[] = [];
      for (const [r, s] of rings) {
        const sign = crossingSign(a, b, r, s);
        if (sign === 0) throw refuse(`${name}() of a line that touches a polygon's vertex or boundary`);
        if (sign > 0) cuts.push(edgeIntersection(a, b, r, s)!);
      }
      cuts.sort((x, y) => angle(a, x) - angle(a, y));
      const stops = [a, ...cuts, b];
      for (let i = 1; i < stops.length; i++) {
        const from = stops[i - 1]!;
        const to = stops[i]!;
        const inside = contains(polygons, normalize(add(from, to)), name);
        if (inside) {
          if (!current) {
            current = [from];
            pieces.push(current);
          }
          current.push(to);
        } else current = undefined;
      }
    }
  }
  if (pieces.length === 0) return emptyCollection();
  return lineJson(pieces.map((piece) => piece.map(toLngLat)));
});

const intersects2Polygons = fn(2, 2, ([first, second]) => {
  const a = polygonsOf(first, 'geo_intersects_2polygons');
  const b = polygonsOf(second, 'geo_intersects_2polygons');
  if (!a || !b) return null;
  const apart = polygonsApart(a, b);
  if (apart === 'too-large') throw refuse('geo_intersects_2polygons() with a polygon that spans most of a hemisphere');
  return !apart;
});

const intersection2Polygons = fn(2, 2, ([first, second]) => {
  const a = polygonsOf(first, 'geo_intersection_2polygons');
  const b = polygonsOf(second, 'geo_intersection_2polygons');
  if (!a || !b) return null;
  if (polygonsApart(a, b) === true) return emptyCollection();
  throw refuse('geo_intersection_2polygons() of polygons that meet');
});

// ---- validation-only functions: invalid input is null as documented; a real answer is refused

function validatedOnly(name: string, minArgs: number, maxArgs: number, valid: (args: KValue[]) => boolean): ScalarFunction {
  return fn(minArgs, maxArgs, (args) => {
    if (!valid(args)) return null;
    throw refuse(`${name}()`);
  });
}

const positive = (value: KValue | undefined) => {
  const x = real(value);
  return x !== null && x > 0 && Number.isFinite(x);
};

const pointBuffer = validatedOnly('geo_point_buffer', 3, 4, (args) => coordinate(args[0], args[1]) !== undefined && positive(args[2]) && (arg(args, 3) === undefined || positive(args[3])));
const lineBuffer = validatedOnly('geo_line_buffer', 2, 3, (args) => parseLines(args[0]) !== undefined && positive(args[1]) && (arg(args, 2) === undefined || positive(args[2])));
const simplifyPolygons = validatedOnly('geo_simplify_polygons_array', 1, 2, (args) => {
  const array = args[0];
  return Array.isArray(array) && array.every((p) => parsePolygons(p) !== undefined) && tolerance(arg(args, 1), 10, 0, 7_800_000) !== undefined;
});
const lineToS2Cells = validatedOnly('geo_line_to_s2cells', 1, 3, (args) => parseLines(args[0]) !== undefined && level(arg(args, 1), 11) !== undefined && (arg(args, 2) === undefined || (real(args[2] ?? null) ?? -1) >= 0));

const MAX_COVERING = 65536;
const polygonToS2Cells = fn(1, 3, (args) => {
  const polygons = polygonsOf(args[0], 'geo_polygon_to_s2cells');
  const l = level(arg(args, 1), 11);
  const radius = arg(args, 2) === undefined ? 0 : real(args[2] ?? null);
  if (!polygons || l === undefined || radius === null || radius < 0) return null;
  // More cells than the limit are needed whenever the area exceeds that many of the largest cells.
  const area = polygons.reduce((s, p) => s + polygonArea(p), 0);
  if (area / maxCellArea(l) > MAX_COVERING) return null;
  throw refuse('geo_polygon_to_s2cells()');
});

// ---- cells

const pointToS2Cell = fn(2, 3, (args) => {
  const p = coordinate(args[0], args[1]);
  const l = level(arg(args, 2), 11);
  return p && l !== undefined ? cellToken(lngLatToCell(p[0], p[1], l)) : '';
});

const cellArg = (value: KValue | undefined) => (typeof value === 'string' ? cellFromToken(value) : undefined);

const s2CellToCentralPoint = fn(1, 1, ([token]) => {
  const id = cellArg(token);
  return id === undefined ? null : pointJson(cellCenter(id));
});

const s2CellToPolygon = fn(1, 1, ([token]) => {
  const id = cellArg(token);
  return id === undefined ? null : polygonJson([cellVertices(id)]);
});

/** The neighbours' order in Kusto's answer is not documented (nor derivable from its two examples). */
const s2CellNeighbors = fn(1, 1, ([token]) => {
  if (cellArg(token) === undefined) return null;
  throw refuse("geo_s2cell_neighbors() (Kusto's order of the neighbours is not documented)");
});

const pointToGeohashFn = fn(2, 3, (args) => {
  const p = coordinate(args[0], args[1]);
  const accuracy = arg(args, 2) === undefined ? 5 : real(args[2] ?? null);
  if (!p || accuracy === null || !Number.isInteger(accuracy) || accuracy < 1 || accuracy > 18) return '';
  return pointToGeohash(p[0], p[1], accuracy);
});

function geohashArg(value: KValue | undefined, name: string) {
  if (typeof value !== 'string') return undefined;
  const box = geohashBox(value);
  if (!box && geohashBox(value.toLowerCase())) throw refuse(`${name}() of an upper-case geohash`);
  return box;
}

const geohashToCentralPoint = fn(1, 1, ([hash]) => {
  const box = geohashArg(hash, 'geo_geohash_to_central_point');
  return box ? pointJson([(box.minLng + box.maxLng) / 2, (box.minLat + box.maxLat) / 2]) : null;
});

const geohashToPolygon = fn(1, 1, ([hash]) => {
  const box = geohashArg(hash, 'geo_geohash_to_polygon');
  if (!box) return null;
  return polygonJson([
    [
      [box.minLng, box.minLat],
      [box.maxLng, box.minLat],
      [box.maxLng, box.maxLat],
      [box.minLng, box.maxLat],
    ],
  ]);
});

const geohashNeighborsFn = fn(1, 1, ([hash]) => {
  if (!geohashArg(hash, 'geo_geohash_neighbors')) return null;
  if (!geohashNeighbors(toKustoString(hash ?? null))) throw refuse('geo_geohash_neighbors() of a cell on a pole or the antimeridian');
  throw refuse("geo_geohash_neighbors() (Kusto's order of the neighbours is not documented)");
});

// ---- well-known text

const fromWkt = fn(1, 1, ([text]) => (typeof text === 'string' ? parseWkt(text) : null));

/**
 * WKT (OGC simple features) to GeoJSON: POINT, LINESTRING, POLYGON, their MULTI forms and
 * GEOMETRYCOLLECTION in two dimensions. Malformed text is null (the page); Z, M and EMPTY forms are refused.
 */
function parseWkt(text: string): KValue {
  const tokens = text.match(/[A-Za-z]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (t?: string) => {
    const token = tokens[at];
    if (t !== undefined && token?.toUpperCase() !== t) throw new SyntaxError(t);
    at++;
    return token;
  };
  const num = () => {
    const token = take();
    const value = Number(token);
    if (token === undefined || !/^[-+.\d]/.test(token) || !Number.isFinite(value)) throw new SyntaxError('number');
    return value;
  };
  const position = (): KValue => {
    const pair = [num(), num()];
    if (peek() !== ',' && peek() !== ')') throw refuse('geo_from_wkt() of coordinates with Z or M values');
    return pair;
  };
  const list = <T,>(item: () => T): T[] => {
    take('(');
    const out = [item()];
    while (peek() === ',') {
      take(',');
      out.push(item());
    }
    take(')');
    return out;
  };
  const ring = () => list(position);
  const point = () => (peek() === '(' ? list(position)[0]! : position());
  const geometry = (): KValue => {
    const kind = (take() ?? '').toUpperCase();
    if (/^[A-Z]+$/i.test(peek() ?? '')) throw refuse(`geo_from_wkt() of '${kind} ${peek()}'`);
    const shape = (type: string, coordinates: KValue) => newBag([['type', type], ['coordinates', coordinates]]);
    switch (kind) {
      case 'POINT':
        return shape('Point', list(position)[0]!);
      case 'LINESTRING':
        return shape('LineString', ring());
      case 'POLYGON':
        return shape('Polygon', list(ring));
      case 'MULTIPOINT':
        return shape('MultiPoint', list(point));
      case 'MULTILINESTRING':
        return shape('MultiLineString', list(ring));
      case 'MULTIPOLYGON':
        return shape('MultiPolygon', list(() => list(ring)));
      case 'GEOMETRYCOLLECTION':
        return newBag([['type', 'GeometryCollection'], ['geometries', list(geometry)]]);
      default:
        throw new SyntaxError(kind);
    }
  };
  try {
    const result = geometry();
    return at === tokens.length ? result : null;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * The lookup plugins' test: for a point, the indexes of the shapes that hold it (polygons), or
 * that lie within the radius of it. An invalid shape in the lookup table is refused (the pages
 * only say the shapes "should be valid").
 */
export function lookupMatcher(shape: 'polygon' | 'line', values: readonly KValue[], radiusValue: KValue, name: string): (lng: KValue, lat: KValue) => number[] {
  const radius = radiusValue === null ? undefined : real(radiusValue);
  if (radius !== undefined && (radius === null || !(radius >= 0))) return () => [];
  if (shape === 'line') {
    const lines = values.map((v) => {
      const parsed = parseLines(v);
      if (!parsed) throw refuse(`${name}() with an invalid line in the lookup table`);
      return parsed.flatMap(lineEdges);
    });
    return (lng, lat) => {
      const p = coordinate(lng, lat);
      if (!p) return [];
      const x = toPoint(p);
      return lines.flatMap((edges, i) => (meters(closestOnEdges(x, edges).distance) <= radius! ? [i] : []));
    };
  }
  const polygons = values.map((v) => {
    const parsed = polygonsOf(v, name);
    if (!parsed) throw refuse(`${name}() with an invalid polygon in the lookup table`);
    return parsed;
  });
  return (lng, lat) => {
    const p = coordinate(lng, lat);
    if (!p) return [];
    const x = toPoint(p);
    return polygons.flatMap((polygon, i) => {
      if (radius === undefined) return strictlyContains(polygon, x, name) ? [i] : [];
      return strictlyContains(polygon, x, name) || meters(closestOnEdges(x, polygon.flatMap(ringEdges)).distance) <= radius ? [i] : [];
    });
  };
}

export const GEO_FUNCTIONS: Record<string, ScalarFunction> = {
  geo_distance_2points: distance2Points,
  geo_point_in_circle: pointInCircle,
  geo_azimuth: geoAzimuth,
  geo_angle: geoAngle,
  geo_line_length: lineLengthFn,
  geo_line_centroid: lineCentroid,
  geo_line_interpolate_point: lineInterpolate,
  geo_line_locate_point: lineLocate,
  geo_distance_point_to_line: distancePointToLine,
  geo_closest_point_on_line: closestPointOnLine,
  geo_line_densify: lineDensify,
  geo_polygon_densify: polygonDensify,
  geo_line_simplify: lineSimplify,
  geo_union_lines_array: unionLines,
  geo_polygon_area: polygonAreaFn,
  geo_polygon_perimeter: polygonPerimeter,
  geo_polygon_centroid: polygonCentroidFn,
  geo_point_in_polygon: pointInPolygon,
  geo_distance_point_to_polygon: distancePointToPolygon,
  geo_closest_point_on_polygon: closestPointOnPolygon,
  geo_intersects_2lines: intersects2Lines,
  geo_intersection_2lines: intersection2Lines,
  geo_intersects_line_with_polygon: intersectsLineWithPolygon,
  geo_intersection_line_with_polygon: intersectionLineWithPolygon,
  geo_intersects_2polygons: intersects2Polygons,
  geo_intersection_2polygons: intersection2Polygons,
  geo_point_buffer: pointBuffer,
  geo_line_buffer: lineBuffer,
  geo_simplify_polygons_array: simplifyPolygons,
  geo_line_to_s2cells: lineToS2Cells,
  geo_polygon_to_s2cells: polygonToS2Cells,
  geo_point_to_s2cell: pointToS2Cell,
  geo_s2cell_to_central_point: s2CellToCentralPoint,
  geo_s2cell_to_polygon: s2CellToPolygon,
  geo_s2cell_neighbors: s2CellNeighbors,
  geo_point_to_geohash: pointToGeohashFn,
  geo_geohash_to_central_point: geohashToCentralPoint,
  geo_geohash_to_polygon: geohashToPolygon,
  geo_geohash_neighbors: geohashNeighborsFn,
  geo_from_wkt: fromWkt,
};
