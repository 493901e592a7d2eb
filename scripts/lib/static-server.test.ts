import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequestPath, startStaticServer, type RunningServer } from './static-server.ts';
import { makeTree } from './tmp.ts';

describe('resolveRequestPath', () => {
  it('maps paths under the base into the folder', () => {
    expect(resolveRequestPath('/site', '/m9/', '/m9/labs/')).toBe('/site/labs/');
    expect(resolveRequestPath('/site', '/m9/', '/m9/_astro/a.js?v=1')).toBe('/site/_astro/a.js');
    expect(resolveRequestPath('/site', '/', '/index.html')).toBe('/site/index.html');
  });

  it('refuses paths outside the base or outside the folder', () => {
    expect(resolveRequestPath('/site', '/m9/', '/other/')).toBeNull();
    expect(resolveRequestPath('/site', '/m9/', '/m9x/')).toBeNull();
    expect(resolveRequestPath('/site', '/', '/../etc/passwd')).not.toBe('/etc/passwd');
    expect(resolveRequestPath('/site', '/', '/%2e%2e/etc/passwd')).toBeNull();
  });
});

describe('startStaticServer', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const dist = makeTree({
      'index.html': '<h1>home</h1>',
      '404.html': '<h1>not found</h1>',
      'labs/index.html': '<h1>labs</h1>',
      '_astro/app.js': 'console.log(1)',
    });
    server = await startStaticServer(dist, '/m9/');
  });
  afterAll(() => server.close());

  it('listens on loopback only', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.root).toBe(`${server.origin}/m9/`);
  });

  it('serves index.html for folders and files with their type', async () => {
    const page = await fetch(`${server.root}labs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<h1>labs</h1>');
    const script = await fetch(`${server.root}_astro/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('redirects a folder without its trailing slash', async () => {
    const response = await fetch(`${server.root}labs`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/m9/labs/');
  });

  it('answers a miss, and anything outside the base, with the 404 page', async () => {
    for (const url of [`${server.root}nope/`, `${server.origin}/labs/`]) {
      const response = await fetch(url);
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('<h1>not found</h1>');
    }
  });

  it('refuses to start on a folder with no built site', async () => {
    await expect(startStaticServer(join(makeTree({ 'x.txt': '' }), 'dist'))).rejects.toThrow(/npm run build/);
  });
});
