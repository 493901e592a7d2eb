import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paced, percentile, runRoles, summarise, timedGet } from './traffic.ts';

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('summarise', () => {
  it('counts timeouts apart from errors, and keeps the first error', () => {
    const t = summarise([
      { ok: true, status: 200, ms: 10 },
      { ok: false, status: 0, ms: 5000, timedOut: true, error: 'no answer within 5000 ms' },
      { ok: false, status: 502, ms: 3, error: 'HTTP 502: bad gateway' },
    ]);
    expect(t).toMatchObject({ count: 3, errors: 1, timeouts: 1, firstError: 'HTTP 502: bad gateway', max: 5000 });
  });
});

describe('timedGet and paced against a real server', () => {
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 300);
    res.writeHead(req.url === '/fail' ? 502 : 200);
    res.end('{"price":1}');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => void server.close());

  it('times answers, checks the body, and tells a timeout from an error', async () => {
    expect(await timedGet(`${base}/`, 2000, (b) => b.includes('"price"'))).toMatchObject({ ok: true, status: 200 });
    expect(await timedGet(`${base}/`, 2000, (b) => b.includes('"stock"'))).toMatchObject({ ok: false, status: 200 });
    expect(await timedGet(`${base}/fail`, 2000)).toMatchObject({ ok: false, status: 502, error: expect.stringContaining('HTTP 502') });
    expect(await timedGet(`${base}/slow`, 50)).toMatchObject({ ok: false, timedOut: true, ms: 50 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await timedGet(`http://127.0.0.1:${port}/`, 2000);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(refused.timedOut).toBeUndefined();
  });

  it('sends at the given rate without waiting for answers', async () => {
    const started = performance.now();
    const t = await paced(() => timedGet(`${base}/slow`, 2000), 5, 50);
    // Five requests 20 ms apart, each answered after 300 ms: about 380 ms in all, not 1500.
    expect(performance.now() - started).toBeLessThan(1200);
    expect(t).toMatchObject({ count: 5, errors: 0 });
    expect(t.p50).toBeGreaterThanOrEqual(290);
  });
});

describe('runRoles', () => {
  it('runs the named role with the remaining arguments', async () => {
    const seen: string[][] = [];
    runRoles({ measure: (args) => void seen.push(args) }, ['measure', 'http://api:8080', '10', '5']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([['http://api:8080', '10', '5']]);
    process.removeAllListeners('SIGTERM');
  });
});
