// The site path of every page under src/content/docs (overview.md -> /overview/).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export function sitePaths(docsDir = 'src/content/docs'): Set<string> {
  const paths = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.mdx?$/.test(entry.name)) {
        const slug = relative(docsDir, full).replace(/\.mdx?$/, '').replace(/(^|\/)index$/, '');
        paths.add(slug ? `/${slug}/` : '/');
      }
    }
  };
  walk(docsDir);
  return paths;
}
