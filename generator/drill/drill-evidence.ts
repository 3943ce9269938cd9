/**
 * Drill evidence from the workspace's rows: the test sign-in, the alerts and incident our rules
 * raised, the playbook's run and its comment on the incident (which says who was notified), and
 * the time from sign-in to each. Pure: rows in, evidence and Markdown out.
 */
export type LogRow = Record<string, unknown>;

/** The first line of the notification playbook's incident comment (playbooks/messages/incident-comment.html.hbs). */
export const NOTIFICATION_COMMENT_MARKER = 'Break-glass notification sent';

export interface DrillRows {
  signIns: LogRow[];
  alerts: LogRow[];
  incidents: LogRow[];
  health: LogRow[];
}

export interface DrillStep {
  step: 'sign-in' | 'alert' | 'incident' | 'playbook run' | 'notification';
  at: string | null;
  /** Minutes after the test sign-in. */
  minutesAfterSignIn: number | null;
  what: string;
}

export interface DrillEvidence {
  account: { objectId: string; userPrincipalName: string };
  workspace: string;
  window: { since: string; readAt: string };
  steps: DrillStep[];
  /** Links of the chain that were not found: empty when the drill passed. */
  missing: DrillStep['step'][];
  signIns: LogRow[];
  alerts: LogRow[];
  incidents: LogRow[];
  playbookRuns: LogRow[];
  notification: { at: string; text: string } | null;
  queries: Record<string, string>;
}

function time(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return null;
}

function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A row as JSON can hold it: times as ISO strings. */
function plain(row: LogRow): LogRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

const field = (o: Record<string, unknown>, name: string) => Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

export function drillEvidence(input: { objectId: string; userPrincipalName: string; workspace: string; since: string; readAt: Date; rows: DrillRows; queries: Record<string, string> }): DrillEvidence {
  const { rows } = input;
  const success = rows.signIns.filter((r) => String(r['ResultType']) === '0');
  const signIn = success.find((r) => r['SignInType'] === 'interactive') ?? success[0];
  const t0 = signIn ? time(signIn['TimeGenerated']) : null;
  const after = (at: string | null) => (t0 && at ? Math.round(((Date.parse(at) - Date.parse(t0)) / 60_000) * 10) / 10 : null);
  const notBefore = (at: string | null) => !t0 || (at !== null && Date.parse(at) >= Date.parse(t0));

  const alerts = rows.alerts.filter((a) => a['AboutAccount'] === true && notBefore(time(a['TimeGenerated'])));
  const alertIds = new Set(alerts.map((a) => String(a['SystemAlertId'])));
  const incidents = rows.incidents.filter((i) => {
    const ids = json(i['AlertIds']);
    return Array.isArray(ids) && ids.some((id) => alertIds.has(String(id)));
  });
  const incident = incidents[0];
  const created = incident ? time(incident['CreatedTime']) : null;
  const comments = incident ? json(incident['Comments']) : null;
  const comment = Array.isArray(comments)
    ? (comments as Record<string, unknown>[])
        .map((c) => ({ at: time(field(c, 'createdTimeUtc')), text: String(field(c, 'message') ?? '') }))
        .filter((c): c is { at: string; text: string } => c.at !== null && c.text.includes(NOTIFICATION_COMMENT_MARKER))
        .sort((a, b) => a.at.localeCompare(b.at))[0]
    : undefined;
  const runs = rows.health.filter((h) => notBefore(time(h['TimeGenerated'])) && (!created || Date.parse(time(h['TimeGenerated'])!) >= Date.parse(created)));
  const run = runs[0];

  const steps: DrillStep[] = [
    { step: 'sign-in', at: t0, minutesAfterSignIn: t0 ? 0 : null, what: signIn ? `${signIn['SignInType']} sign-in to ${signIn['AppDisplayName'] ?? 'an application'} from ${signIn['IPAddress'] ?? 'an unknown address'} (${signIn['AuthenticationRequirement'] ?? 'authentication requirement unknown'})` : `no successful sign-in of the account in the last ${input.since}` },
    { step: 'alert', at: alerts[0] ? time(alerts[0]['TimeGenerated']) : null, minutesAfterSignIn: alerts[0] ? after(time(alerts[0]['TimeGenerated'])) : null, what: alerts[0] ? `${alerts.length} alert${alerts.length === 1 ? '' : 's'}: ${[...new Set(alerts.map((a) => String(a['AlertName'])))].join('; ')}` : 'no alert of the break-glass rules names the account' },
    { step: 'incident', at: created, minutesAfterSignIn: after(created), what: incident ? `incident ${incident['IncidentNumber']}: ${incident['Title']} (${incident['Severity']}, ${incident['Status']})` : 'no incident holds those alerts' },
    { step: 'playbook run', at: run ? time(run['TimeGenerated']) : null, minutesAfterSignIn: run ? after(time(run['TimeGenerated'])) : null, what: run ? `${run['SentinelResourceType']} ${run['SentinelResourceName']}: ${run['OperationName']} ${run['Status']}` : 'no SentinelHealth record of the automation rule or playbook (is health monitoring on?)' },
    { step: 'notification', at: comment?.at ?? null, minutesAfterSignIn: comment ? after(comment.at) : null, what: comment ? 'the playbook commented who was notified and whether each message went out' : "no incident comment from the notification playbook" },
  ];
  // The playbook run is shown when SentinelHealth has it; the notification itself is the proof.
  const missing = steps.filter((s) => s.at === null && s.step !== 'playbook run').map((s) => s.step);
  return {
    account: { objectId: input.objectId, userPrincipalName: input.userPrincipalName },
    workspace: input.workspace,
    window: { since: input.since, readAt: input.readAt.toISOString() },
    steps,
    missing,
    signIns: rows.signIns.map(plain),
    alerts: rows.alerts.map(plain),
    incidents: incidents.map(plain),
    playbookRuns: runs.map(plain),
    notification: comment ?? null,
    queries: input.queries,
  };
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));

