import type { Finding } from '../findings.js';

const LEVEL = { error: 'error', warning: 'warning', notice: 'note' } as const;

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string; shortDescription: { text: string } }[] } };
    results: {
      ruleId: string;
      level: (typeof LEVEL)[keyof typeof LEVEL];
      message: { text: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }[];
    }[];
  }[];
}

/** SARIF 2.1.0, so CI (e.g. GitHub code scanning) annotates the template or manifest line. */
export function sarifReport(findings: readonly Finding[], version: string): SarifLog {
  const ruleIds = [...new Set(findings.map((f) => f.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'breakglass-sentinel',
            version,
            informationUri: 'https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access',
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: id } })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          level: LEVEL[f.severity],
          message: { text: f.hint ? `${f.message}\nFix: ${f.hint}` : f.message },
          ...(f.location
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: f.location.file.split('\\').join('/') },
                      ...(f.location.line !== undefined
                        ? { region: { startLine: f.location.line, ...(f.location.column !== undefined ? { startColumn: f.location.column } : {}) } }
                        : {}),
                    },
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
