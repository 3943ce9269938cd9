import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml } from '../generator/preview/preview-html.js';
import { fillTimeRange } from '../generator/preview/preview-data.js';
import { EXAMPLE_MANIFEST, FIXTURES, runCli, tempDir } from './helpers/harness.js';

// Debian's chromium; .ci/run installs it when it is missing.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

async function preview(manifest: string, extra: string[] = []): Promise<{ code: number; stdout: string; html: string; file: string; dir: string }> {
  const dir = await tempDir();
  const run = await runCli(['preview', '--manifest', manifest, '--out', dir, ...extra]);
  const file = join(dir, 'preview', 'index.html');
  return { code: run.code, stdout: run.stdout + run.stderr, html: existsSync(file) ? await readFile(file, 'utf8') : '', file, dir };
}

describe('preview page, as text', () => {
  it('is written for the example, summarised on stdout, and byte-identical on a second run', async () => {
    const first = await preview(EXAMPLE_MANIFEST);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*preview\/index\.html: 5 workbook queries over \d+ test rows and \d+ incidents they raise, 13 rules, \d+ case runs \(all passed or skipped\)$/m);
    const second = await preview(EXAMPLE_MANIFEST);
    expect(second.html).toBe(first.html);
    // Self-contained: no script, no external reference.
    expect(first.html).not.toMatch(/<script|<link|src=|https?:\/\//i);
  });

  it('shows the incidents the rules raise over the test rows, each found by the workbook through its rule id', async () => {
    const page = await preview(EXAMPLE_MANIFEST);
    const raised = Number(/and (\d+) incidents they raise/.exec(page.stdout)?.[1]);
    expect(raised).toBeGreaterThan(5);
    const section = page.html.slice(page.html.indexOf('id="wb-incidents"'));
    const body = section.slice(0, section.indexOf('</section>'));
    // Every simulated incident passed the workbook's filter on our rules' ids.
    expect(body).toContain(`${raised} rows`);
    expect((body.match(/<tr>/g) ?? []).length - 1).toBe(Math.min(raised, 50));
    // Titles are the rules' alert titles with the alert's values, e.g. the sign-in rule's.
    expect(body).toMatch(/Break-glass account bg-emergency-0[12]@contoso\.onmicrosoft\.com signed in from [0-9.]+/);
    expect(body).not.toContain('{{');
  });

  it('escapes every manifest value: a hostile display name stays text', async () => {
    const dir = await tempDir();
    const manifest = (await readFile(EXAMPLE_MANIFEST, 'utf8'))
      .replace('displayName: Emergency access 01', 'displayName: "<img src=x onerror=alert(1)>"')
      .replace('displayName: CA-Exclusion-EmergencyAccess', 'displayName: "</pre><script>window.pwned=1</script>"');
    await writeFile(join(dir, 'accounts.yaml'), manifest);
    const page = await preview(join(dir, 'accounts.yaml'));
    expect(page.code, page.stdout).toBe(0);
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<script');
  });

  it('shows a failing case of a user rule and exits 1, with the page still written', async () => {
    const dir = await tempDir();
    const rule = await readFile(join(FIXTURES, 'rules-good', 'demo-signin.yaml'), 'utf8');
    await writeFile(
      join(dir, 'demo-signin.yaml'),
      `${rule.trimEnd()}\ntests:\n  - name: a case that cannot hold\n    rows:\n      SigninLogs:\n        - { TimeGenerated: 2026-11-20T10:00:00Z, UserPrincipalName: nobody@contoso.com, ResultType: "0" }\n    expect:\n      fires: true\n`,
    );
    const page = await preview(EXAMPLE_MANIFEST, ['--rules', dir]);
    expect(page.code).toBe(1);
    expect(page.stdout).toContain('(2 failed)');
    expect(page.html).toMatch(/<section class="rule" id="rule-demo-signin">\n<h3>[^<]*<span class="badge failed">2 failed<\/span>/);
    expect(page.html).toContain('expected the rule to fire; it returned 0 rows and stayed silent');
  });

  it('fills the workbook time range so it covers the test rows', () => {
    const from = Date.parse('2026-11-20T09:00:00Z');
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(fillTimeRange('T | where TimeGenerated {TimeRange} | summarize count() by bin(TimeGenerated, {TimeRange:grain})', from, now)).toBe(
      'T | where TimeGenerated between (datetime(2026-11-20T09:00:00.0000000Z) .. datetime(2026-11-20T10:00:00.0000000Z)) | summarize count() by bin(TimeGenerated, 1h)',
    );
  });

  it('renders the markdown the workbook uses, escaped', () => {
    expect(markdownToHtml('## Title <b>\nsome **bold** and *it*\n\nnext')).toBe('<h3>Title &lt;b&gt;</h3>\n<p>some <strong>bold</strong> and <em>it</em></p>\n<p>next</p>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('preview page, in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does), or set CHROMIUM_PATH`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Flags for a closed network: without them Chromium keeps trying to reach its own services.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('opens the page: the workbook sections with results, every rule with its cases, no request beyond the file; takes a screenshot', async () => {
    const page = await preview(EXAMPLE_MANIFEST);
    expect(page.code, page.stdout).toBe(0);
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const url = pathToFileURL(page.file).href;
    await tab.goto(url);
    expect(await tab.title()).toBe('Break-glass preview: Break-glass accounts');
    expect(await tab.locator('h2').allTextContents()).toEqual(['Workbook: Break-glass accounts', 'Analytics rules']);
    expect(await tab.locator('section.wb-query h3').count()).toBe(5);
    // The last test table: one account signed in interactively within the test rows, the other never: it comes first, flagged.
    const lastSignIn = tab.locator('#wb-last-signin tbody tr');
    expect(await lastSignIn.count()).toBe(2);
    expect(await tab.locator('#wb-last-signin td.overdue').allTextContents()).toEqual(['Never tested']);
    expect(await tab.locator('#wb-audit-changes tbody tr').count()).toBeGreaterThan(5);
    expect(await tab.locator('#wb-incidents tbody tr').count()).toBeGreaterThan(5);
    expect(await tab.locator('section.rule').count()).toBe(13);
    expect(await tab.locator('section.rule .badge.failed').count()).toBe(0);
    // Collapsed query text opens on a click.
    const details = tab.locator('#rule-signin-success details');
    expect(await details.locator('pre').isVisible()).toBe(false);
    await details.locator('summary').click();
    expect(await details.locator('pre').textContent()).toContain('SigninLogs');
    expect(await details.locator('pre').isVisible()).toBe(true);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    const screenshot = await tab.screenshot({ path: join(page.dir, 'preview.png'), fullPage: true });
    // A PNG, as tall as the whole page (far more than one viewport).
    expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
    expect(screenshot.readUInt32BE(16)).toBe(1280);
    expect(screenshot.readUInt32BE(20)).toBeGreaterThan(3000);
    await tab.close();
  }, 60_000);

  it('runs nothing from a hostile manifest', async () => {
    const dir = await tempDir();
    const manifest = (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('displayName: Emergency access 01', 'displayName: "<img src=x onerror=window.pwned=1><script>window.pwned=1</script>"');
    await writeFile(join(dir, 'accounts.yaml'), manifest);
    const page = await preview(join(dir, 'accounts.yaml'));
    const tab = await browser.newPage();
    await tab.goto(pathToFileURL(page.file).href);
    // The name is on the page, as text.
    expect(await tab.locator('ul.accounts').textContent()).toContain('(<img src=x onerror=window.pwned=1><script>window.pwned=1</script>)');
    expect(await tab.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await tab.locator('img, script').count()).toBe(0);
    await tab.close();
  }, 60_000);
});
