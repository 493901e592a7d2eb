import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../../scripts/lib/tmp.ts';
import { buildSidebar, moduleOutline } from './sidebar.ts';

describe('buildSidebar', () => {
  it('keeps only sections with real pages, in outline order', () => {
    const docs = makeTree({
      'next-steps.md': '---\ntitle: Next\n---\n',
      'overview.md': '---\ntitle: Overview\n---\n',
      'labs/index.mdx': '---\ntitle: Labs\n---\n',
      'topics/monitoring/metrics.md': '---\ntitle: Metrics\n---\n',
    });
    mkdirSync(join(docs, 'scenarios')); // a folder with no pages yet
    expect(buildSidebar(docs)).toEqual([
      { label: 'Overview', slug: 'overview' },
      { label: 'Topics', items: [{ autogenerate: { directory: 'topics' } }] },
      { label: 'Hands-on labs', items: [{ autogenerate: { directory: 'labs' } }] },
      { label: 'Next steps', slug: 'next-steps' },
    ]);
  });

  it('prefers a single page over a folder of the same name', () => {
    const docs = makeTree({ 'resources.mdx': 'x', 'resources/more.md': 'y' });
    expect(buildSidebar(docs)).toEqual([{ label: 'Resources', slug: 'resources' }]);
  });

  it('ignores files that are not pages', () => {
    const docs = makeTree({ 'tools/diagram.svg': '<svg/>' });
    expect(buildSidebar(docs)).toEqual([]);
  });

  it('follows the module structure from the course outline', () => {
    expect(moduleOutline.map((entry) => entry.label)).toEqual([
      'Overview', 'Learning objectives', 'Prerequisites', 'Topics', 'Hands-on labs',
      'Real-world scenarios', 'Best practices', 'Key tools', 'Certification prep', 'Resources', 'Next steps',
    ]);
  });
});
