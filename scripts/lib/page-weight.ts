// Measures what a built page ships: its HTML, the CSS and JS it loads (following static
// `import` statements between JS modules), raw and brotli-compressed. Scripts loaded only on
// demand (dynamic import(), e.g. Pagefind when search opens) are not part of the first load
// and are not counted.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { brotliCompressSync } from 'node:zlib';

export interface Asset {
  kind: 'html' | 'css' | 'js';
  /** File path relative to dist, or `inline:<n>` for an inline script or style. */
  name: string;
  raw: number;
  brotli: number;
  /** sha256 of the content: the same code has the same hash in any build. */
  hash: string;
}

export interface PageWeight {
  assets: Asset[];
  totals: Record<Asset['kind'], { raw: number; brotli: number }>;
}

function measure(kind: Asset['kind'], name: string, content: Buffer | string): Asset {
  const buffer = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    kind,
    name,
    raw: buffer.length,
    brotli: brotliCompressSync(buffer).length,
    hash: createHash('sha256').update(buffer).digest('hex'),
  };
}

/** Relative `./x.js` imports of a JS module, static ones only. */
export function staticImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) found.add(m[1]!);
  for (const m of code.matchAll(/(?:^|[;}\s])export\s*[\w*{}\s,$]*from\s*["'](\.{1,2}\/[^"']+)["']/g)) found.add(m[1]!);
  return [...found];
}

/** Turns a URL path from the HTML (`/base/_astro/x.js`) into a path relative to dist. */
function toDistPath(url: string, base: string): string | null {
  if (/^[a-z]+:/i.test(url) || url.startsWith('//')) return null;
  const prefix = base.endsWith('/') ? base : `${base}/`;
  if (!url.startsWith(prefix)) return null;
  return url.slice(prefix.length).split(/[?#]/)[0]!;
}

export function measurePage(distDir: string, htmlFile: string, base: string): PageWeight {
  const html = readFileSync(join(distDir, htmlFile), 'utf8');
  const assets: Asset[] = [measure('html', htmlFile, html)];
  const seen = new Set<string>();

  const addModule = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(distDir, file));
    assets.push(measure('js', file, code));
    for (const spec of staticImports(code.toString('utf8'))) addModule(posix.normalize(posix.join(dirname(file), spec)));
  };

  let inline = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attrs = m[1]!;
    if (/type=["']?application\/(ld\+)?json/.test(attrs)) continue;
    const src = /\bsrc=["']?([^"'\s>]+)/.exec(attrs)?.[1];
    if (src) {
      const file = toDistPath(src, base);
      if (file) addModule(file);
    } else if (m[2]!.trim()) {
      assets.push(measure('js', `inline:${inline++}`, m[2]!));
      for (const spec of staticImports(m[2]!)) {
        const file = toDistPath(spec, base);
        if (file) addModule(file);
      }
    }
  }
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    const href = /\bhref=["']?([^"'\s>]+)/.exec(tag)?.[1];
    const file = href ? toDistPath(href, base) : null;
    if (!file) continue;
    if (/rel=["']?stylesheet/.test(tag)) {
      if (!seen.has(file)) {
        seen.add(file);
        assets.push(measure('css', file, readFileSync(join(distDir, file))));
      }
    } else if (/rel=["']?modulepreload/.test(tag)) addModule(file);
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) assets.push(measure('css', `inline:${inline++}`, m[1]!));

  const totals = { html: { raw: 0, brotli: 0 }, css: { raw: 0, brotli: 0 }, js: { raw: 0, brotli: 0 } };
  for (const asset of assets) {
    totals[asset.kind].raw += asset.raw;
    totals[asset.kind].brotli += asset.brotli;
  }
  return { assets, totals };
}

/** JS in `page` whose content is not in `reference` (a bare Starlight page): the JS our code adds. */
export function addedJs(page: PageWeight, reference: PageWeight): Asset[] {
  const known = new Set(reference.assets.filter((a) => a.kind === 'js').map((a) => a.hash));
  return page.assets.filter((a) => a.kind === 'js' && !known.has(a.hash));
}
