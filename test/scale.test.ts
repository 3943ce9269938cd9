/**
 * Size without surprises: a manifest of thousands of accounts validates in time linear in the
 * accounts, and what a service would refuse for its size is not written, with a notice saying why.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOG_ALERT_PROPERTIES_BYTES, oversizedAlertRules } from '../generator/render/azure-monitor-alerts.js';
import { kustoLanguage } from '../generator/validate/kusto-runtime.js';
import { loadContent, type Content } from './helpers/content.js';

let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

function withAccounts(count: number): string {
  const accounts = Array.from({ length: count }, (_, i) => `  - objectId: 00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}\n    userPrincipalName: bg-${i}@contoso.onmicrosoft.com\n    kind: global-admin\n`).join('');
  return content.example.replace(/accounts:\n[\s\S]*?\n\n/, `accounts:\n${accounts}\n`);
}

interface BridgeStringBuilder {
  append(value: string, count?: number): BridgeStringBuilder;
  insert(index: number, value: string): BridgeStringBuilder;
  remove(start: number, length: number): BridgeStringBuilder;
  replace(oldValue: string, newValue: string): BridgeStringBuilder;
  clear(): BridgeStringBuilder;
  setLength(length: number): void;
  getLength(): number;
  toString(): string;
}

describe("Kusto.Language's string builder, with its length kept as a running sum", () => {
  it('answers the same length as the text it holds, after any sequence of its operations (property)', () => {
    kustoLanguage();
    const StringBuilder = (globalThis as unknown as { System: { Text: { StringBuilder: new () => BridgeStringBuilder } } }).System.Text.StringBuilder;
    const text = fc.string({ maxLength: 6 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), value: text }),
      fc.record({ kind: fc.constant('repeat' as const), value: fc.string({ minLength: 1, maxLength: 1 }), count: fc.nat(4) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(40), value: text }),
      fc.record({ kind: fc.constant('remove' as const), at: fc.nat(40), length: fc.nat(5) }),
      // The bridge's replace reads its first argument as a regular expression: letters only here.
      fc.record({ kind: fc.constant('replace' as const), from: fc.stringMatching(/^[a-z]{1,2}$/), to: fc.stringMatching(/^[a-z]{0,3}$/) }),
      fc.record({ kind: fc.constant('setLength' as const), length: fc.nat(30) }),
      fc.record({ kind: fc.constant('clear' as const) }),
      fc.record({ kind: fc.constant('toString' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const builder = new StringBuilder();
        let model = '';
        for (const o of ops) {
          switch (o.kind) {
            case 'append':
              builder.append(o.value);
              model += o.value;
              break;
            case 'repeat':
              builder.append(o.value, o.count);
              model += o.value.repeat(o.count);
              break;
            case 'insert': {
              const at = Math.min(o.at, model.length);
              builder.insert(at, o.value);
              model = model.slice(0, at) + o.value + model.slice(at);
              break;
            }
            case 'remove': {
              const at = Math.min(o.at, model.length);
              const length = Math.min(o.length, model.length - at);
              builder.remove(at, length);
              model = model.slice(0, at) + model.slice(at + length);
              break;
            }
            case 'replace':
              builder.replace(o.from, o.to);
              model = model.split(o.from).join(o.to);
              break;
            case 'setLength':
              builder.setLength(o.length);
              model = o.length <= model.length ? model.slice(0, o.length) : model + '\0'.repeat(o.length - model.length);
              break;
            case 'clear':
              builder.clear();
              model = '';
              break;
            case 'toString':
              expect(builder.toString()).toBe(model);
              break;
          }
          expect(builder.getLength()).toBe(model.length);
        }
        expect(builder.toString()).toBe(model);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a manifest of a thousand accounts', () => {
  it('validates, reads the accounts from the watchlist, and leaves out the Azure Monitor alerts that service would refuse, saying so', () => {
    const result = content.build(withAccounts(1000));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.rendered?.accountSource).toBe('watchlist');
    const notice = result.findings.find((f) => f.code === 'render/azure-monitor-too-large');
    expect(notice).toMatchObject({ severity: 'notice', path: 'accounts' });
    const rules = content.catalog.rules.length;
    expect(notice?.message).toMatch(new RegExp(`^azure-monitor/alerts\\.json is not written: with 1000 accounts written into each query, Azure Monitor would refuse ${rules} of its log alert rules \\([a-z-]+: its properties are \\d+ KB \\(the limit is 64 KB\\)`));
    expect(result.files.map((f) => f.path)).not.toContain('azure-monitor/alerts.json');
    expect(result.files.map((f) => f.path)).toContain('arm/watchlist.json');
  });

  it('fifty accounts keep every Azure Monitor alert within its 64 KB', () => {
    const result = content.build(withAccounts(50));
    const file = result.files.find((f) => f.path === 'azure-monitor/alerts.json');
    expect(file).toBeDefined();
    const template = JSON.parse(file!.content) as { resources: { type: string; properties: unknown }[] };
    const alerts = template.resources.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    // One log alert per rule of the catalog.
    expect(alerts).toHaveLength(content.catalog.rules.length);
    for (const alert of alerts) expect(Buffer.byteLength(JSON.stringify(alert.properties))).toBeLessThanOrEqual(MAX_LOG_ALERT_PROPERTIES_BYTES);
    expect(oversizedAlertRules(template as never)).toEqual([]);
  });

  it('a description past 4,096 characters is refused too', () => {
    const template = { resources: [{ type: 'Microsoft.Insights/scheduledQueryRules', name: 'breakglass-x', properties: { description: 'd'.repeat(4097) } }] };
    expect(oversizedAlertRules(template)).toEqual([{ ruleId: 'x', what: 'its description is 4097 characters (the limit is 4096)' }]);
  });
});
