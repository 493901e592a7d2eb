// `npm test`: every test layer that can run on this machine, one summary line each.
// Usage: npm test [-- --only static,unit]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findChromium } from './lib/chromium.ts';
import { loadLabMetas } from './lib/lab-metas.ts';
import { run, runLayers, summarize, type Layer } from './lib/layers.ts';
import { imageRef, localMirror } from '../labs/lib/images.ts';

const layerNames = ['static', 'unit', 'browser', 'budgets', 'docker E2E', 'notebooks', 'kind E2E'];
const { values: args } = parseArgs({ options: { only: { type: 'string' } } });
const only = args.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !layerNames.includes(name));
if (unknown?.length) {
  console.error(`Unknown layer "${unknown.join(', ')}". Layers: ${layerNames.join(', ')}.`);
  process.exit(2);
}

// The tests build the site under a sub-path, the harder of the two ways it is deployed: a
// link that forgets the base fails here rather than on GitHub Pages.
const testBase = '/module-9/';
const bin = (name: string) => `node_modules/.bin/${name}`;
const node = process.execPath;

function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Why the Docker layers cannot run here, or null when an engine answers. */
function dockerUnavailable(): string | null {
  if (!commandWorks('docker', ['version', '--format', '{{.Client.Version}}'])) return 'docker not found (apt-get install docker.io, or Docker Desktop)';
  if (!commandWorks('docker', ['info'])) return 'Docker engine not reachable (start dockerd, or Docker Desktop)';
  return null;
}

let imagesEnv: Record<string, string> | undefined;
/**
 * With no registry to pull from (our CI), build the lab images locally once and run labs and
 * notebooks through the same mirror override a learner would use.
 */
async function labImagesEnv(): Promise<Record<string, string>> {
  if (imagesEnv) return imagesEnv;
  imagesEnv = {};
  if (!process.env.LAB_IMAGE_MIRROR && !commandWorks('docker', ['pull', '-q', imageRef('busybox', '')])) {
    imagesEnv.LAB_IMAGE_MIRROR = localMirror;
    await run(node, ['scripts/lab.ts', 'images', 'local'], imagesEnv);
  }
  return imagesEnv;
}

function labsWithTarget(target: 'docker' | 'kind'): number {
  return loadLabMetas().filter((lab) => lab.targets.includes(target)).length;
}

const layers: Layer[] = [
  {
    name: 'static',
    run: async () => {
      await run(bin('astro'), ['check'], { ASTRO_TELEMETRY_DISABLED: '1' });
      await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.tools.json']);
      await run(bin('markdownlint-cli2'), []);
      await run(node, ['scripts/check-labs.ts']);
      await run(node, ['scripts/check-quizzes.ts']);
      await run(bin('astro'), ['build'], { SITE_BASE: testBase, ASTRO_TELEMETRY_DISABLED: '1' });
      return 'astro check, tsc, markdownlint, lab metadata, quiz data, build with link validation';
    },
  },
  { name: 'unit', run: () => run(bin('vitest'), ['run']) },
  {
    name: 'browser',
    skipReason: () =>
      findChromium() ? null : 'Chromium not found at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)',
    run: async () => {
      await run(node, ['scripts/browser-test.ts', '--base', testBase]);
      await run(node, ['scripts/lighthouse-a11y.ts', '--base', testBase]);
      return 'axe on every page, Lighthouse accessibility 100 per page kind, search, keyboard';
    },
  },
  {
    name: 'budgets',
    run: async () => {
      await run(node, ['scripts/bench.ts', '--no-build', '--check', '--base', testBase]);
      return 'no text page ships JavaScript of ours';
    },
  },
  {
    name: 'docker E2E',
    skipReason: () => {
      const docker = dockerUnavailable();
      if (docker) return docker;
      if (labsWithTarget('docker') === 0) return 'no lab has docker steps yet (labs/*/meta.json)';
      return null;
    },
    run: async () => {
      // With no registry to pull from (our CI), build the images locally and run the labs
      // through the same mirror override a learner would use.
      const env = await labImagesEnv();
      const skipsFile = join(mkdtempSync(join(tmpdir(), 'module9-skips-')), 'skips.txt');
      writeFileSync(skipsFile, '');
      await run(node, ['scripts/lab.ts', 'test', '--all', '--target', 'docker'], { ...env, LAB_TEST_SKIPS: skipsFile });
      await run(node, ['scripts/lab-interrupt.ts'], env);
      const how = env.LAB_IMAGE_MIRROR === localMirror ? `images built locally as ${localMirror}/* (no registry reachable)` : `images from ${process.env.LAB_IMAGE_MIRROR ?? 'their upstream registries'}`;
      const skipped = readFileSync(skipsFile, 'utf8').split('\n').filter(Boolean);
      const skippedText = skipped.length === 0 ? '' : `; ${skipped.length} step(s) skipped:\n${skipped.map((line) => `      skipped: ${line}`).join('\n')}`;
      return `every docker step that can run here proved solvable twice; Ctrl-C during start cleans up; ${how}${skippedText}`;
    },
  },
  {
    name: 'notebooks',
    skipReason: () => dockerUnavailable(),
    run: async () => {
      await run(node, ['scripts/notebooks.ts'], await labImagesEnv());
      return 'every notebook ran and met its expectations';
    },
  },
  {
    name: 'kind E2E',
    skipReason: () => {
      if (!commandWorks('kind', ['version'])) return 'kind not found (install kind to run it here)';
      if (labsWithTarget('kind') === 0) return 'no lab has kind steps yet (labs/*/meta.json)';
      return null;
    },
    run: () => run(node, ['scripts/lab.ts', 'test', '--all', '--target', 'kind']),
  },
];

const selected = only ? layers.filter((layer) => only.includes(layer.name)) : layers;
const started = performance.now();
const results = await runLayers(selected);
console.log(`\n${'-'.repeat(60)}`);
for (const line of summarize(results)) console.log(line);
console.log(`total: ${Math.round((performance.now() - started) / 1000)}s`);
process.exit(results.some((r) => r.status === 'failed') ? 1 : 0);
