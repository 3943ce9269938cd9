import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkWorkflowExpressions } from '../generator/logic-app/check-workflow.js';
import { parseExpression, parseStringValue } from '../generator/logic-app/expression-parser.js';
import { logicAppText } from '../generator/logic-app/literal-text.js';
import type { Manifest } from '../generator/manifest/types.js';
import { NOTIFIED_MARKER, playbookTemplate, SMS_MAX_LENGTH, workflowDefinition } from '../generator/playbook/playbook-template.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from '../generator/playbook/notification-policy.js';
import { SENTINEL_API_VERSION } from '../generator/render/api-versions.js';
import { armTemplateText } from '../generator/arm/arm-json.js';
import { jsonFile, loadContent, type Content } from './helpers/content.js';

interface Resource {
  type: string;
  name: string;
  identity?: { type: string };
  dependsOn?: string[];
  properties: Record<string, unknown>;
}
interface Template {
  $schema: string;
  metadata: Record<string, unknown>;
  parameters: Record<string, { defaultValue?: unknown }>;
  resources: Resource[];
}
interface Action {
  type: string;
  inputs: { path?: string; method?: string; body?: Record<string, unknown>; host?: { connection: { name: string } }; authentication?: { type: string } };
  runAfter: Record<string, string[]>;
}
interface Definition {
  triggers: Record<string, { type: string; inputs: { path: string; host: { connection: { name: string } } } }>;
  actions: Record<string, Action>;
}

let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

function playbook(text?: string) {
  const template = jsonFile<Template>(content.build(text), 'arm/playbook.json');
  const workflow = template.resources.find((r) => r.type === 'Microsoft.Logic/workflows')!;
  return { template, workflow, definition: workflow.properties['definition'] as Definition };
}

/** What a Logic App string value says where it is literal text; expressions become «…». */
function literalText(value: string): string {
  return parseStringValue(value)
    .parts.map((p) => ('text' in p ? p.text : p.expression.kind === 'string' ? p.expression.value : '«…»'))
    .join('');
}

