import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/harness.js';

// The package's library entry, used the way a user's project uses it: through package.json
// `exports` (the built dist, as `npm test` builds it first), in a process of its own.
const run = promisify(execFile);

async function inNode(script: string, cwd = ROOT): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd });
  return JSON.parse(stdout) as unknown;
}

describe("import { evaluateQuery } from 'breakglass-sentinel'", () => {
  it('runs a query over the rows given, with JSON-shaped values', async () => {
    const result = await inNode(`
      import { evaluateQuery } from 'breakglass-sentinel';
      const rows = [
        { TimeGenerated: '2026-11-20T09:58:12.4310000Z', UserPrincipalName: 'bg1@contoso.com', ResultType: '0', IPAddress: '203.0.113.7' },
        { TimeGenerated: '2026-11-20T09:59:00Z', UserPrincipalName: 'alice@contoso.com', ResultType: '50126', IPAddress: '198.51.100.1' },
      ];
      const result = await evaluateQuery(
        'SigninLogs | where ResultType == "0" | extend Age = now() - TimeGenerated | project TimeGenerated, UserPrincipalName, Age, Big = 9007199254740993',
        { tables: { SigninLogs: rows }, now: '2026-11-20T10:00:00Z' },
      );
      console.log(JSON.stringify(result));`);
    expect(result).toEqual({
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'UserPrincipalName', type: 'string' },
        { name: 'Age', type: 'timespan' },
        { name: 'Big', type: 'long' },
      ],
      rows: [['2026-11-20T09:58:12.4310000Z', 'bg1@contoso.com', '00:01:47.5690000', '9007199254740993']],
    });
  });

  it('reads a table the shipped schema lacks when its columns are declared (schemas)', async () => {
    const result = await inNode(`
      import { evaluateQuery } from 'breakglass-sentinel';
      const schemas = { IdentityInfo: [{ name: 'AccountUPN', type: 'string' }, { name: 'AssignedRoles', type: 'dynamic' }] };
      const rows = [{ AccountUPN: 'bg1@contoso.com', AssignedRoles: '["Global Administrator"]' }];
      const result = await evaluateQuery('IdentityInfo | mv-expand Role = AssignedRoles to typeof(string) | project AccountUPN, Role', { tables: { IdentityInfo: rows }, schemas });
      console.log(JSON.stringify(result.rows));`);
    expect(result).toEqual([['bg1@contoso.com', 'Global Administrator']]);
  });

  it("refuses what the engine does not implement with code 'unsupported', naming it", async () => {
    const error = (await inNode(`
      import { evaluateQuery } from 'breakglass-sentinel';
      try { await evaluateQuery('print x = 1 | evaluate sql_request("x", "y")'); console.log('null'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`)) as Record<string, string>;
    expect(error).toMatchObject({ name: 'EvaluationError', code: 'unsupported' });
    expect(error['message']).toMatch(/sql_request/);
  });

  it("refuses an invalid query with code 'invalid' and Kusto's diagnostics", async () => {
    const error = (await inNode(`
      import { evaluateQuery } from 'breakglass-sentinel';
      try { await evaluateQuery('SigninLogs | where NoSuchColumn == 1'); console.log('null'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, diagnostics: e.diagnostics })); }`)) as { code: string; diagnostics: { code: string; message: string; line: number; column: number }[] };
    expect(error.code).toBe('invalid');
    expect(error.diagnostics[0]).toMatchObject({ line: 1, column: 20 });
    expect(error.diagnostics[0]!.message).toMatch(/NoSuchColumn/);
  });

  it('type-checks in a TypeScript project of its own (the typings name no Kusto.Language type)', async () => {
    const project = await tempDir('breakglass-consumer-');
    await mkdir(join(project, 'node_modules'));
    await symlink(ROOT, join(project, 'node_modules', 'breakglass-sentinel'), 'dir');
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['rule.test.ts'] }),
    );
    await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      join(project, 'rule.test.ts'),
      [
        "import { evaluateQuery, EvaluationError, type QueryResult } from 'breakglass-sentinel';",
        "const result: QueryResult = await evaluateQuery('print x = 1', { tables: { SigninLogs: [] }, now: new Date(0) });",
        'const first: unknown = result.rows[0]?.[0];',
        "const code: 'unsupported' | 'invalid' | 'internal' = new EvaluationError('x').code;",
        'export { first, code };',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '-p', project], { cwd: project })).resolves.toBeDefined();
  });
});
