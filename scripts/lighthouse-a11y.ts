// Lighthouse accessibility audit, one page of each kind, on the built site: the score must be
// 100. axe-core (scripts/browser-test.ts) checks every page; Lighthouse adds its own audits and
// is the number readers and reviewers know. Runs Debian's Chromium; never downloads a browser.
// Usage: node scripts/lighthouse-a11y.ts [--dist dist] [--base /module-9/]
import { parseArgs } from 'node:util';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromiumArgs, findChromium } from './lib/chromium.ts';
import { startStaticServer } from './lib/static-server.ts';
import { siteBase } from '../src/lib/site-env.ts';

const { values: args } = parseArgs({
  options: { dist: { type: 'string', default: 'dist' }, base: { type: 'string' } },
});
const base = siteBase(args.base ?? process.env.SITE_BASE);

/** One page per page kind; the bench measures the same set. */
const allPageKinds = [
  { kind: 'splash (home)', path: '' },
  { kind: 'text page', path: 'prerequisites/' },
  { kind: 'generated index (labs)', path: 'labs/' },
  { kind: 'lab page', path: 'labs/lab-2-resource-optimization/' },
  { kind: 'quiz page', path: 'certification/cka/' },
  { kind: 'notebook page', path: 'notebooks/cgroup-usage/' },
  // Lighthouse does not audit a response with an error status, so audit the 404 page's own file.
  { kind: 'not found (404)', path: '404.html' },
];
// A page kind whose page is not in this build (e.g. a renamed lab) is reported, not skipped silently.
const pageKinds = allPageKinds.filter(({ kind, path }) => {
  const file = join(args.dist, path.endsWith('.html') ? path : `${path}index.html`);
  if (!existsSync(file)) console.log(`  MISS ${kind}: ${file} is not in this build; update scripts/lighthouse-a11y.ts`);
  return existsSync(file);
});
if (pageKinds.length < allPageKinds.length) process.exitCode = 1;

const chromePath = findChromium();
if (!chromePath) {
  console.error('lighthouse: Chromium not found at /usr/bin/chromium. Install it (apt-get install chromium) or set CHROMIUM_PATH.');
  process.exit(3);
}

const server = await startStaticServer(args.dist, base);
const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: chromiumArgs,
  userDataDir: mkdtempSync(join(tmpdir(), 'module9-lighthouse-')),
  logLevel: 'error',
});
const failures: string[] = [];
try {
  for (const { kind, path } of pageKinds) {
    const url = server.root + path;
    const result = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: ['accessibility'],
      logLevel: 'error',
      output: 'json',
    });
    const category = result?.lhr.categories.accessibility;
    const score = category?.score === null || category?.score === undefined ? null : Math.round(category.score * 100);
    const failed = Object.values(result?.lhr.audits ?? {})
      .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === 'binary')
      .map((audit) => `${audit.id} (${audit.title})`);
    console.log(`  ${score === 100 ? 'ok  ' : 'FAIL'} ${kind}: accessibility ${score} at ${url}${failed.map((f) => `\n       ${f}`).join('')}`);
    if (score !== 100) failures.push(`${kind} (${url}): accessibility ${score}; failing audits: ${failed.join(', ') || 'none reported'}`);
  }
} finally {
  chrome.kill();
  await server.close();
}

if (failures.length > 0) {
  console.error(`lighthouse: ${failures.length} page kind(s) below 100:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`lighthouse: accessibility 100 on all ${pageKinds.length} page kinds`);
