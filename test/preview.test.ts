import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml } from '../generator/preview/preview-html.js';
import { fillTimeRange } from '../generator/preview/preview-data.js';
import { findChromium, launchChromium } from './helpers/chromium.js';
import { EXAMPLE_MANIFEST, FIXTURES, runCli, tempDir } from './helpers/harness.js';

interface Page {
  code: number;
  stdout: string;
  html: string;
  file: string;
  dir: string;
}

async function preview(manifest: string, extra: string[] = []): Promise<Page> {
  const dir = await tempDir();
  const run = await runCli(['preview', '--manifest', manifest, '--out', dir, ...extra]);
  const file = join(dir, 'preview', 'index.html');
  return { code: run.code, stdout: run.stdout + run.stderr, html: existsSync(file) ? await readFile(file, 'utf8') : '', file, dir };
}

/** The pages several tests look at, made once. */
let examplePage: Promise<Page> | undefined;
const example = () => (examplePage ??= preview(EXAMPLE_MANIFEST));
let hostilePage: Promise<Page> | undefined;
const hostile = () =>
  (hostilePage ??= (async () => {
    const dir = await tempDir();
    const manifest = (await readFile(EXAMPLE_MANIFEST, 'utf8'))
      .replace('displayName: Emergency access 01', 'displayName: "<img src=x onerror=window.pwned=1><script>window.pwned=1</script>"')
      .replace('displayName: CA-Exclusion-EmergencyAccess', 'displayName: "</pre><script>window.pwned=1</script>"');
    await writeFile(join(dir, 'accounts.yaml'), manifest);
    return preview(join(dir, 'accounts.yaml'));
  })());

