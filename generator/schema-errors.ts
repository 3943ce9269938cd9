import type { ErrorObject } from 'ajv';
import { formatPath, type Finding } from './findings.js';
import { didYouMean } from './suggest.js';
import { locate, type YamlSource } from './yaml-source.js';

const PATTERN_HINTS: Record<string, string> = {
  guid: 'is not a GUID: expected 8-4-4-4-12 hexadecimal digits, e.g. 34bbde15-5585-4333-a9d6-fd1b529ab024',
  duration: 'is not a duration: write minutes, hours or days as in 5m, 1h, 14d',
  userPrincipalName: 'is not a user principal name: expected name@domain, e.g. bg-admin-1@contoso.onmicrosoft.com',
  address: 'is not an e-mail address',
  countryCode: 'is not a country calling code: digits only, without + (e.g. 1, 44, 49)',
  phoneNumber: 'is not a phone number: 4 to 14 digits, without the country code, spaces or +',
  channelId: "is not a Teams channel id: expected the id that starts with '19:' (from the channel's link)",
  resourceGroup: "is not a resource group name: Azure allows 1 to 90 letters, digits, '_', '-', '.', '(' and ')', not ending with '.'",
  workspaceName: 'is not a Log Analytics workspace name: Azure allows 4 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
};

/** Turns one schema-validation error into a finding that names file, path, line and the fix. */
export function schemaErrorToFinding(error: ErrorObject, source: YamlSource, codePrefix: string): Finding | undefined {
  // `if` only says that a `then` failed; the `then` error itself is reported.
  if (error.keyword === 'if') return undefined;
  const segments = pointerToSegments(error.instancePath, source);
  const at = (extra: (string | number)[], key = false) => {
    const all = [...segments, ...extra];
    return { path: formatPath(all), location: { file: source.file, ...locate(source, all, { key }) } };
  };
  const base = { severity: 'error' as const, code: `${codePrefix}/${error.keyword}` };
  const here = formatPath(segments) || '(top level)';

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const known = Object.keys((error.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
      const where = at([key], true);
      return {
        ...base,
        code: `${codePrefix}/unknown-key`,
        ...where,
        message: `unknown key '${key}' in ${here}.${didYouMean(key, known)}`,
        hint: known.length > 0 ? `Allowed keys here: ${known.join(', ')}.` : 'Remove this key.',
      };
    }
    case 'required': {
      const key = String(error.params['missingProperty']);
      return {
        ...base,
        code: `${codePrefix}/missing-key`,
        ...at([]),
        path: formatPath([...segments, key]),
        message: `missing required key '${key}' in ${here}`,
        hint: requiredHint(key),
      };
    }
    case 'pattern': {
      const name = patternName(error);
      const value = JSON.stringify(error.data);
      return {
        ...base,
        ...at([]),
        message: `${here}: ${value} ${PATTERN_HINTS[name] ?? `does not match the pattern ${String(error.params['pattern'])}`}`,
      };
    }
    case 'enum':
      return {
        ...base,
        ...at([]),
        message: `${here}: ${JSON.stringify(error.data)} is not one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.${didYouMean(String(error.data), (error.params['allowedValues'] as unknown[]).map(String))}`,
      };
    case 'type':
      return { ...base, ...at([]), message: `${here}: must be ${article(String(error.params['type']))}, not ${describe(error.data)}` };
    default:
      return { ...base, ...at([]), message: `${here}: ${error.message ?? 'is not valid'}` };
  }
}

function requiredHint(key: string): string | undefined {
  switch (key) {
    case 'idNamespace':
      return 'Add idNamespace: <a new GUID of your own> (e.g. from `node -e "console.log(crypto.randomUUID())"`); keep it forever.';
    case 'role':
      return "A privileged-role account names the directory role it holds, e.g. role: Privileged Role Administrator.";
    default:
      return undefined;
  }
}

function patternName(error: ErrorObject): string {
  const defMatch = /#\/definitions\/(\w+)\/pattern$/.exec(error.schemaPath);
  if (defMatch) return defMatch[1]!;
  const propMatch = /\/properties\/(\w+)\/pattern$/.exec(error.schemaPath);
  return propMatch?.[1] ?? '';
}

function pointerToSegments(pointer: string, source: YamlSource): (string | number)[] {
  if (pointer === '') return [];
  const raw = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  // A numeric segment is an array index only where the value at that point is an array.
  const out: (string | number)[] = [];
  let value: unknown = source.doc.toJS();
  for (const segment of raw) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) {
      out.push(Number(segment));
      value = value[Number(segment)];
    } else {
      out.push(segment);
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return out;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  return article(typeof value);
}
