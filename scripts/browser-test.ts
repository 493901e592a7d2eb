// Browser layer: drives the built site in headless Debian Chromium through playwright-core.
// For every sitemap page, in light and dark themes: it loads with no console error, makes no
// request to another origin, and axe-core finds no violation. Then search and keyboard use.
// Usage: node scripts/browser-test.ts [--dist dist] [--base /module-9/]
import { readFileSync } from 'node:fs';
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

/** The quiz island, driven by mouse and by keyboard, with saved progress and exam mode. */
async function checkQuiz(path: string): Promise<void> {
  const { context, problems } = await openContext('light');
  const page = await context.newPage();
  watchConsole(page, problems);
  await page.goto(server.origin + path, { waitUntil: 'load' });
  const quiz = page.locator('m9-quiz');
  const questions = quiz.locator('.m9-q');
  const total = await questions.count();
  const answerOf = async (i: number) => ((await questions.nth(i).getAttribute('data-answer')) ?? '').split(',');
  const score = quiz.locator('.m9-quiz-score');
  const step = (ok: boolean, message: string) => {
    expect(ok, `quiz ${path}: ${message}`);
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} quiz: ${message}`);
  };

  // Mouse: pick the right answer of question 1 and check it.
  const first = questions.nth(0);
  for (const value of await answerOf(0)) await first.locator(`input[value="${value}"]`).click();
  await first.getByRole('button', { name: 'Check answer' }).click();
  step((await first.locator('.m9-feedback').textContent()) === 'Correct.', 'a right answer by mouse says "Correct."');
  step(await first.locator('details').evaluate((d) => (d as HTMLDetailsElement).open), 'the explanation opens after checking');
  step((await score.textContent()) === `Score: 1 of ${total} correct, 1 answered.`, 'the score counts it');

  // Keyboard: choose a wrong option of question 2 and check it with Enter.
  const second = questions.nth(1);
  const right = await answerOf(1);
  const options = await second.locator('input').count();
  const wrong = [...Array(options).keys()].map(String).find((v) => !right.includes(v))!;
  await second.locator(`input[value="${wrong}"]`).focus();
  await page.keyboard.press('Space');
  await second.getByRole('button', { name: 'Check answer' }).focus();
  await page.keyboard.press('Enter');
  step((await second.locator('.m9-feedback').textContent())?.startsWith('Not quite') === true, 'a wrong answer by keyboard says "Not quite"');
  step((await score.textContent()) === `Score: 1 of ${total} correct, 2 answered.`, 'the score counts the wrong answer as answered');

  // Reload: progress comes back from localStorage.
  await page.reload({ waitUntil: 'load' });
  step((await score.textContent()) === `Score: 1 of ${total} correct, 2 answered.`, 'progress survives a reload');
  step(await questions.nth(1).locator(`input[value="${wrong}"]`).isChecked(), 'the chosen option is still selected after reload');

  // Start over clears it.
  await quiz.getByRole('button', { name: 'Start over' }).click();
  step((await score.textContent()) === `Score: 0 of ${total} correct, 0 answered.`, '"Start over" clears answers and score');

  // Exam mode with a 2-second timer: no explanations until the time is up, then a score per topic.
  await quiz.evaluate((el) => el.setAttribute('data-exam-seconds', '2'));
  await quiz.getByRole('button', { name: /Start exam mode/ }).click();
  step(await first.locator('details').isHidden(), 'exam mode hides the explanations');
  for (const value of await answerOf(0)) await first.locator(`input[value="${value}"]`).check();
  const results = quiz.locator('.m9-quiz-results');
  await results.waitFor({ state: 'visible', timeout: 10_000 });
  const text = (await results.textContent()) ?? '';
  step(text.includes('Exam result') && text.includes(`Score: 1 of ${total} correct, ${total} answered.`), 'the timer ends the exam and shows the score');
  step((await results.locator('li').count()) >= 1, 'the result has a score per topic');
  step(await results.evaluate((el) => document.activeElement === el), 'focus moves to the result');
  step(await first.locator('details').isVisible(), 'explanations come back after the exam');
  for (const violation of await runAxe(page)) problems.push(`axe after exam: ${violation}`);
  step(problems.length === 0, `no console errors or axe violations${problems.length ? `: ${problems.join('; ')}` : ''}`);
  await context.close();

  // Without JavaScript: a readable page with every answer in a <details>, and no dead buttons.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(server.origin + path, { waitUntil: 'load' });
  step((await plain.locator('m9-quiz details.m9-answer').count()) === total, 'without JavaScript every question has its answer in <details>');
  step(await plain.locator('.m9-quiz-bar').isHidden(), 'without JavaScript the quiz controls stay hidden');
  step((await plain.locator('button[data-action="check"]:visible').count()) === 0, 'without JavaScript no "Check answer" button shows');
  await noJs.close();
}

try {
  const paths = await readSitemapPaths(args.dist);
  console.log(`browser: ${paths.length} sitemap pages at ${server.root} with ${executablePath}`);
  // Quiz pages are those whose built HTML has the quiz element.
  const quizPaths = paths.filter((p) => readFileSync(`${args.dist}/${p.slice(base.length)}index.html`, 'utf8').includes('<m9-quiz'));
  console.log(`browser: ${quizPaths.length} quiz page(s)${quizPaths.length ? '' : ' (none yet: the quiz checks have nothing to drive)'}`);
  for (const path of paths) {
    for (const scheme of ['light', 'dark'] as const) await checkPage(path, scheme);
  }
  await checkPage(`${base}this-page-does-not-exist/`, 'light', 404);
  // A check that throws (a timeout, a missing element) is a failure with its message, and
  // the remaining checks still run.
  const checks: [string, () => Promise<void>][] = [
    ['search', () => checkSearch()],
    ['keyboard', () => checkKeyboard(paths.find((p) => p !== base) ?? base)],
    ...quizPaths.map((p): [string, () => Promise<void>] => [`quiz ${p}`, () => checkQuiz(p)]),
  ];
  for (const [name, check] of checks) {
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
