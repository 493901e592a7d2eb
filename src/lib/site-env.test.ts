import { describe, expect, it } from 'vitest';
import { siteBase, siteUrl } from './site-env.ts';

describe('siteBase', () => {
  it('defaults to / and normalises a sub-path to end with /', () => {
    expect(siteBase(undefined)).toBe('/');
    expect(siteBase('')).toBe('/');
    expect(siteBase('/module-9')).toBe('/module-9/');
    expect(siteBase('/org/module-9/')).toBe('/org/module-9/');
  });

  it('rejects values that are not URL paths, saying what to use', () => {
    expect(() => siteBase('module-9')).toThrow(/Use "\/" or a path such as "\/module-9\/"/);
    expect(() => siteBase('https://x.github.io/m9/')).toThrow(/not a URL path/);
    expect(() => siteBase('/a b/')).toThrow(/not a URL path/);
  });
});

describe('siteUrl', () => {
  it('defaults to the local preview server', () => {
    expect(siteUrl(undefined)).toBe('http://localhost:4321');
  });

  it('accepts an origin and rejects a path', () => {
    expect(siteUrl('https://example.github.io')).toBe('https://example.github.io');
    expect(() => siteUrl('https://example.github.io/module-9/')).toThrow(/put the sub-path in SITE_BASE/);
    expect(() => siteUrl('example.github.io')).toThrow(/not a URL/);
  });
});
