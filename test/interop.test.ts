import { describe, expect, it, beforeAll } from 'vitest';
import { parse } from 'yaml';
import { SCUBAGEAR_CAP_EXCLUSION_POLICIES } from '../generator/render/interop.js';
import { loadContent, type Content } from './helpers/content.js';

let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

const file = (text: string | undefined, path: string) => content.build(text).files.find((f) => f.path === path)?.content;

describe('render writes out/interop/ for Maester and ScubaGear', () => {
  it("Maester: GlobalSettings.EmergencyAccessAccounts, each account as a User and the group as a Group", () => {
    expect(JSON.parse(file(undefined, 'interop/maester-config.json')!)).toEqual({
      GlobalSettings: {
        EmergencyAccessAccounts: [
          { Type: 'User', Id: '34bbde15-5585-4333-a9d6-fd1b529ab024', UserPrincipalName: 'bg-emergency-01@contoso.onmicrosoft.com' },
          { Type: 'User', Id: '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', UserPrincipalName: 'bg-emergency-02@contoso.onmicrosoft.com' },
          { Type: 'Group', Id: '8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73' },
        ],
      },
    });
  });

  it('ScubaGear: CapExclusions of every policy that honours them and RoleExclusions of MS.AAD.7.4v1', () => {
    const config = parse(file(undefined, 'interop/scubagear-config.yaml')!) as { ProductNames: string[]; Aad: Record<string, { CapExclusions?: { Users: string[]; Groups: string[] }; RoleExclusions?: { Users: string[]; Groups: string[] } }> };
    expect(config.ProductNames).toEqual(['aad']);
    // ScubaGear's CapExclusions policies (docs/configuration/configuration.md): 1.8.0 lists MS.AAD.3.2v1,
    // its main branch MS.AAD.3.2v2 (cisagov/ScubaGear#1972); both are written so either honours the exclusion.
    expect(Object.keys(config.Aad)).toEqual(['MS.AAD.1.1v1', 'MS.AAD.2.1v1', 'MS.AAD.2.3v1', 'MS.AAD.3.1v1', 'MS.AAD.3.2v1', 'MS.AAD.3.2v2', 'MS.AAD.3.6v1', 'MS.AAD.3.7v1', 'MS.AAD.3.8v1', 'MS.AAD.3.9v1', 'MS.AAD.7.4v1']);
    for (const id of SCUBAGEAR_CAP_EXCLUSION_POLICIES) {
      expect(config.Aad[id]).toEqual({ CapExclusions: { Users: ['34bbde15-5585-4333-a9d6-fd1b529ab024', '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45'], Groups: ['8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73'] } });
    }
    expect(config.Aad['MS.AAD.7.4v1']).toEqual({ RoleExclusions: { Users: ['34bbde15-5585-4333-a9d6-fd1b529ab024', '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45'], Groups: [] } });
  });

  it('a group name with a line break or YAML syntax stays inside the comment; the same manifest gives the same bytes', () => {
    const hostile = content.example.replace('displayName: CA-Exclusion-EmergencyAccess', 'displayName: "CA\\nAad: {pwned: true} #"');
    const text = file(hostile, 'interop/scubagear-config.yaml')!;
    expect(Object.keys((parse(text) as { Aad: object }).Aad)).not.toContain('pwned');
    expect(text).toContain('# and the exclusion group CA Aad: {pwned: true} # as approved');
    expect(file(undefined, 'interop/maester-config.json')).toBe(file(undefined, 'interop/maester-config.json'));
    expect(file(undefined, 'interop/scubagear-config.yaml')).toBe(file(undefined, 'interop/scubagear-config.yaml'));
  });
});
