// Browser layer: drives the built site in headless Debian Chromium through playwright-core.
// For every sitemap page, in light and dark themes: it loads with no console error, makes no
// request to another origin, and axe-core finds no violation. Then search and keyboard use.
// Usage: node scripts/browser-test.ts [--dist dist] [--base /module-9/]
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, findChromium } from './lib/chromium.ts';
import { readSitemapPaths } from './lib/sitemap.ts';
import { startStaticServer } from './lib/static-server.ts';
import { siteBase } from '../src/lib/site-env.ts';

const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const { values: args } = parseArgs({
  options: { dist: { type: 'string', default: 'dist' }, base: { type: 'string' } },
});
const base = siteBase(args.base ?? process.env.SITE_BASE);
const failures: string[] = [];
let checks = 0;

function expect(ok: boolean, message: string): void {
  checks += 1;
  if (!ok) failures.push(message);
}

const executablePath = findChromium();
if (!executablePath) {
  console.error('browser: Chromium not found at /usr/bin/chromium. Install it (apt-get install chromium) or set CHROMIUM_PATH.');
  process.exit(3);
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const server = await startStaticServer(args.dist, base);
const browser: Browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });

/** A context that records console errors and blocks, and records, any request off our origin. */
async function openContext(colorScheme: 'light' | 'dark'): Promise<{ context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  return { context, problems };
}

function watchConsole(page: Page, problems: string[], expected404 = false): void {
  page.on('console', (message) => {
    // The 404 page's own document load is a 404 by design; the browser logs it as an error.
    if (expected404 && message.text().includes('404')) return;
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception: ${error.message}`));
}

async function runAxe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => `${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }, axeTags);
  return violations;
}

async function checkPage(path: string, colorScheme: 'light' | 'dark', status = 200): Promise<void> {
  const { context, problems } = await openContext(colorScheme);
  const page = await context.newPage();
  watchConsole(page, problems, status === 404);
  const response = await page.goto(server.origin + path, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  expect(response?.status() === status, `${path}: HTTP ${response?.status()}, expected ${status}`);
  const title = await page.title();
  expect(title.trim().length > 0, `${path}: empty <title>`);
  for (const violation of await runAxe(page)) problems.push(`axe: ${violation}`);
  expect(problems.length === 0, `${path} [${colorScheme}]:\n    ${problems.join('\n    ')}`);
  console.log(`  ${problems.length === 0 ? 'ok  ' : 'FAIL'} ${path} [${colorScheme}]${problems.map((p) => `\n       ${p}`).join('')}`);
  await context.close();
}

async function checkSearch(): Promise<void> {
  const { context, problems } = await openContext('light');
  const page = await context.newPage();
  watchConsole(page, problems);
  await page.goto(server.root + 'labs/', { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Search' }).first().click();
  const input = page.locator('dialog [role="search"] input').first();
  await input.fill('kind cluster');
  const firstResult = page.locator('dialog a[href]').filter({ hasText: /./ }).first();
  const found = await firstResult.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  const href = found ? await firstResult.getAttribute('href') : null;
  expect(found && href !== null && href.startsWith(base), `search: no result under ${base} for "kind cluster" (first href: ${href})`);
  expect(problems.length === 0, `search: ${problems.join('; ')}`);
  console.log(`  ${found ? 'ok  ' : 'FAIL'} search finds pages (first result ${href})`);
  await context.close();
}

async function checkKeyboard(path: string): Promise<void> {
  const { context } = await openContext('light');
  const page = await context.newPage();
  await page.goto(server.origin + path, { waitUntil: 'load' });
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({
    text: document.activeElement?.textContent?.trim() ?? '',
    href: document.activeElement?.getAttribute('href') ?? '',
  }));
  expect(/skip to content/i.test(first.text), `keyboard: first Tab on ${path} focuses "${first.text}", not the skip link`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const inMain = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));
  expect(inMain, `keyboard: after the skip link, Tab on ${path} does not land in <main>`);
  console.log(`  ${/skip to content/i.test(first.text) && inMain ? 'ok  ' : 'FAIL'} keyboard: skip link reaches the main content on ${path}`);
  await context.close();
}

try {
  const paths = await readSitemapPaths(args.dist);
  console.log(`browser: ${paths.length} sitemap pages at ${server.root} with ${executablePath}`);
  for (const path of paths) {
    for (const scheme of ['light', 'dark'] as const) await checkPage(path, scheme);
  }
  await checkPage(`${base}this-page-does-not-exist/`, 'light', 404);
  // A check that throws (a timeout, a missing element) is a failure with its message, and
  // the remaining checks still run.
  for (const [name, check] of [
    ['search', () => checkSearch()],
    ['keyboard', () => checkKeyboard(paths.find((p) => p !== base) ?? base)],
  ] as const) {
    await check().catch((error: Error) => {
      expect(false, `${name}: ${error.message.split('\n')[0]}`);
      console.log(`  FAIL ${name}: ${error.message.split('\n')[0]}`);
    });
  }
} finally {
  await browser.close();
  await server.close();
}

if (failures.length > 0) {
  console.error(`\nbrowser: ${failures.length} of ${checks} checks failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`browser: ${checks} checks passed`);
