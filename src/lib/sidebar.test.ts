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
      'topics/metrics.md': '---\ntitle: Metrics\n---\n',
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
      'Overview', 'Learning objectives', 'Prerequisites', 'Topics', 'Hands-on labs', 'Notebooks',
      'Real-world scenarios', 'Best practices', 'Key tools', 'Certification prep', 'Resources', 'Next steps',
    ]);
  });
});

describe('nested folders', () => {
  it('turns each sub-folder into a group labelled by its index page', () => {
    const docs = makeTree({
      'topics/index.md': '---\ntitle: Topics\n---\n',
      'topics/2-resources/index.md': '---\ntitle: "Topic 2: Resource optimization"\n---\n',
      'topics/2-resources/qos.md': '---\ntitle: QoS\n---\n',
      'topics/1-monitoring/index.mdx': '---\ntitle: "Topic 1: Monitoring"\nsidebar:\n  label: Introduction\n---\n',
    });
    expect(buildSidebar(docs)).toEqual([
      {
        label: 'Topics',
        items: [
          { slug: 'topics' },
          { label: 'Topic 1: Monitoring', collapsed: true, items: [{ autogenerate: { directory: 'topics/1-monitoring' } }] },
          { label: 'Topic 2: Resource optimization', collapsed: true, items: [{ autogenerate: { directory: 'topics/2-resources' } }] },
        ],
      },
    ]);
  });

  it('says what to add when a sub-folder has no titled index page', () => {
    const docs = makeTree({ 'topics/1-monitoring/metrics.md': '---\ntitle: Metrics\n---\n' });
    expect(() => buildSidebar(docs)).toThrow(/topics\/1-monitoring\/ has pages but no index\.md\(x\) with a title/);
  });
});
