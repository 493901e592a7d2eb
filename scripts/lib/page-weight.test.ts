import { describe, expect, it } from 'vitest';
import { addedJs, measurePage, staticImports } from './page-weight.ts';
import { makeTree } from './tmp.ts';

describe('staticImports', () => {
  it('finds static relative imports and re-exports, not dynamic ones or packages', () => {
    const code = 'import{a as b}from"./ui-core.js";import "./side.js";export{c}from"../x.js";const p=import("./lazy.js");import y from "pkg";';
    expect(staticImports(code).sort()).toEqual(['../x.js', './side.js', './ui-core.js']);
  });
});

describe('measurePage', () => {
  const html = (scripts: string) =>
    `<html><head><link rel="stylesheet" href="/m9/_astro/a.css"><link rel="icon" href="/m9/favicon.svg">${scripts}</head><body>hi</body></html>`;
  const dist = makeTree({
    'index.html': html('<script type="module" src="/m9/_astro/page.js"></script><script type="application/ld+json">{}</script>'),
    'plain/index.html': html(''),
    '_astro/a.css': 'body{color:red}',
    '_astro/page.js': 'import"./core.js";console.log("page")',
    '_astro/core.js': 'export const core=1;',
  });

  it('counts HTML, stylesheets and the whole static import graph of each script', () => {
    const weight = measurePage(dist, 'index.html', '/m9/');
    expect(weight.assets.map((a) => `${a.kind}:${a.name}`)).toEqual([
      'html:index.html',
      'js:_astro/page.js',
      'js:_astro/core.js',
      'css:_astro/a.css',
    ]);
    expect(weight.totals.js.raw).toBe('import"./core.js";console.log("page")'.length + 'export const core=1;'.length);
    expect(weight.totals.css.brotli).toBeGreaterThan(0);
  });

  it('reports the JS a page adds over a reference page, by content', () => {
    const withJs = measurePage(dist, 'index.html', '/m9/');
    const plain = measurePage(dist, 'plain/index.html', '/m9/');
    expect(addedJs(plain, withJs)).toEqual([]);
    expect(addedJs(withJs, plain).map((a) => a.name)).toEqual(['_astro/page.js', '_astro/core.js']);
  });
});
