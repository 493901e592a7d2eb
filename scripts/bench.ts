// Page-weight bench: builds this site and a bare Starlight site in the same run, with the
// same Astro and Starlight versions and base, and compares what each kind of page ships.
// Usage: npm run bench [-- --no-build] [--write] [--check]
//   --no-build  measure the existing dist/ (built with the same SITE_BASE)
//   --write     put the table into docs/performance.md
//   --check     exit 1 if a text page ships JavaScript of ours (the budget)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addedJs, measurePage, type PageWeight } from './lib/page-weight.ts';
import { siteBase } from '../src/lib/site-env.ts';

const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    base: { type: 'string' },
  },
});
const base = siteBase(args.base ?? process.env.SITE_BASE);
const bareRoot = '.bench/bare';
const astroBin = 'node_modules/astro/bin/astro.mjs';

/** Page kinds we ship, each against the bare Starlight page of the same template. */
const pageKinds = [
  { kind: 'Splash (home)', ours: 'index.html', bare: 'index.html' },
  { kind: 'Text page', ours: 'prerequisites/index.html', bare: 'guide/index.html' },
  { kind: 'Generated index (labs)', ours: 'labs/index.html', bare: 'guide/index.html' },
  { kind: 'Not found (404)', ours: '404.html', bare: '404.html' },
];

function findQuizPage(dist: string): string | null {
  const dir = join(dist, 'certification');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir).sort()) {
    const file = join('certification', name, 'index.html');
    if (existsSync(join(dist, file)) && readFileSync(join(dist, file), 'utf8').includes('<m9-quiz')) return file;
  }
  return null;
}

function build(root: string): void {
  execFileSync(process.execPath, [astroBin, 'build', '--root', root, '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, SITE_BASE: base, ASTRO_TELEMETRY_DISABLED: '1' },
  });
}

/** A bare Starlight site: one splash page and one text page, no customisation at all. */
function writeBareSite(): void {
  rmSync(bareRoot, { recursive: true, force: true });
  mkdirSync(join(bareRoot, 'src/content/docs'), { recursive: true });
  writeFileSync(
    join(bareRoot, 'astro.config.mjs'),
    `import { defineConfig } from 'astro/config';\nimport starlight from '@astrojs/starlight';\n` +
      `export default defineConfig({ site: 'http://localhost:4321', base: ${JSON.stringify(base)}, integrations: [starlight({ title: 'Bare' })] });\n`,
  );
  writeFileSync(
    join(bareRoot, 'src/content.config.ts'),
    `import { defineCollection } from 'astro:content';\nimport { docsLoader } from '@astrojs/starlight/loaders';\n` +
      `import { docsSchema } from '@astrojs/starlight/schema';\n` +
      `export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };\n`,
  );
  writeFileSync(
    join(bareRoot, 'src/content/docs/index.mdx'),
    `---\ntitle: Bare\ntemplate: splash\nhero:\n  tagline: A bare Starlight splash page.\n---\n\nSome text.\n`,
  );
  writeFileSync(
    join(bareRoot, 'src/content/docs/guide.md'),
    // A heading list (table of contents) and a code block (Expressive Code's copy button),
    // the two things Starlight adds JavaScript for on a text page.
    '---\ntitle: Guide\n---\n\n## First\n\nText.\n\n```bash\ndocker stats --no-stream\n```\n\n## Second\n\nMore text.\n',
  );
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

function row(kind: string, ours: PageWeight, bare: PageWeight, oursJs: number): string {
  const t = ours.totals;
  const total = (w: PageWeight, key: 'raw' | 'brotli') => w.totals.html[key] + w.totals.css[key] + w.totals.js[key];
  return `| ${kind} | ${kb(t.html.brotli)} | ${kb(t.css.brotli)} | ${kb(t.js.brotli)} | ${kb(total(ours, 'raw'))} / ${kb(total(ours, 'brotli'))} | ${kb(total(bare, 'raw'))} / ${kb(total(bare, 'brotli'))} | ${oursJs} |`;
}

if (!args['no-build']) {
  console.log('bench: building this site');
  build('.');
}
console.log('bench: building a bare Starlight site for reference');
writeBareSite();
build(bareRoot);

const lines = [
  '| Page kind | HTML (br) | CSS (br) | JS (br) | This page: raw / br | Bare Starlight: raw / br | JS of ours (bytes) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
// The quiz page kind, when a quiz page exists: the first page whose HTML has the quiz element.
const quizPage = findQuizPage('dist');
const kinds = quizPage ? [...pageKinds, { kind: 'Quiz page', ours: quizPage, bare: 'guide/index.html' }] : pageKinds;
/** The quiz island may add this much JavaScript (brotli), all of it inline (no extra request). */
const quizBudgetBrotli = 2048;
const overBudget: string[] = [];
let quizIsland = '';
for (const { kind, ours, bare } of kinds) {
  const oursWeight = measurePage('dist', ours, base);
  const bareWeight = measurePage(join(bareRoot, 'dist'), bare, base);
  const added = addedJs(oursWeight, bareWeight);
  const addedBytes = added.reduce((sum, a) => sum + a.raw, 0);
  lines.push(row(kind, oursWeight, bareWeight, addedBytes));
  if (kind === 'Quiz page') {
    const brotli = added.reduce((sum, a) => sum + a.brotli, 0);
    quizIsland = `Quiz island: ${addedBytes} bytes raw, ${brotli} bytes brotli (budget ${quizBudgetBrotli}), ${added.filter((a) => !a.name.startsWith('inline:')).length} extra request(s).`;
    if (brotli > quizBudgetBrotli) overBudget.push(`${kind} (${ours}): the quiz island is ${brotli} bytes brotli, over its ${quizBudgetBrotli}-byte budget`);
    const external = added.filter((a) => !a.name.startsWith('inline:'));
    if (external.length > 0) overBudget.push(`${kind} (${ours}): the quiz island must be inline, but loads ${external.map((a) => a.name).join(', ')}`);
  } else if (added.length > 0) {
    overBudget.push(`${kind} (${ours}) ships JS that a bare Starlight page does not: ${added.map((a) => a.name).join(', ')}`);
  }
}
const table = lines.join('\n') + (quizIsland ? `\n\n${quizIsland}` : '');
const versions = ['astro', '@astrojs/starlight'].map(
  (name) => `${name} ${JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version}`,
);
console.log(`\nSizes in KiB (br = brotli, quality 11); ${versions.join(', ')}; base ${base}\n\n${table}\n`);

if (args.write) {
  const file = 'docs/performance.md';
  const doc = readFileSync(file, 'utf8');
  const block = `<!-- bench:start -->\nMeasured ${new Date().toISOString().slice(0, 10)} with ${versions.join(', ')}, Node ${process.version}, base \`${base}\`. Sizes in KiB.\n\n${table}\n<!-- bench:end -->`;
  if (!/<!-- bench:start -->[\s\S]*<!-- bench:end -->/.test(doc)) throw new Error(`${file} has no <!-- bench:start --> … <!-- bench:end --> block to update.`);
  writeFileSync(file, doc.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
  console.log(`bench: wrote the table to ${file}`);
}
if (overBudget.length > 0) {
  console.error(`bench: over budget (text pages ship no JavaScript of ours):\n  ${overBudget.join('\n  ')}`);
  if (args.check) process.exit(1);
}