function table(rows: LogRow[], columns: string[]): string {
  if (rows.length === 0) return '_none_\n';
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`)].join('\n') + '\n';
}

/** The evidence as Markdown, for the post-mortem. */
export function drillMarkdown(e: DrillEvidence): string {
  const verdict = e.missing.length === 0 ? `**Passed**: the test sign-in was alerted on and notified${e.steps[4]!.minutesAfterSignIn !== null ? ` ${e.steps[4]!.minutesAfterSignIn} minutes after the sign-in` : ''}.` : `**Failed**: not found: ${e.missing.join(', ')}.`;
  return `# Break-glass drill: ${e.account.userPrincipalName}

- Account: ${e.account.userPrincipalName} (${e.account.objectId})
- Workspace: ${e.workspace}
- Window: the last ${e.window.since} before ${e.window.readAt}

${verdict}

## Timeline

| step | time (UTC) | minutes after sign-in | what |
|---|---|---|---|
${e.steps.map((s) => `| ${s.step} | ${s.at ?? 'not found'} | ${s.minutesAfterSignIn ?? ''} | ${cell(s.what)} |`).join('\n')}

## Sign-in records

${table(e.signIns, ['TimeGenerated', 'SignInType', 'ResultType', 'IPAddress', 'Location', 'AppDisplayName', 'AuthenticationRequirement', 'ConditionalAccessStatus', 'CorrelationId'])}
## Alerts of the break-glass rules

${table(e.alerts, ['TimeGenerated', 'AlertName', 'AlertSeverity', 'SystemAlertId', 'AboutAccount'])}
## Incident

${table(e.incidents, ['IncidentNumber', 'Title', 'Severity', 'Status', 'CreatedTime', 'IncidentUrl'])}
## Playbook run (SentinelHealth)

${table(e.playbookRuns, ['TimeGenerated', 'SentinelResourceType', 'SentinelResourceName', 'OperationName', 'Status', 'Description'])}
## Notification

${e.notification ? `${e.notification.at}: ${e.notification.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()}` : '_none_'}

## Queries (Log Analytics, read-only)

${Object.entries(e.queries).map(([name, q]) => `### ${name}\n\n\`\`\`kusto\n${q}\n\`\`\``).join('\n\n')}
`;
}
