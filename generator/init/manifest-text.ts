/**
 * The commented accounts.yaml that `breakglass init` writes. Written as text rather than with a
 * YAML serializer so the comments sit next to the settings they explain; every value goes through
 * the YAML library's scalar quoting, so no answer can change the document's structure.
 */
import { stringify } from 'yaml';
import type { InitAnswers } from './init-answers.js';

function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

export function manifestText(answers: InitAnswers, schemaRef: string): string {
  const lines: string[] = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '#',
    '# The break-glass (emergency access) accounts of one Entra ID tenant, written by breakglass init.',
    '# Check it:   npx breakglass validate --manifest <this file>',
    '# Render it:  npx breakglass render --manifest <this file> --out out',
    '',
    '# Made once for this tenant and never changed: every rule\'s Sentinel id derives from it, so a',
    '# re-render updates the same rules instead of creating copies.',
    `idNamespace: ${answers.idNamespace}`,
    '',
  ];
  if (answers.tenantId) {
    lines.push('# The Entra ID tenant (directory) id; push needs it for the automation rule.', `tenantId: ${answers.tenantId}`, '');
  } else {
    lines.push('# The Entra ID tenant (directory) id; push needs it (or AZURE_TENANT_ID) for the automation rule.', '# tenantId: 00000000-0000-0000-0000-000000000000', '');
  }
  lines.push(
    '# inline: the account ids are written into each query. watchlist: the queries read them with',
    '# _GetWatchlist(). Left out, inline is used unless the queries would get too long.',
    '# accountSource: inline',
    '',
    '# How often the accounts must be signed in to (tested); the workbook flags older sign-ins.',
    '# validationIntervalDays: 90',
    '',
    '# Microsoft recommends two or more accounts. kind: global-admin, or privileged-role with a role:',
    '#   kind: privileged-role',
    '#   role: Privileged Role Administrator',
    'accounts:',
  );
  answers.accounts.forEach((account, index) => {
    lines.push(
      `  - objectId: ${account.objectId}`,
      `    userPrincipalName: ${scalar(account.userPrincipalName)}`,
      `    displayName: ${scalar(account.displayName ?? `Emergency access ${String(index + 1).padStart(2, '0')}`)}`,
      `    kind: ${account.kind}`,
    );
    if (account.role !== undefined) lines.push(`    role: ${scalar(account.role)}`);
  });
  lines.push(
    '',
    '# The group every Conditional Access policy excludes, holding the accounts above.',
    'exclusionGroup:',
    `  objectId: ${answers.exclusionGroup.objectId}`,
    `  displayName: ${scalar(answers.exclusionGroup.displayName)}`,
    '',
    '# Who is told, within a minute, of every use of these accounts.',
    'notifications:',
    '  email:',
    ...answers.emails.map((address) => `    - address: ${scalar(address)}`),
  );
  if (answers.sms.length > 0) {
    lines.push('  sms:');
    for (const sms of answers.sms) lines.push(`    - countryCode: ${scalar(sms.countryCode)}`, `      phoneNumber: ${scalar(sms.phoneNumber)}`);
  } else {
    lines.push('  # sms:', '  #   - countryCode: "1"', '  #     phoneNumber: "4255550100"');
  }
  lines.push(
    '  # A Teams channel to post to (team and channel ids from the channel\'s link):',
    '  # teams:',
    '  #   teamId: 00000000-0000-0000-0000-000000000000',
    '  #   channelId: "19:...@thread.tacv2"',
    '',
    '# Where push puts the content. name is what --workspace selects; cloud: AzureCloud (default),',
    '# AzureUSGovernment or AzureChinaCloud.',
    'workspaces:',
  );
  for (const w of answers.workspaces) {
    lines.push(
      `  - name: ${scalar(w.name ?? w.workspaceName)}`,
      `    subscriptionId: ${w.subscriptionId}`,
      `    resourceGroup: ${scalar(w.resourceGroup)}`,
      `    workspaceName: ${scalar(w.workspaceName)}`,
    );
  }
  lines.push(
    '',
    '# Per-rule overrides by rule id (see the rule catalog in the README):',
    '# enabled, severity, kind (nrt | scheduled), queryFrequency, queryPeriod.',
    '# rules:',
    '#   signin-failure:',
    '#     severity: High',
    '',
  );
  return lines.join('\n');
}
