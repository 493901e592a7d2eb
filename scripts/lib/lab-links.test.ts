import { describe, expect, it } from 'vitest';
import type { LabMeta } from '../../src/lib/labs.ts';
import { checkLabLinks } from './lab-links.ts';
import { makeTree } from './tmp.ts';

const meta: LabMeta = {
  id: 'lab-2-resources',
  number: 2,
  title: 'Resource optimization',
  summary: 'Right-size a container from what it uses.',
  targets: ['docker'],
  estimatedMinutes: 40,
  kind: 'lab',
  troubleshooting: false,
  page: 'labs/lab-2-resources',
};

describe('checkLabLinks', () => {
  it('passes when page and script link each other', () => {
    const root = makeTree({
      'labs/lab-2-resources/lab.ts': '// Page: /labs/lab-2-resources/\n',
      'src/content/docs/labs/lab-2-resources.mdx': 'Script: labs/lab-2-resources/lab.ts\n',
    });
    expect(checkLabLinks(root, [meta])).toEqual([]);
  });

  it('names each missing file or link', () => {
    const root = makeTree({
      'labs/lab-2-resources/lab.ts': '// no link here\n',
      'src/content/docs/labs/lab-2-resources.md': 'No link to the script.\n',
    });
    expect(checkLabLinks(root, [meta])).toEqual([
      expect.stringMatching(/lab-2-resources\.md: does not link its script/),
      expect.stringMatching(/lab\.ts: does not link its page/),
    ]);
    expect(checkLabLinks(makeTree({}), [meta])).toEqual([
      expect.stringMatching(/there is no labs\/lab-2-resources\/lab\.ts/),
      expect.stringMatching(/"page" is "labs\/lab-2-resources" but .* does not exist/),
    ]);
  });
});
