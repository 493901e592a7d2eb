import { describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium } from './chromium.ts';

describe('findChromium', () => {
  it('uses CHROMIUM_PATH when it is executable, and nothing else', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).toBeNull();
  });

  it('keeps Chromium off the network and headless', () => {
    expect(chromiumArgs).toEqual(expect.arrayContaining(['--headless', '--disable-background-networking', '--disable-component-update']));
  });
});
