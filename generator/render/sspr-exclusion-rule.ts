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
 * for the user self-service password reset policy to target. It keeps the accounts out of the user
 * policy only: administrators are under Microsoft's own reset policy whatever this group holds, and
 * the tenant's allowedToUseSSPR is what turns that off (see ssprExclusionFile).
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

/**
 * The file out/entra/sspr-exclusion-rule.txt: a header that says exactly what the rule does and
 * what it does not (administrators are under Microsoft's own reset policy, whatever group the user
 * policy targets: learn.microsoft.com/entra/identity/authentication/concept-sspr-policy,
 * "Administrator reset policy differences"), then the rule on its last line, to paste as it is.
 */
export function ssprExclusionFile(ruleText: string): string {
  return [
    '# Dynamic membership rule for the group that the *user* self-service password reset (SSPR) policy',
    '# targets (Entra admin center > Password reset > Properties > Selected): every member user except',
    '# the break-glass accounts. Paste the last line of this file into the group\'s membership rule.',
    '#',
    '# What it does: ordinary users can reset their passwords; the break-glass accounts are not in the',
    '# user policy, even should one of them lose its administrator role.',
    '# What it does NOT do: keep an administrator out of SSPR. Holders of administrator roles (Global',
    '# Administrator included) are always under Microsoft\'s administrator reset policy (two gates),',
    '# whatever group the user policy targets. The switch for them is the tenant authorization policy:',
    '#   Update-MgPolicyAuthorizationPolicy -AllowedToUseSspr:$false',
    '#   (Graph: PATCH /policies/authorizationPolicy {"allowedToUseSSPR": false})',
    '# Keep it false; the analytics rule admin-sspr-enabled pages when it is set back to true.',
    ruleText.trimEnd(),
    '',
  ].join('\n');
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
