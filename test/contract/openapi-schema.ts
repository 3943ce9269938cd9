/**
 * Microsoft's published OpenAPI (Swagger 2.0) contract for Microsoft.SecurityInsights, read offline
 * from test/fixtures/specs (a byte-for-byte copy of azure-rest-api-specs, see its README), turned
 * into strict JSON Schemas for request bodies and checked with ajv:
 * - every `$ref` is resolved across files, relative to the file that holds it;
 * - `allOf` parents are merged into one object, so unknown properties fail (`additionalProperties:
 *   false` wherever the contract lists the properties);
 * - a `discriminator` (AlertRule.kind, AutomationRuleCondition.conditionType, ...) picks the
 *   subtype by its `x-ms-discriminator-value`;
 * - `readOnly` properties may not be sent; enums, required lists, min/max and formats hold.
 * A string that is an ARM template expression (`[parameters('x')]`) stands for a value ARM fills in,
 * so it passes any string check; type, enum and shape checks still apply around it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isoDurationMinutes } from '../../generator/render/durations.js';

/** The project's copy of the specs, found from here whether this runs from source or compiled (bench). */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const SPECS_ROOT = resolve(projectRoot(), 'test', 'fixtures', 'specs');
export const SENTINEL_SPEC_DIR = join(SPECS_ROOT, 'securityinsights', 'resource-manager', 'Microsoft.SecurityInsights', 'preview', '2025-10-01-preview');
export const SENTINEL_SPECS = {
  alertRules: join(SENTINEL_SPEC_DIR, 'AlertRules.json'),
  automationRules: join(SENTINEL_SPEC_DIR, 'AutomationRules.json'),
  watchlists: join(SENTINEL_SPEC_DIR, 'Watchlists.json'),
} as const;

type Json = Record<string, unknown>;
const docs = new Map<string, Json>();

function load(file: string): Json {
  let doc = docs.get(file);
  if (!doc) docs.set(file, (doc = JSON.parse(readFileSync(file, 'utf8')) as Json));
  return doc;
}

/** The API version a spec file describes (`info.version`). */
export function specApiVersion(file: string): string {
  return String((load(file)['info'] as Json)['version']);
}

interface Definition {
  file: string;
  name: string;
  schema: Json;
}

function definition(file: string, name: string): Definition {
  const schema = (load(file)['definitions'] as Record<string, Json> | undefined)?.[name];
  if (!schema) throw new Error(`no definition ${name} in ${file}`);
  return { file, name, schema };
}

/** Follows a `$ref` written in `file` to the definition it names. */
function follow(ref: string, file: string): Definition {
  const [path, pointer] = ref.split('#');
  const target = path ? normalize(join(dirname(file), path)) : file;
  const match = /^\/definitions\/([^/]+)$/.exec(pointer ?? '');
  if (!match) throw new Error(`unsupported $ref ${ref} in ${file}`);
  return definition(target, match[1]!);
}

const isArmExpression = (s: string) => s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']');
const key = (d: Definition) => `${d.file.slice(SPECS_ROOT.length + 1).replace(/[\\/.]/g, '_')}__${d.name}`;

/** `forbid`: our own bodies never send server-set fields; `ignore`: Resource Manager drops them (Microsoft's examples send `id`). */
export type ReadOnlyMode = 'forbid' | 'ignore';

class Converter {
  readonly defs: Record<string, unknown> = {};
  constructor(private readonly readOnly: ReadOnlyMode) {}

  /** A `$ref` to the converted definition (converted once; recursion resolves through `$defs`). */
  ref(d: Definition, discriminate = true): Json {
    const k = key(d) + (discriminate ? '' : '__base');
    if (!(k in this.defs)) {
      this.defs[k] = true;
      this.defs[k] = discriminate && typeof d.schema['discriminator'] === 'string' ? this.polymorphic(d) : this.object(d);
    }
    return { $ref: `#/$defs/${k}` };
  }

  /** A base with a discriminator: its subtypes (definitions of the same file whose allOf names it). */
  private polymorphic(base: Definition): Json {
    const property = base.schema['discriminator'] as string;
    const subtypes = Object.entries(load(base.file)['definitions'] as Record<string, Json>)
      .filter(([, s]) => ((s['allOf'] as Json[] | undefined) ?? []).some((p) => typeof p['$ref'] === 'string' && follow(p['$ref'], base.file).name === base.name))
      .map(([name]) => definition(base.file, name));
    const values = subtypes.map((s) => String(s.schema['x-ms-discriminator-value'] ?? s.name));
    return {
      type: 'object',
      required: [property],
      properties: { [property]: { enum: values } },
      allOf: subtypes.map((s, i) => ({ if: { properties: { [property]: { const: values[i] } } }, then: this.ref(s, false) })),
    };
  }

