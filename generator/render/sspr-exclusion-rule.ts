import type { Finding } from '../findings.js';
import type { Manifest } from '../manifest/types.js';

/** Entra ID refuses a dynamic membership rule longer than this. */
export const DYNAMIC_RULE_MAX_LENGTH = 3072;

/** A value in a dynamic membership rule: double quotes, with `"` and the escape character escaped by a backtick. */
export function dynamicRuleString(value: string): string {
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(value)) throw new Error(`${JSON.stringify(value)} holds a control character, which a dynamic membership rule cannot carry`);
  return `"${value.replace(/[`"]/g, (ch) => `\`${ch}`)}"`;
}

export interface SsprRule {
  text: string;
  findings: Finding[];
}

/**
 * The membership rule of a dynamic group of every member user except the break-glass accounts,
 * for self-service password reset to target: an emergency account must never be reset by
 * whoever can answer its security questions.
 */
export function ssprExclusionRule(manifest: Manifest, manifestFile: string): SsprRule {
  const findings: Finding[] = [];
  const upns: string[] = [];
  manifest.accounts.forEach((a, i) => {
    try {
      upns.push(dynamicRuleString(a.userPrincipalName));
    } catch (error) {
      findings.push({ severity: 'error', code: 'render/sspr-rule', message: `accounts[${i}].userPrincipalName: ${(error as Error).message}`, path: `accounts[${i}].userPrincipalName`, location: { file: manifestFile } });
    }
  });
  const rule = `(user.userType -eq "Member") and (user.userPrincipalName -notIn [${upns.join(',')}])`;
  if (rule.length <= DYNAMIC_RULE_MAX_LENGTH) return { text: `${rule}\n`, findings };
  findings.push({
    severity: 'notice',
    code: 'render/sspr-rule-too-long',
    message: `a dynamic membership rule listing all ${manifest.accounts.length} accounts would be ${rule.length} characters (Entra ID allows ${DYNAMIC_RULE_MAX_LENGTH}); entra/sspr-exclusion-rule.txt excludes users by an attribute instead`,
    hint: 'Set employeeType to BreakGlass on every break-glass account; the rendered rule excludes users with that value.',
    location: { file: manifestFile },
    path: 'accounts',
  });
  return { text: `(user.userType -eq "Member") and -not (user.employeeType -eq "BreakGlass")\n`, findings };
}

/** Reads the values back out of a `-notIn [...]` list, as Entra ID would; for tests and checks. */
export function parseDynamicRuleList(rule: string): string[] {
  const start = rule.indexOf('-notIn [');
  if (start < 0) throw new Error('no -notIn list');
  const values: string[] = [];
  let i = start + '-notIn ['.length;
  for (;;) {
    if (rule[i] === ']') return values;
    if (rule[i] !== '"') throw new Error(`expected '"' at ${i}`);
    let value = '';
    i += 1;
    for (;;) {
      const ch = rule[i];
      if (ch === undefined) throw new Error('unterminated string');
      if (ch === '`') {
        value += rule[i + 1] ?? '';
        i += 2;
      } else if (ch === '"') {
        i += 1;
        break;
      } else {
        value += ch;
        i += 1;
      }
    }
    values.push(value);
    if (rule[i] === ',') i += 1;
  }
}
