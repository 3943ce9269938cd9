import { describe, expect, it } from 'vitest';
import { EvaluationError } from '../../generator/evaluate/evaluation-error.js';
import { value } from '../helpers/evaluate.js';

// The geospatial functions answer where Microsoft's pages define the answer and refuse by name
// where Kusto's result depends on something they do not (neighbour order, unions of overlapping
// shapes, buffers, coverings, points exactly on a boundary).

const refused = (expression: string, construct: RegExp) => {
  try {
    value(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as EvaluationError).code).toBe('unsupported');
    expect((error as Error).message).toMatch(construct);
    return;
  }
  throw new Error(`${expression} was not refused`);
};

const square = 'dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]})';

describe('geospatial functions', () => {
  it('measure on the 6,371,010 m sphere (geo-distance-2points-function.md)', () => {
    expect(value('geo_distance_2points(-122.407628, 47.578557, -118.275287, 34.019056)')).toBeCloseTo(1546754.35197381, 6);
    expect(value('geo_distance_2points(0, 0, 0, 1)')).toBeCloseTo((6371010 * Math.PI) / 180, 6);
    expect(value('geo_distance_2points(200, 0, 0, 1)')).toBeNull();
  });
  it('test points against polygons with holes, and refuse a point on the boundary', () => {
    const holed = 'dynamic({"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,3],[3,3],[3,1],[1,1]]]})';
    expect(value(`geo_point_in_polygon(0.5, 0.5, ${holed})`)).toBe(true);
    expect(value(`geo_point_in_polygon(2, 2, ${holed})`)).toBe(false);
    expect(value(`geo_point_in_polygon(5, 5, ${holed})`)).toBe(false);
    refused(`geo_point_in_polygon(0.5, 0, ${square})`, /boundary/);
  });
  it('give null for an invalid polygon: repeated vertices, crossing edges, an open ring', () => {
    expect(value('geo_polygon_area(dynamic({"type":"Polygon","coordinates":[[[0,0],[10,10],[10,10],[0,0]]]}))')).toBeNull();
    expect(value('geo_polygon_area(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}))')).toBeNull();
    expect(value('geo_polygon_area(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}))')).toBeNull();
  });
  it('refuse what depends on undocumented behaviour', () => {
    refused("geo_s2cell_neighbors('89c259')", /geo_s2cell_neighbors/);
    refused("geo_geohash_neighbors('sunny')", /geo_geohash_neighbors/);
    refused(`geo_polygon_area(dynamic({"type":"MultiPolygon","coordinates":[[[[0,0],[2,0],[2,2],[0,2],[0,0]]],[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}))`, /union/);
    refused('geo_point_buffer(10, 10, 100)', /geo_point_buffer/);
    refused('geo_line_densify(dynamic({"type":"LineString","coordinates":[[179,0],[-179,0]]}))', /antimeridian/);
    refused('geo_distance_2points(0, 0, 1, 1, true)', /use_spheroid/);
  });
  it('give null for invalid cells and empty for invalid points (geo-point-to-s2cell-function.md)', () => {
    expect(value("geo_s2cell_to_central_point('a')")).toBeNull();
    expect(value('geo_point_to_s2cell(1, 1, 31)')).toBe('');
    expect(value('geo_point_to_geohash(1, 1, 0)')).toBe('');
    expect(value("geo_geohash_to_polygon('a')")).toBeNull();
  });
  it('read WKT and refuse Z coordinates', () => {
    expect(value('geo_from_wkt("MULTIPOINT ((1 2), (3 4))")')).toEqual({ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] });
    expect(value('geo_from_wkt("POINT (1)")')).toBeNull();
    refused('geo_from_wkt("POINT Z (1 2 3)")', /geo_from_wkt/);
  });
});
