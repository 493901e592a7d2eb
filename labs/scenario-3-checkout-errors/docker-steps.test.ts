// Check logic on real output: `docker inspect` of the scenario's own containers, captured on
// Docker Engine 20.10 (cgroup v1) in the broken state, after the fix, and after the wrong fixes,
// and the storefront's answers and the orders log captured at the same time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnoseTruth, judgeCheckout, judgeLayout, names, storefrontUrl, unreachableHops, type Inspect, type Request, type Shop } from './docker-steps.ts';
import { checkoutPath, isReadyCheckout, upstreamHost } from './shop.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => (JSON.parse(text(name)) as Inspect[])[0]!;

const broken = (): Shop => ({
  storefront: fixture('inspect-storefront.json'),
  orders: fixture('inspect-orders-shop-only.json'),
  inventory: fixture('inspect-inventory-warehouse.json'),
});
const fixed = (): Shop => ({ ...broken(), orders: fixture('inspect-orders-both.json') });

describe('the diagnosis', () => {
  it('names orders: it is configured with inventory\'s name but shares no network with it', () => {
    expect(unreachableHops(broken())).toEqual([{ caller: 'orders', callee: 'inventory', shared: [] }]);
    expect(diagnoseTruth(broken())).toEqual([names.orders, 'orders', 'orders service']);
    expect(diagnoseTruth(broken())).not.toContain(names.inventory);
  });

  it('has no answer once orders shares a network with inventory, or when a container is gone', () => {
    expect(diagnoseTruth(fixed())).toEqual([]);
    expect(diagnoseTruth({ ...broken(), inventory: null })).toEqual([]);
  });

  it('the captured log names the failed lookup, the cause shows only in the networks', () => {
    expect(text('orders-log.txt')).toMatch(/inventory request to http:\/\/m9-s3-inventory:8080 failed: getaddrinfo ENOTFOUND m9-s3-inventory/);
    expect(Object.keys(fixture('inspect-orders-shop-only.json').NetworkSettings.Networks!)).toEqual([names.shop]);
    expect(Object.keys(fixture('inspect-inventory-warehouse.json').NetworkSettings.Networks!)).toEqual([names.warehouse]);
  });
});

describe('judgeLayout', () => {
  it('accepts the broken layout (the request decides) and the fixed one', () => {
    expect(judgeLayout(broken())).toBeNull();
    expect(judgeLayout(fixed())).toBeNull();
  });

  it('rejects inventory on the storefront\'s network', () => {
    expect(judgeLayout({ ...fixed(), inventory: fixture('inspect-inventory-both.json') })).toMatchObject({ code: 'inventory-exposed', reason: expect.stringContaining(names.shop) });
  });

  it('rejects orders on the host network', () => {
    const host = fixture('inspect-orders-host.json');
    expect(host.HostConfig.NetworkMode).toBe('host');
    expect(judgeLayout({ ...fixed(), orders: host })).toMatchObject({ code: 'host-network' });
  });

  it('rejects an upstream URL with a container address', () => {
    const orders = fixture('inspect-orders-both.json');
    const ip = orders.NetworkSettings.Networks![names.warehouse]!.IPAddress;
    orders.Config.Env = (orders.Config.Env ?? []).map((e) => (e.startsWith('INVENTORY_URL=') ? `INVENTORY_URL=http://${ip}:8080` : e));
    expect(judgeLayout({ ...fixed(), orders })).toMatchObject({ code: 'hard-coded-address', reason: expect.stringContaining(ip) });
  });

  it('rejects a missing or stopped service', () => {
    expect(judgeLayout({ ...fixed(), inventory: null })).toMatchObject({ code: 'container-missing' });
    const stopped = fixture('inspect-inventory-warehouse.json');
    stopped.State = { ...stopped.State, Running: false, Status: 'exited', ExitCode: 137 };
    expect(judgeLayout({ ...fixed(), inventory: stopped })).toMatchObject({ code: 'not-running' });
  });
});

describe('judgeCheckout', () => {
  const url = storefrontUrl(fixture('inspect-storefront.json'))!;
  const answers = (bodies: { status: number; body: string }[]): Request => {
    let i = 0;
    return async () => bodies[Math.min(i++, bodies.length - 1)]!;
  };

  it('reads the published port from the captured storefront', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('fails with checkout-failing on the captured 502', async () => {
    const result = await judgeCheckout(url, answers([{ status: 502, body: text('checkout-502.json') }]), 5, 0);
    expect(result).toMatchObject({ status: 'fail', code: 'checkout-failing', reason: expect.stringContaining('getaddrinfo ENOTFOUND m9-s3-inventory') });
  });

  it('passes only when every request of the window answers a ready quote', async () => {
    const ok = { status: 200, body: text('checkout-200.json') };
    expect(isReadyCheckout(ok.status, ok.body)).toBe(true);
    expect(await judgeCheckout(url, answers([ok]), 5, 0)).toMatchObject({ status: 'pass' });
    const flaky = await judgeCheckout(url, answers([ok, ok, { status: 502, body: text('checkout-502.json') }]), 5, 0);
    expect(flaky).toMatchObject({ code: 'checkout-failing', reason: expect.stringContaining('request 3 of 5') });
  });

  it('treats no HTTP answer as the storefront still starting', async () => {
    const refused: Request = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    };
    expect(await judgeCheckout(url, refused, 5, 0)).toMatchObject({ code: 'starting' });
  });

  it('asks for the customer\'s request', () => {
    expect(checkoutPath).toBe('/checkout?sku=sku-coffee-beans&qty=2');
  });
});

describe('upstreamHost', () => {
  it('tells names from addresses', () => {
    expect(upstreamHost('http://m9-s3-inventory:8080')).toEqual({ host: 'm9-s3-inventory', isAddress: false });
    expect(upstreamHost('http://192.168.160.2:8080')).toEqual({ host: '192.168.160.2', isAddress: true });
    expect(upstreamHost('http://[fd00::2]:8080')?.isAddress).toBe(true);
    expect(upstreamHost('not a url')).toBeNull();
  });
});
