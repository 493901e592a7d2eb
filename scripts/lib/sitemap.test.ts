import { describe, expect, it } from 'vitest';
import { extractLocs, readSitemapPaths } from './sitemap.ts';
import { makeTree } from './tmp.ts';

describe('readSitemapPaths', () => {
  it('follows the sitemap index to every page path', async () => {
    const dist = makeTree({
      'sitemap-index.xml': '<sitemapindex><sitemap><loc>https://x.github.io/m9/sitemap-0.xml</loc></sitemap></sitemapindex>',
      'sitemap-0.xml': '<urlset><url><loc>https://x.github.io/m9/</loc></url><url><loc>https://x.github.io/m9/labs/</loc></url></urlset>',
    });
    expect(await readSitemapPaths(dist)).toEqual(['/m9/', '/m9/labs/']);
  });

  it('says how to get a sitemap when there is none', async () => {
    await expect(readSitemapPaths(makeTree({}))).rejects.toThrow(/sitemap-index\.xml not found\. Set "site"/);
  });

  it('extracts <loc> values', () => {
    expect(extractLocs('<loc> a </loc><loc>b</loc>')).toEqual(['a', 'b']);
  });
});