describe('preview page, as text', () => {
  it('is written for the example, summarised on stdout, and byte-identical on a second run', async () => {
    const first = await example();
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*preview\/index\.html: 7 workbook queries over \d+ test rows and \d+ incidents they raise, 13 rules, \d+ case runs \(all passed or skipped\)$/m);
    const second = await preview(EXAMPLE_MANIFEST);
    expect(second.html).toBe(first.html);
    // Self-contained: no script, no external reference.
    expect(first.html).not.toMatch(/<script|<link|src=|https?:\/\//i);
  });

  it('draws the workbook charts as inline SVG and keeps their numbers in a table under a disclosure', async () => {
    const { html } = await example();
    for (const [name, kind] of [['signins-over-time', 'timechart'], ['signins-by-country', 'barchart'], ['signins-by-app', 'piechart']] as const) {
      const body = html.slice(html.indexOf(`id="wb-${name}"`), html.indexOf('</section>', html.indexOf(`id="wb-${name}"`)));
      expect(body, name).toContain(`<svg class="chart ${kind}"`);
      expect(body, name).toMatch(/<details class="data"><summary>Table \(\d+ rows?\)<\/summary><div class="scroll"><table>/);
    }
    // A table visualisation stays a table, shown.
    const table = html.slice(html.indexOf('id="wb-audit-changes"'), html.indexOf('</section>', html.indexOf('id="wb-audit-changes"')));
    expect(table).not.toContain('<svg');
    expect(table).not.toContain('<details class="data">');
  });

  it('shows times as dates and times, leaves out columns without a value, and opens with a table of contents', async () => {
    const { html } = await example();
    const tables = [...html.matchAll(/<table>[\s\S]*?<\/table>/g)].map((m) => m[0]).join('\n');
    expect(tables).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{7}Z/);
    expect(tables).toMatch(/<td>2026-11-20 \d{2}:\d{2}:\d{2}(\.\d{3})? UTC<\/td>/);
    const incidents = html.slice(html.indexOf('id="wb-incidents"'), html.indexOf('</section>', html.indexOf('id="wb-incidents"')));
    expect(incidents).toMatch(/Columns without a value in any row are not shown: [^.]*ClosedTime/);
    expect(incidents).not.toContain('<th>ClosedTime</th>');
    const toc = html.slice(html.indexOf('<nav class="toc"'), html.indexOf('</nav>', html.indexOf('<nav class="toc"')));
    const links = [...toc.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toEqual(['workbook', 'wb-last-signin', 'wb-signins-over-time', 'wb-signins-by-country', 'wb-signins-by-app', 'wb-signins-by-source', 'wb-audit-changes', 'wb-incidents', 'rules']);
    for (const id of links) expect(html, id).toContain(`id="${id}"`);
    expect(html.indexOf('<nav class="toc"')).toBeLessThan(html.indexOf('<h2 id="workbook">'));
  });

  it('shows the incidents the rules raise over the test rows, each found by the workbook through its rule id', async () => {
    const page = await example();
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
    const page = await hostile();
    expect(page.code, page.stdout).toBe(0);
    expect(page.html).toContain('&lt;img src=x onerror=window.pwned=1&gt;');
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
    // The smallest round bin that keeps the chart to 48 buckets: 5 minutes for an hour.
    expect(fillTimeRange('T | where TimeGenerated {TimeRange} | summarize count() by bin(TimeGenerated, {TimeRange:grain})', from, now)).toBe(
      'T | where TimeGenerated between (datetime(2026-11-20T09:00:00.0000000Z) .. datetime(2026-11-20T10:00:00.0000000Z)) | summarize count() by bin(TimeGenerated, 5m)',
    );
    expect(fillTimeRange('{TimeRange:grain}', from, from + 17 * 60_000)).toBe('1m');
    expect(fillTimeRange('{TimeRange:grain}', from, from + 30 * 86_400_000)).toBe('1d');
  });

  it('renders the markdown the workbook uses, escaped', () => {
    expect(markdownToHtml('## Title <b>\nsome **bold** and *it*\n\nnext')).toBe('<h3>Title &lt;b&gt;</h3>\n<p>some <strong>bold</strong> and <em>it</em></p>\n<p>next</p>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('preview page, in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    // CHROMIUM_PATH, a system Chromium, or the one inside the @sparticuz/chromium package.
    browser = (await launchChromium()).browser;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('opens the page: the workbook sections with results and charts, every rule with its cases, no request beyond the file; takes a screenshot', async () => {
    const page = await example();
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
    expect(await tab.locator('section.wb-query h3').count()).toBe(7);
    // The charts are drawn: one line and a dot per point of each series, a bar per country and
    // number column, a slice per application; each takes real space on the page.
    const timechart = tab.locator('#wb-signins-over-time svg.chart');
    expect(await timechart.locator('g.series').count()).toBe(4);
    expect(await timechart.locator('circle').count()).toBe(Number(/Table \((\d+) rows\)/.exec((await tab.locator('#wb-signins-over-time details.data summary').textContent()) ?? '')?.[1]));
    expect(await tab.locator('#wb-signins-by-country svg.chart rect.bar').count()).toBe(2 * (await tab.locator('#wb-signins-by-country details.data tbody tr').count()));
    expect(await tab.locator('#wb-signins-by-app svg.chart .slice').count()).toBe(await tab.locator('#wb-signins-by-app details.data tbody tr').count());
    for (const chart of await tab.locator('svg.chart').all()) {
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(800);
      expect(box!.height).toBeGreaterThan(150);
    }
    expect((await tab.locator('#wb-signins-by-country svg.chart rect.bar').first().boundingBox())!.width).toBeGreaterThan(100);
    // The numbers behind a chart open on a click.
    const data = tab.locator('#wb-signins-by-app details.data');
    expect(await data.locator('table').isVisible()).toBe(false);
    await data.locator('summary').click();
    expect(await data.locator('table').isVisible()).toBe(true);
    // A wide table scrolls inside its section; the page itself does not.
    const scroll = tab.locator('#wb-audit-changes .scroll');
    expect(await scroll.evaluate((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto')).toBe(true);
    expect(await tab.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    // The last sign-in table: one account signed in within the test rows, the other overdue.
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
    const page = await hostile();
    const tab = await browser.newPage();
    await tab.goto(pathToFileURL(page.file).href);
    // The name is on the page, as text.
    expect(await tab.locator('ul.accounts').textContent()).toContain('(<img src=x onerror=window.pwned=1><script>window.pwned=1</script>)');
    expect(await tab.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await tab.locator('img, script').count()).toBe(0);
    await tab.close();
  }, 60_000);
});

describe('the browser for these tests comes from npm', () => {
  it('with no system Chromium and no CHROMIUM_PATH, the binary inside @sparticuz/chromium is unpacked and launches headless on a closed network', async () => {
    const found = await findChromium({ env: {}, systemPaths: [] });
    expect(found.source).toMatch(/^@sparticuz\/chromium \d+\.\d+\.\d+$/);
    expect(found.path).toContain(join('node_modules', '.cache', 'breakglass-chromium'));
    // A second look finds the unpacked copy instead of unpacking again.
    expect(await findChromium({ env: {}, systemPaths: [] })).toEqual(found);
    const { browser: packaged } = await launchChromium({ env: {}, systemPaths: [] });
    try {
      const tab = await packaged.newPage();
      const requests: string[] = [];
      tab.on('request', (r) => requests.push(r.url()));
      await tab.setContent('<p id="x">drawn</p><svg width="40" height="20"><rect width="40" height="20" fill="#0f2b46"/></svg>');
      expect(await tab.locator('#x').textContent()).toBe('drawn');
      expect(requests).toEqual([]);
    } finally {
      await packaged.close();
    }
  }, 60_000);

  it('a CHROMIUM_PATH that points at nothing is named in the error', async () => {
    await expect(findChromium({ env: { CHROMIUM_PATH: '/nowhere/chromium' } })).rejects.toThrow('CHROMIUM_PATH=/nowhere/chromium is not an executable file');
  });
});
