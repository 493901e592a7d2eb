// Reads the page list from the built sitemap (what search engines, and our tests, see).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function extractLocs(xml: string): string[] {
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]!.trim());
}

/** Every page URL in `dist/sitemap-index.xml` and the sitemaps it lists, as paths (`/base/x/`). */
export async function readSitemapPaths(distDir: string): Promise<string[]> {
  const indexFile = join(distDir, 'sitemap-index.xml');
  const index = await readFile(indexFile, 'utf8').catch(() => {
    throw new Error(`${indexFile} not found. Set "site" in astro.config.mjs and rebuild: npm run build`);
  });
  const paths: string[] = [];
  for (const sitemapUrl of extractLocs(index)) {
    const name = new URL(sitemapUrl).pathname.split('/').at(-1)!;
    const xml = await readFile(join(distDir, name), 'utf8');
    for (const loc of extractLocs(xml)) paths.push(new URL(loc).pathname);
  }
  if (paths.length === 0) throw new Error(`${indexFile} lists no pages; the build is incomplete.`);
  return paths;
}
