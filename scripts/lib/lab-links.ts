// Every lab page links its script, and every lab script links its page: a learner who finds
// one can always find the other. Run by scripts/check-labs.ts in the static layer.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabMeta } from '../../src/lib/labs.ts';

export function findLabPage(docsDir: string, slug: string): string | null {
  for (const candidate of [`${slug}.md`, `${slug}.mdx`, `${slug}/index.md`, `${slug}/index.mdx`]) {
    if (existsSync(join(docsDir, candidate))) return join(docsDir, candidate);
  }
  return null;
}

/** Problems found, each naming the file and what to add; empty when every link is in place. */
export function checkLabLinks(root: string, labs: LabMeta[]): string[] {
  const problems: string[] = [];
  const docsDir = join(root, 'src/content/docs');
  for (const lab of labs) {
    const script = join(root, 'labs', lab.id, 'lab.ts');
    const page = findLabPage(docsDir, lab.page);
    if (!existsSync(script)) problems.push(`labs/${lab.id}/meta.json: there is no labs/${lab.id}/lab.ts. Add the lab script.`);
    if (!page) {
      problems.push(`labs/${lab.id}/meta.json: "page" is "${lab.page}" but src/content/docs/${lab.page}.md(x) does not exist.`);
    } else if (!readFileSync(page, 'utf8').includes(`labs/${lab.id}/lab.ts`)) {
      problems.push(`${page}: does not link its script. Link labs/${lab.id}/lab.ts (the repository URL).`);
    }
    if (existsSync(script) && !readFileSync(script, 'utf8').includes(`/${lab.page}/`)) {
      problems.push(`labs/${lab.id}/lab.ts: does not link its page. Put the page URL path /${lab.page}/ in its header comment.`);
    }
  }
  return problems;
}