describe('playbook template', () => {
  it('is triggered by Sentinel incident creation through a managed-identity connection', () => {
    const { template, workflow, definition } = playbook();
    expect(template.$schema).toMatch(/deploymentTemplate\.json#$/);
    expect(template.parameters['PlaybookName']?.defaultValue).toBe('BreakGlass-Notify');
    expect(template.metadata).toMatchObject({ title: expect.any(String), description: expect.any(String), lastUpdateTime: expect.any(String), support: { tier: 'community' }, author: { name: 'breakglass-sentinel' } });
    expect(workflow.identity).toEqual({ type: 'SystemAssigned' });
    const trigger = definition.triggers['Microsoft_Sentinel_incident']!;
    expect(trigger.type).toBe('ApiConnectionWebhook');
    expect(trigger.inputs.path).toBe('/incident-creation');
    expect(trigger.inputs.host.connection.name).toBe("@parameters('$connections')['azuresentinel']['connectionId']");
    const connections = (workflow.properties['parameters'] as { $connections: { value: Record<string, { connectionProperties?: unknown }> } }).$connections.value;
    expect(connections['azuresentinel']?.connectionProperties).toEqual({ authentication: { type: 'ManagedServiceIdentity' } });
    const connectionResources = template.resources.filter((r) => r.type === 'Microsoft.Web/connections');
    expect(connectionResources).toHaveLength(3);
    expect(workflow.dependsOn).toHaveLength(3);
  });

  it('e-mails every recipient, texts every number, posts to Teams and comments on the incident after all of them', () => {
    const { definition } = playbook();
    const a = definition.actions;
    expect(a['Send_email']!.inputs).toMatchObject({ method: 'post', path: '/v2/Mail' });
    expect(literalText(a['Send_email']!.inputs.body!['To'] as string)).toBe('soc@contoso.com;identity-team@contoso.com');
    expect(a['Send_SMS']!.inputs.body).toMatchObject({ smsRecipients: [{ to: '+14255550100' }], from: "@parameters('SmsFromNumber')" });
    expect(a['Send_SMS']!.inputs.authentication?.type).toBe('ManagedServiceIdentity');
    const recipient = a['Post_to_Teams']!.inputs.body!['recipient'] as { groupId: string; channelId: string };
    expect(recipient.groupId).toBe('0b9e8f7a-6c5d-4e3b-a2f1-0e9d8c7b6a54');
    expect(literalText(recipient.channelId)).toBe('19:3c0b5f0e8d2a4f6b9e1c7d5a3b2e4f60@thread.tacv2');
    const comment = a['Add_comment_to_incident']!;
    expect(comment.inputs).toMatchObject({ method: 'post', path: '/Incidents/Comment', body: { incidentArmId: "@triggerBody()?['object']?['id']" } });
    for (const action of ['Send_email', 'Send_SMS', 'Post_to_Teams']) expect(comment.runAfter[action]).toEqual(['Succeeded', 'Failed', 'Skipped', 'TimedOut']);
    const message = literalText(comment.inputs.body!['message'] as string);
    expect(message).toContain('Security Operations (soc@contoso.com)');
    expect(message).toContain('SOC on-call +1 ***0100');
    expect(message).not.toContain('4255550100');
  });

  it('leaves Teams and SMS out when the manifest has none', () => {
    const text = content.example.replace(/  sms:\n[\s\S]*?\n  teams:\n[\s\S]*?\n\n/, '\n');
    const { template, definition } = playbook(text);
    expect(Object.keys(definition.actions)).not.toContain('Post_to_Teams');
    expect(Object.keys(definition.actions)).not.toContain('Send_SMS');
    expect(template.resources.filter((r) => r.type === 'Microsoft.Web/connections')).toHaveLength(2);
    expect(Object.keys(definition.actions['Add_comment_to_incident']!.runAfter)).toEqual(['Send_email']);
  });

  it('names the account, the rule, the time, the IP and links the incident in the e-mail', () => {
    const body = playbook().definition.actions['Send_email']!.inputs.body!['Body'] as string;
    const expressions = parseStringValue(body).parts.flatMap((p) => ('source' in p ? [p.source] : []));
    for (const needle of ["body('Account_names')", "outputs('Rule_names')", "['createdTimeUtc']", "body('IP_addresses')", "['incidentUrl']"]) {
      expect(expressions.some((e) => e.includes(needle)), needle).toBe(true);
    }
  });

  it('tells people once per incident, again for alerts added only after the notification window, and fails open', () => {
    const { workflow, definition } = playbook();
    const trigger = definition.triggers['Microsoft_Sentinel_incident'] as unknown as { runtimeConfiguration: unknown };
    // Runs for one incident wait for each other, so a run sees the comment of the one before.
    expect(trigger.runtimeConfiguration).toEqual({ concurrency: { runs: 1 } });
    const read = definition.actions['Incident_comments']! as Action & { inputs: { uri: string; authentication: { type: string; audience: string } } };
    expect(read.inputs.method).toBe('GET');
    expect(read.inputs.uri).toBe(`@{parameters('ResourceManager')}@{triggerBody()?['object']?['id']}/comments?api-version=${SENTINEL_API_VERSION}`);
    expect(read.inputs.authentication).toEqual({ type: 'ManagedServiceIdentity', audience: "@{parameters('ResourceManager')}/" });
    const window = definition.actions['Notifications_in_window']! as Action & { inputs: { where: string } };
    expect(window.inputs.where).toContain(`'${NOTIFIED_MARKER}'`);
    expect(window.inputs.where).toContain(`addMinutes(utcNow(), -${NOTIFY_AGAIN_AFTER_MINUTES})`);
    const gate = definition.actions['Notified_recently']! as Action & { actions: Record<string, { type: string; inputs: unknown }> };
    expect(Object.values(gate.actions)).toEqual([{ type: 'Terminate', inputs: { runStatus: 'Succeeded' }, runAfter: {} }]);
    // Every notification waits for the gate, whatever its outcome: if the comments cannot be read, people are told.
    for (const action of ['Send_email', 'Send_SMS', 'Post_to_Teams']) expect(definition.actions[action]!.runAfter['Notified_recently']).toEqual(['Succeeded', 'Failed', 'Skipped', 'TimedOut']);
    // The comment that records a notification starts with the marker the gate looks for.
    expect(literalText(definition.actions['Add_comment_to_incident']!.inputs.body!['message'] as unknown as string).startsWith(`<p>${NOTIFIED_MARKER}</p>`)).toBe(true);
    // The workflow's Resource Manager endpoint is this cloud's, from ARM's environment().
    expect(JSON.stringify((workflow.properties['parameters'] as Record<string, unknown>)['ResourceManager'])).toContain('environment().resourceManager');
  });

  it('names accounts by their object id (AadUserId) or full UPN, never by the entity Name alone', () => {
    const { definition } = playbook();
    const known = (definition.actions['Break_glass_accounts'] as unknown as { inputs: Record<string, string> }).inputs;
    expect(Object.fromEntries(Object.entries(known).map(([k, v]) => [k, literalText(v)]))).toEqual({ '34bbde15-5585-4333-a9d6-fd1b529ab024': 'bg-emergency-01@contoso.onmicrosoft.com', '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45': 'bg-emergency-02@contoso.onmicrosoft.com' });
    const select = (definition.actions['Account_names']! as Action & { inputs: { select: string } }).inputs.select;
    const expression = parseExpression(select.slice(1));
    expect(expression).toMatchObject({ kind: 'call', name: 'coalesce' });
    // First the manifest's UPN for the aadUserId, then accountName@upnSuffix, then the object id.
    expect(select.indexOf("outputs('Break_glass_accounts')?[toLower(coalesce(item()?['properties']?['aadUserId']")).toBeGreaterThan(0);
    expect(select).toContain("concat(item()?['properties']?['accountName'], '@', item()?['properties']?['upnSuffix'])");
    expect(select).not.toMatch(/coalesce\(item\(\)\?\['properties'\]\?\['friendlyName'\], item\(\)\?\['properties'\]\?\['accountName'\]\)/);
  });

  it('cuts the SMS to one segment when the playbook runs', () => {
    const sms = playbook().definition.actions['Send_SMS']!.inputs.body!['message'] as string;
    const { parts, isExpression } = parseStringValue(sms);
    expect(isExpression).toBe(false);
    expect(parts).toHaveLength(1);
    const expression = parseExpression((parts[0] as { source: string }).source);
    expect(expression).toMatchObject({ kind: 'call', name: 'take', args: [{ kind: 'call', name: 'concat' }, { kind: 'number', value: SMS_MAX_LENGTH }] });
    expect(SMS_MAX_LENGTH).toBeLessThanOrEqual(160);
  });

  it('has only expressions that parse', () => {
    const { workflow } = playbook();
    expect(checkWorkflowExpressions({ properties: workflow.properties }, 'playbook.json')).toEqual([]);
  });
});

describe('Logic App expression checker', () => {
  it.each([
    ["@{triggerBody()?['object'}", "expected ']'"],
    ['@{frobnicate(1)}', "unknown function 'frobnicate'"],
    ["@{concat('a', 'b'}", "expected ',' or ')'"],
    ["text @{'unterminated}", "'@{' is never closed"],
    ['@parameters', 'is not a function call'],
  ])('rejects %s', (value, message) => {
    const findings = checkWorkflowExpressions({ actions: { x: { inputs: value } } }, 'f.json');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain(message);
  });

  it('reads @@ as a literal @ and interpolations inside text', () => {
    expect(parseStringValue('@@{not an expression').parts).toEqual([{ text: '@{not an expression' }]);
    expect(parseStringValue("a @{'b'} c").parts.map((p) => ('text' in p ? p.text : p.source))).toEqual(['a ', "'b'", ' c']);
  });
});

describe('safety: hostile manifest values', () => {
  const hostile = fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.constantFrom("@{triggerBody()}", "'; drop", '@@', '@', '[concat(1)]', '"}', '<script>alert(1)</script>', "O'Brien", '}}{{', '\n\r\t', '😀@{'),
  );

  it('cannot break the JSON, the expressions, the messages or the membership rule (property)', () => {
    const base = content.build().manifest!;
    const rules = content.build().rendered!.rules;
    fc.assert(
      fc.property(hostile, hostile, hostile, (name, address, upn) => {
        const manifest: Manifest = {
          ...base,
          accounts: [{ ...base.accounts[0]!, userPrincipalName: upn }, base.accounts[1]!],
          exclusionGroup: { ...base.exclusionGroup, displayName: name },
          notifications: { ...base.notifications, email: [{ address, name }], sms: [{ countryCode: '1', phoneNumber: '4255550100', name }] },
        };
        const text = armTemplateText(playbookTemplate(manifest, rules, content.playbook));
        const parsed = JSON.parse(text) as Template;
        const workflow = parsed.resources.find((r) => r.type === 'Microsoft.Logic/workflows')!;
        expect(checkWorkflowExpressions({ properties: workflow.properties }, 'p.json')).toEqual([]);
        // Every JSON string that ARM would evaluate is one we meant as an expression.
        const bracketed = text.match(/"\[(?!\[)[^"]*\]"/g) ?? [];
        for (const s of bracketed) expect(s).toMatch(/^"\[(concat|parameters|variables|resourceId|reference|resourceGroup|subscription|if)\(/);
        const definition = workflowDefinition(manifest, rules, content.playbook) as Definition;
        expect(literalText(definition.actions['Send_email']!.inputs.body!['To'] as string)).toBe(address);
        const comment = literalText(definition.actions['Add_comment_to_incident']!.inputs.body!['message'] as string);
        expect(comment).toContain(escapeHtml(`${name} (${address})`));
      }),
      { numRuns: 60 },
    );
  });

  it('logicAppText keeps any text as text', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(literalText(logicAppText(value) || ' ')).toBe(value || ' ');
      }),
    );
  });
});

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');
}
