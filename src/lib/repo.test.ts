import { describe, expect, it } from 'vitest';
import { sourceUrl } from './repo.ts';

describe('sourceUrl', () => {
  it('links a path on the configured branch', () => {
    expect(sourceUrl('labs/x/lab.ts', { REPO_URL: 'https://github.com/acme/module9/' })).toBe('https://github.com/acme/module9/blob/main/labs/x/lab.ts');
    expect(sourceUrl('/labs/x/lab.ts', { REPO_URL: 'https://github.com/acme/module9', REPO_BRANCH: 'dev' })).toBe('https://github.com/acme/module9/blob/dev/labs/x/lab.ts');
  });

  it('gives no link without REPO_URL, and rejects one that is not a repository URL', () => {
    expect(sourceUrl('labs/x/lab.ts', {})).toBeNull();
    expect(() => sourceUrl('labs/x/lab.ts', { REPO_URL: 'github.com/acme' })).toThrow(/not an https repository URL/);
  });
});
