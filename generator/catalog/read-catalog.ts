import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Finding } from '../findings.js';
import { parseRuleTemplate } from './parse-rule-template.js';
import type { Catalog, CatalogRule } from './rule-template.js';

/** Reads the rule folders (`analytics-rules/` first, then the user's own): every `<id>.yaml` rule and the `_partials/*.kql.hbs` it may use. */
export async function readCatalog(dirs: readonly string[], displayRoot: string): Promise<{ catalog: Catalog; findings: Finding[] }> {
  const findings: Finding[] = [];
  const rules: CatalogRule[] = [];
  const seen = new Map<string, string>();
  const files: [string, string][] = [];
  for (const dir of dirs) {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.yaml') && !n.startsWith('_')).sort()) files.push([dir, name]);
  }
  for (const [dir, name] of files) {
    const path = join(dir, name);
    const file = relative(displayRoot, path) || path;
    const parsed = parseRuleTemplate(await readFile(path, 'utf8'), file, basename(name, '.yaml'), dir === dirs[0]);
    findings.push(...parsed.findings);
    if (!parsed.rule) continue;
    const id = parsed.rule.template.id;
    const previous = seen.get(id);
    if (previous !== undefined) {
      findings.push({
        severity: 'error',
        code: 'catalog/duplicate-id',
        ruleId: id,
        message: `rule id '${id}' is defined twice: in ${previous} and in ${file}`,
        hint: 'Rule ids must be unique: they name the rule in manifests and derive its Sentinel GUID.',
        path: 'id',
        location: { file, line: parsed.rule.source.lineOf(['id']) },
      });
      continue;
    }
    seen.set(id, file);
    rules.push(parsed.rule);
  }
  const partials: Record<string, string> = {};
  // Partials come from the built-in catalog (the first folder): they define what {{> accounts}} means.
  const partialDir = join(dirs[0]!, '_partials');
  for (const name of (await readdir(partialDir)).filter((n) => n.endsWith('.kql.hbs')).sort()) {
    partials[basename(name, '.kql.hbs')] = await readFile(join(partialDir, name), 'utf8');
  }
  return { catalog: { rules, partials }, findings };
}
