// Markdown links are written root-relative (`/prerequisites/`), as a reader of the source
// expects. Astro does not add `base` to Markdown links, so under a GitHub Pages sub-path
// they would 404. This mdast plugin adds the base before anything else reads the links,
// so the links validator checks exactly what ships.
import { defineMdastPlugin } from 'satteri';

/** Prefixes a root-relative URL with `base`; leaves external, relative and already-based URLs alone. */
export function withBase(url: string, base: string): string {
  if (base === '/' || !url.startsWith('/') || url.startsWith('//')) return url;
  const prefix = base.endsWith('/') ? base.slice(0, -1) : base;
  if (url === prefix || url.startsWith(`${prefix}/`)) return url;
  return prefix + url;
}

export function baseLinksPlugin(base: string) {
  return defineMdastPlugin({
    name: 'module9-base-links',
    link(node, ctx) {
      const url = withBase(node.url, base);
      if (url !== node.url) ctx.setProperty(node, 'url', url);
    },
    image(node, ctx) {
      const url = withBase(node.url, base);
      if (url !== node.url) ctx.setProperty(node, 'url', url);
    },
  });
}