  /** An object definition with its allOf parents merged in. */
  private object(d: Definition): Json {
    const properties: Record<string, unknown> = {};
    const required = new Set<string>();
    let open = false;
    const merge = (def: Definition) => {
      for (const parent of (def.schema['allOf'] as Json[] | undefined) ?? []) merge(follow(String(parent['$ref']), def.file));
      for (const [name, prop] of Object.entries((def.schema['properties'] as Record<string, Json> | undefined) ?? {})) properties[name] = this.property(prop, def.file);
      for (const name of (def.schema['required'] as string[] | undefined) ?? []) required.add(name);
      if (def.schema['additionalProperties'] !== undefined) open = true;
    };
    merge(d);
    const discriminator = d.schema['x-ms-discriminator-value'];
    const parentDiscriminator = this.parentDiscriminator(d);
    if (typeof discriminator === 'string' && parentDiscriminator) properties[parentDiscriminator] = { const: discriminator };
    if (Object.keys(properties).length === 0 && d.schema['type'] === 'object' && !d.schema['allOf']) return { type: 'object' };
    const extra = d.schema['additionalProperties'];
    return {
      type: 'object',
      properties,
      ...(required.size > 0 ? { required: [...required] } : {}),
      additionalProperties: open && extra !== undefined ? (extra === true ? true : this.property(extra as Json, d.file)) : false,
    };
  }

  private parentDiscriminator(d: Definition): string | undefined {
    for (const parent of (d.schema['allOf'] as Json[] | undefined) ?? []) {
      const p = follow(String(parent['$ref']), d.file);
      if (typeof p.schema['discriminator'] === 'string') return p.schema['discriminator'];
      const up = this.parentDiscriminator(p);
      if (up) return up;
    }
    return undefined;
  }

  /** One property's schema. */
  property(prop: Json, file: string): unknown {
    if (prop['readOnly'] === true) return this.readOnly === 'forbid' ? false : {};
    if (typeof prop['$ref'] === 'string') {
      const target = follow(prop['$ref'], file);
      // Enums and scalars are inlined; objects are shared through $defs.
      if (target.schema['enum'] || (target.schema['type'] !== 'object' && !target.schema['properties'] && !target.schema['allOf'] && target.schema['type'] !== undefined)) return this.property(target.schema, target.file);
      return this.ref(target);
    }
    const out: Json = {};
    const type = prop['type'];
    if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'string' || type === 'array') out['type'] = type;
    if (type === 'object') {
      if (prop['properties'] || prop['allOf']) return this.object({ file, name: '(inline)', schema: prop });
      out['type'] = 'object';
      if (prop['additionalProperties'] && typeof prop['additionalProperties'] === 'object') out['additionalProperties'] = this.property(prop['additionalProperties'] as Json, file);
    }
    if (Array.isArray(prop['enum'])) out['enum'] = prop['enum'];
    for (const k of ['minimum', 'maximum', 'maxLength', 'minLength', 'maxItems', 'minItems', 'pattern'] as const) if (prop[k] !== undefined) out[k] = prop[k];
    if (prop['format'] === 'int32') Object.assign(out, { minimum: (out['minimum'] as number | undefined) ?? -2147483648, maximum: (out['maximum'] as number | undefined) ?? 2147483647 });
    if (typeof prop['format'] === 'string' && type === 'string') out['format'] = prop['format'];
    if (type === 'array' && prop['items']) out['items'] = this.property(prop['items'] as Json, file);
    if (prop['x-nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    return out;
  }
}

const FORMATS: Record<string, (s: string) => boolean> = {
  duration: (s) => isoDurationMinutes(s) !== undefined,
  'date-time': (s) => !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  'arm-id': (s) => /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i.test(s),
};

let ajv: Ajv | undefined;
function instance(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false });
  for (const [name, test] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: (s: string) => isArmExpression(s) || test(s) });
  ajv.addKeyword({ keyword: 'x-any' });
  return ajv;
}

const compiled = new Map<string, ValidateFunction>();

/** A validator for a request body of `definitionName` in `specFile` (e.g. AlertRules.json, NrtAlertRule). */
export function requestValidator(specFile: string, definitionName: string, readOnly: ReadOnlyMode = 'forbid'): ValidateFunction {
  const id = `${specFile}#${definitionName}#${readOnly}`;
  let validate = compiled.get(id);
  if (!validate) {
    const converter = new Converter(readOnly);
    const root = converter.ref(definition(specFile, definitionName));
    validate = instance().compile({ ...root, $defs: converter.defs });
    compiled.set(id, validate);
  }
  return validate;
}

/** ajv's errors, one line each, with the path into the body. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const where = e.instancePath || '(body)';
      if (e.keyword === 'additionalProperties') return `${where}: '${String(e.params['additionalProperty'])}' is not in the contract`;
      if (e.keyword === 'false schema') return `${where}: is read-only and may not be sent`;
      return `${where}: ${e.message ?? e.keyword}${e.keyword === 'enum' ? ` (${(e.params['allowedValues'] as unknown[]).join(', ')})` : ''}`;
    });
}

/** Problems of a body against a definition; empty when it conforms. */
export function contractProblems(specFile: string, definitionName: string, body: unknown, readOnly: ReadOnlyMode = 'forbid'): string[] {
  const validate = requestValidator(specFile, definitionName, readOnly);
  return validate(body) ? [] : describeErrors(validate.errors);
}

export { isArmExpression };
