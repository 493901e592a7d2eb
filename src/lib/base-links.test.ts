import { describe, expect, it } from 'vitest';
import { withBase } from './base-links.ts';

describe('withBase', () => {
  it('adds the base to root-relative links', () => {
    expect(withBase('/prerequisites/', '/module-9/')).toBe('/module-9/prerequisites/');
    expect(withBase('/labs/#before-you-start', '/module-9/')).toBe('/module-9/labs/#before-you-start');
  });

  it('leaves links alone at the root base', () => {
    expect(withBase('/prerequisites/', '/')).toBe('/prerequisites/');
  });

  it('leaves external, protocol-relative, relative, anchor and already-based links alone', () => {
    for (const url of ['https://kubernetes.io/docs/', '//cdn.example/x', '../x/', '#top', '/module-9/labs/', '/module-9']) {
      expect(withBase(url, '/module-9/')).toBe(url);
    }
  });

  it('does not mistake a path that merely starts with the base name for the base', () => {
    expect(withBase('/module-9x/', '/module-9/')).toBe('/module-9/module-9x/');
  });
});
