import { normalize, toLngLat, toPoint, type LngLat, type Vec } from './geo-sphere.js';

/**
 * The two cell grids of Kusto's geospatial functions whose definitions are public: geohash
 * (geo-point-to-geohash-function.md; the classic base-32 interleaving of longitude and latitude
 * bits) and S2 (geo-point-to-s2cell-function.md; Google's S2 library, whose cell ids, tokens,
 * Hilbert-curve order, quadratic projection and neighbour order are reproduced here from its
 * published algorithms).
 */

// ---- geohash

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

export interface GeohashBox {
  minLng: number;
  maxLng: number;
  minLat: number;
  maxLat: number;
}

export function pointToGeohash(lng: number, lat: number, length: number): string {
  let lngRange: [number, number] = [-180, 180];
  let latRange: [number, number] = [-90, 90];
  let out = '';
  let bit = 0;
  let ch = 0;
  let even = true;
  while (out.length < length) {
    const range = even ? lngRange : latRange;
    const value = even ? lng : lat;
    const mid = (range[0] + range[1]) / 2;
    ch <<= 1;
    if (value >= mid) {
      ch |= 1;
      range[0] = mid;
    } else range[1] = mid;
    if (even) lngRange = range;
    else latRange = range;
    even = !even;
    if (++bit === 5) {
      out += BASE32[ch];
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

/** The box of a geohash; undefined when it is not one (1 to 18 characters of the geohash alphabet). */
export function geohashBox(hash: string): GeohashBox | undefined {
  if (hash.length < 1 || hash.length > 18) return undefined;
  const lng: [number, number] = [-180, 180];
  const lat: [number, number] = [-90, 90];
  let even = true;
  for (const c of hash) {
    const value = BASE32.indexOf(c);
    if (value < 0) return undefined;
    for (let b = 4; b >= 0; b--) {
      const range = even ? lng : lat;
      const mid = (range[0] + range[1]) / 2;
      if ((value >> b) & 1) range[0] = mid;
      else range[1] = mid;
      even = !even;
    }
  }
  return { minLng: lng[0], maxLng: lng[1], minLat: lat[0], maxLat: lat[1] };
}

/**
 * The eight neighbours of a geohash in the order Kusto lists them (geo-geohash-neighbors-function.md,
 * 'sunny': south-west, north-west, south-east, north, west, north-east, east, south); undefined for
 * a cell on the poles or the antimeridian, whose neighbours the page does not define.
 */
export function geohashNeighbors(hash: string): string[] | undefined {
  const box = geohashBox(hash);
  if (!box || box.minLat <= -90 || box.maxLat >= 90 || box.minLng <= -180 || box.maxLng >= 180) return undefined;
  const w = box.maxLng - box.minLng;
  const h = box.maxLat - box.minLat;
  const cx = (box.minLng + box.maxLng) / 2;
  const cy = (box.minLat + box.maxLat) / 2;
  const order: [number, number][] = [[-1, -1], [-1, 1], [1, -1], [0, 1], [-1, 0], [1, 1], [1, 0], [0, -1]];
  return order.map(([dx, dy]) => pointToGeohash(cx + dx * w, cy + dy * h, hash.length));
}

// ---- S2

const MAX_LEVEL = 30;
const POS_BITS = 61n;
const MAX_SIZE = 1 << 30;
const LOOKUP_BITS = 4;
const SWAP = 1;
const INVERT = 2;
const POS_TO_IJ = [
  [0, 1, 3, 2],
  [0, 2, 3, 1],
  [3, 2, 0, 1],
  [3, 1, 0, 2],
];
const POS_TO_ORIENTATION = [SWAP, 0, 0, INVERT | SWAP];

let lookupPos: Int32Array | undefined;
let lookupIJ: Int32Array | undefined;

function lookups(): [Int32Array, Int32Array] {
  if (lookupPos && lookupIJ) return [lookupPos, lookupIJ];
  const pos = new Int32Array(1 << (2 * LOOKUP_BITS + 2));
  const ij = new Int32Array(1 << (2 * LOOKUP_BITS + 2));
  const init = (level: number, i: number, j: number, origOrientation: number, p: number, orientation: number): void => {
    if (level === LOOKUP_BITS) {
      const index = (i << LOOKUP_BITS) + j;
      pos[(index << 2) + origOrientation] = (p << 2) + orientation;
      ij[(p << 2) + origOrientation] = (index << 2) + orientation;
      return;
    }
    const r = POS_TO_IJ[orientation]!;
    for (let k = 0; k < 4; k++) init(level + 1, (i << 1) + (r[k]! >> 1), (j << 1) + (r[k]! & 1), origOrientation, (p << 2) + k, orientation ^ POS_TO_ORIENTATION[k]!);
  };
  for (let o = 0; o < 4; o++) init(0, 0, 0, o, 0, o);
  lookupPos = pos;
  lookupIJ = ij;
  return [pos, ij];
}

const lowestBit = (id: bigint) => id & -id;

export function cellLevel(id: bigint): number {
  let lsb = lowestBit(id);
  let zeros = 0;
  while (lsb > 1n) {
    lsb >>= 1n;
    zeros++;
  }
  return MAX_LEVEL - (zeros >> 1);
}

export function cellParent(id: bigint, level: number): bigint {
  const lsb = 1n << BigInt(2 * (MAX_LEVEL - level));
  return (id & -lsb) | lsb;
}

function fromFaceIJ(face: number, i: number, j: number): bigint {
  const [pos] = lookups();
  let n = BigInt(face) << (POS_BITS - 1n);
  let bits = face & SWAP;
  const mask = (1 << LOOKUP_BITS) - 1;
  for (let k = 7; k >= 0; k--) {
    bits += ((i >> (k * LOOKUP_BITS)) & mask) << (LOOKUP_BITS + 2);
    bits += ((j >> (k * LOOKUP_BITS)) & mask) << 2;
    bits = pos[bits]!;
    n |= BigInt(bits >> 2) << BigInt(k * 2 * LOOKUP_BITS);
    bits &= SWAP | INVERT;
  }
  return n * 2n + 1n;
}

function toFaceIJ(id: bigint): [number, number, number] {
  const [, ijTable] = lookups();
  const face = Number(id >> POS_BITS);
  let bits = face & SWAP;
  let i = 0;
  let j = 0;
  for (let k = 7; k >= 0; k--) {
    const nbits = k === 7 ? MAX_LEVEL - 7 * LOOKUP_BITS : LOOKUP_BITS;
    bits += Number((id >> BigInt(k * 2 * LOOKUP_BITS + 1)) & BigInt((1 << (2 * nbits)) - 1)) << 2;
    bits = ijTable[bits]!;
    i += (bits >> (LOOKUP_BITS + 2)) * 2 ** (k * LOOKUP_BITS);
    j += ((bits >> 2) & ((1 << LOOKUP_BITS) - 1)) * 2 ** (k * LOOKUP_BITS);
    bits &= SWAP | INVERT;
  }
  return [face, i, j];
}

const stToUV = (s: number) => (s >= 0.5 ? (1 / 3) * (4 * s * s - 1) : (1 / 3) * (1 - 4 * (1 - s) * (1 - s)));
const uvToST = (u: number) => (u >= 0 ? 0.5 * Math.sqrt(1 + 3 * u) : 1 - 0.5 * Math.sqrt(1 - 3 * u));
const stToIJ = (s: number) => Math.max(0, Math.min(MAX_SIZE - 1, Math.floor(MAX_SIZE * s)));

function faceUVtoXYZ(face: number, u: number, v: number): Vec {
  switch (face) {
    case 0:
      return [1, u, v];
    case 1:
      return [-u, 1, v];
    case 2:
      return [-u, -v, 1];
    case 3:
      return [-1, -v, -u];
    case 4:
      return [v, -1, -u];
    default:
      return [v, u, -1];
  }
}

function xyzToFaceUV(p: Vec): [number, number, number] {
  const ax = Math.abs(p[0]);
  const ay = Math.abs(p[1]);
  const az = Math.abs(p[2]);
  let face = ax > ay ? (ax > az ? 0 : 2) : ay > az ? 1 : 2;
  if (p[face]! < 0) face += 3;
  const [x, y, z] = p;
  switch (face) {
    case 0:
      return [face, y / x, z / x];
    case 1:
      return [face, -x / y, z / y];
    case 2:
      return [face, -x / z, -y / z];
    case 3:
      return [face, z / x, y / x];
    case 4:
      return [face, z / y, -x / y];
    default:
      return [face, -y / z, -x / z];
  }
}

export function pointToCell(p: Vec, level: number): bigint {
  const [face, u, v] = xyzToFaceUV(p);
  return cellParent(fromFaceIJ(face, stToIJ(uvToST(u)), stToIJ(uvToST(v))), level);
}

/** The S2 cell id of a token; undefined when the token is not a valid cell (at most 16 hex digits, a valid face and level). */
export function cellFromToken(token: string): bigint | undefined {
  if (token.length === 0 || token.length > 16 || !/^[0-9a-f]+$/i.test(token)) return undefined;
  const id = BigInt(`0x${token.padEnd(16, '0')}`);
  if (id >> POS_BITS > 5n) return undefined;
  const lsb = lowestBit(id);
  if (lsb === 0n || (lsb & 0x1555555555555555n) === 0n) return undefined;
  return id;
}

export function cellToken(id: bigint): string {
  if (id === 0n) return 'X';
  return id.toString(16).padStart(16, '0').replace(/0+$/, '');
}

function cellBounds(id: bigint): { face: number; i: number; j: number; size: number } {
  const [face, i, j] = toFaceIJ(id);
  const size = 2 ** (MAX_LEVEL - cellLevel(id));
  const floor = (x: number) => Math.floor(x / size) * size;
  return { face, i: floor(i), j: floor(j), size };
}

/** The cell's vertices counterclockwise from its (u, v)-lowest corner, as S2Cell::GetVertex numbers them. */
export function cellVertices(id: bigint): LngLat[] {
  const { face, i, j, size } = cellBounds(id);
  const u0 = stToUV(i / MAX_SIZE);
  const u1 = stToUV((i + size) / MAX_SIZE);
  const v0 = stToUV(j / MAX_SIZE);
  const v1 = stToUV((j + size) / MAX_SIZE);
  return [
    [u0, v0],
    [u1, v0],
    [u1, v1],
    [u0, v1],
  ].map(([u, v]) => toLngLat(normalize(faceUVtoXYZ(face, u!, v!))));
}

export function cellCenter(id: bigint): LngLat {
  const { face, i, j, size } = cellBounds(id);
  return toLngLat(normalize(faceUVtoXYZ(face, stToUV((i + size / 2) / MAX_SIZE), stToUV((j + size / 2) / MAX_SIZE))));
}

/** A leaf cell across a face edge (S2CellId::FromFaceIJWrap). */
function fromFaceIJWrap(face: number, i: number, j: number): bigint {
  const ci = Math.max(-1, Math.min(MAX_SIZE, i));
  const cj = Math.max(-1, Math.min(MAX_SIZE, j));
  const limit = 1 + Number.EPSILON;
  const scale = 1 / MAX_SIZE;
  const u = Math.max(-limit, Math.min(limit, scale * (2 * (ci - MAX_SIZE / 2) + 1)));
  const v = Math.max(-limit, Math.min(limit, scale * (2 * (cj - MAX_SIZE / 2) + 1)));
  const [f, fu, fv] = xyzToFaceUV(faceUVtoXYZ(face, u, v));
  return fromFaceIJ(f, stToIJ(0.5 * (fu + 1)), stToIJ(0.5 * (fv + 1)));
}

/** The cells sharing an edge or a corner with this one, in S2CellId::AppendAllNeighbors' order. */
export function cellNeighbors(id: bigint): bigint[] {
  const level = cellLevel(id);
  const { face, i, j, size } = cellBounds(id);
  const out: bigint[] = [];
  const same = (ii: number, jj: number, sameFace: boolean) => cellParent(sameFace ? fromFaceIJ(face, ii, jj) : fromFaceIJWrap(face, ii, jj), level);
  for (let k = -size; ; k += size) {
    let sameFace: boolean;
    if (k < 0) sameFace = j + k >= 0;
    else if (k >= size) sameFace = j + k < MAX_SIZE;
    else {
      sameFace = true;
      out.push(same(i + k, j - size, j - size >= 0));
      out.push(same(i + k, j + size, j + size < MAX_SIZE));
    }
    out.push(same(i - size, j + k, sameFace && i - size >= 0));
    out.push(same(i + size, j + k, sameFace && i + size < MAX_SIZE));
    if (k >= size) break;
  }
  return out;
}

export function lngLatToCell(lng: number, lat: number, level: number): bigint {
  return pointToCell(toPoint([lng, lat]), level);
}

/** The largest area (steradians) of a cell at a level (S2's kMaxArea). */
export function maxCellArea(level: number): number {
  return 2.635799256963161 * 4 ** -level;
}
