// The shop services really produce the spans the lab is built on: three services on real HTTP
// ports in this process, each with its own tracer provider and an in-memory exporter (the SDK's
// own InMemorySpanExporter), so the test reads the spans our code made, with W3C propagation
// across real requests. Jaeger is not involved here; the lab's checks read Jaeger.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { configFromEnv, createShopServer, type Role, type ShopConfig } from './shop.ts';
import { batchDelayFromEnv, samplerFromEnv, startTelemetry, type Telemetry } from './telemetry.ts';

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

interface Shop {
  exporter: InMemorySpanExporter;
  storefront: string;
  telemetry: Record<Role, Telemetry>;
  servers: Server[];
}

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Starts pricing, orders and storefront (in that order, so each knows the next one's port). */
async function startShop(config: Partial<ShopConfig>, env: Partial<Record<Role, Record<string, string>>> = {}): Promise<Shop> {
  const exporter = new InMemorySpanExporter();
  const telemetry = {} as Record<Role, Telemetry>;
  const base = { ...configFromEnv({}), fraudCheckMs: 20, taxTableLoadMs: 150, ...config };
  const start = async (role: Role, cfg: ShopConfig) => {
    telemetry[role] = startTelemetry(role, env[role] ?? {}, new SimpleSpanProcessor({ exporter }));
    const server = createShopServer(role, telemetry[role], cfg);
    open.push(server);
    return `http://127.0.0.1:${await listen(server)}`;
  };
  const pricingUrl = await start('pricing', base);
  const ordersUrl = await start('orders', { ...base, pricingUrl });
  const storefront = await start('storefront', { ...base, ordersUrl });
  return { exporter, storefront, telemetry, servers: open };
}

const serviceOf = (s: ReadableSpan) => s.resource.attributes['service.name'];
const describeSpan = (s: ReadableSpan) => `${serviceOf(s)}/${s.name}`;
const durationMs = (s: ReadableSpan) => s.duration[0] * 1000 + s.duration[1] / 1e6;

async function checkout(shop: Shop, region = 'eu') {
  const response = await fetch(`${shop.storefront}/checkout?region=${region}`);
  return { status: response.status, body: (await response.json()) as { traceId: string; sampled: boolean; order: { total: number } } };
}

describe('the shop services', () => {
  it('make one trace of ten spans across the three services, parents linked over HTTP', async () => {
    const shop = await startShop({ taxTableCacheSeconds: 0 });
    const { status, body } = await checkout(shop);
    expect(status).toBe(200);
    expect(body.order.total).toBe(Math.round((2 * 450 + 390) * 1.21));
    const spans = shop.exporter.getFinishedSpans();
    expect(spans.map(describeSpan).sort()).toEqual(
      [
        'orders/GET',
        'orders/POST /orders',
        'orders/fraud check',
        'orders/save order',
        'orders/validate order',
        'pricing/GET /quote',
        'pricing/compute price',
        'pricing/load tax table',
        'storefront/GET /checkout',
        'storefront/POST',
      ].sort(),
    );
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([body.traceId]));
    const byName = Object.fromEntries(spans.map((s) => [describeSpan(s), s]));
    const parentOf = (name: string) => spans.find((s) => s.spanContext().spanId === byName[name]!.parentSpanContext?.spanId);
    expect(byName['storefront/GET /checkout']!.parentSpanContext).toBeUndefined();
    expect(describeSpan(parentOf('storefront/POST')!)).toBe('storefront/GET /checkout');
    expect(describeSpan(parentOf('orders/POST /orders')!)).toBe('storefront/POST');
    expect(describeSpan(parentOf('orders/GET')!)).toBe('orders/POST /orders');
    expect(describeSpan(parentOf('pricing/GET /quote')!)).toBe('orders/GET');
    expect(describeSpan(parentOf('pricing/load tax table')!)).toBe('pricing/GET /quote');
    expect(byName['storefront/GET /checkout']!.kind).toBe(SpanKind.SERVER);
    expect(byName['storefront/POST']!.kind).toBe(SpanKind.CLIENT);
    expect(byName['pricing/load tax table']!.kind).toBe(SpanKind.INTERNAL);
    expect(byName['pricing/load tax table']!.attributes).toMatchObject({ 'app.tax_table.region': 'eu', 'app.tax_table.cache_ttl_seconds': 0 });
    expect(byName['storefront/GET /checkout']!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/checkout', 'http.response.status_code': 200 });
    expect(durationMs(byName['pricing/load tax table']!)).toBeGreaterThanOrEqual(145);
  });

  it('reloads the tax table on every request when the cache is off, and once per region when it is on', async () => {
    const off = await startShop({ taxTableCacheSeconds: 0 });
    await checkout(off);
    await checkout(off);
    expect(off.exporter.getFinishedSpans().filter((s) => s.name === 'load tax table')).toHaveLength(2);

    const on = await startShop({ taxTableCacheSeconds: 300 });
    await checkout(on);
    await checkout(on);
    await checkout(on, 'uk');
    const loads = on.exporter.getFinishedSpans().filter((s) => s.name === 'load tax table');
    expect(loads.map((s) => s.attributes['app.tax_table.region'])).toEqual(['eu', 'uk']);
  });

  it('head-samples at the root and lets the others follow the parent, so traces stay whole', async () => {
    const shop = await startShop(
      { taxTableCacheSeconds: 300, fraudCheckMs: 1, taxTableLoadMs: 1 },
      { storefront: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' } },
    );
    const results = [];
    for (let i = 0; i < 40; i += 1) results.push((await checkout(shop)).body);
    const sampled = results.filter((r) => r.sampled).map((r) => r.traceId);
    expect(sampled.length).toBeGreaterThan(5);
    expect(sampled.length).toBeLessThan(35);
    const spans = shop.exporter.getFinishedSpans();
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set(sampled));
    for (const traceId of sampled) expect(new Set(spans.filter((s) => s.spanContext().traceId === traceId).map(serviceOf))).toEqual(new Set(['storefront', 'orders', 'pricing']));
  });

  it('breaks traces when a downstream service samples on its own', async () => {
    const shop = await startShop({ taxTableCacheSeconds: 300, fraudCheckMs: 1, taxTableLoadMs: 1 }, { orders: { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } });
    for (let i = 0; i < 20; i += 1) await checkout(shop);
    const spans = shop.exporter.getFinishedSpans();
    const storefrontTraces = new Set(spans.filter((s) => serviceOf(s) === 'storefront').map((s) => s.spanContext().traceId));
    const ordersTraces = new Set(spans.filter((s) => serviceOf(s) === 'orders').map((s) => s.spanContext().traceId));
    expect(storefrontTraces.size).toBe(20);
    expect(ordersTraces.size).toBeLessThan(20);
  });
});

describe('sampler and batch settings from the environment', () => {
  it('builds the sampler OTEL_TRACES_SAMPLER names', () => {
    expect(samplerFromEnv({}).toString()).toBe('ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString()).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0.25\}/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).toString()).toBe('TraceIdRatioBased{0.1}');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio' }).toString()).toBe('TraceIdRatioBased{1}');
  });

  it('refuses an unknown sampler or a ratio outside [0, 1]', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'ratio' })).toThrow(/is not one of/);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '25' })).toThrow(/between 0 and 1/);
  });

  it('reads OTEL_BSP_SCHEDULE_DELAY, defaulting to 5000 ms', () => {
    expect(batchDelayFromEnv({})).toBe(5000);
    expect(batchDelayFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '1000' })).toBe(1000);
    expect(batchDelayFromEnv({ OTEL_BSP_SCHEDULE_DELAY: 'soon' })).toBe(5000);
  });

  it('refuses a negative or non-numeric service setting', () => {
    expect(() => configFromEnv({ TAX_TABLE_CACHE_SECONDS: '-1' })).toThrow(/TAX_TABLE_CACHE_SECONDS/);
    expect(configFromEnv({ TAX_TABLE_CACHE_SECONDS: '0' }).taxTableCacheSeconds).toBe(0);
  });
});

describe('the bundled service', () => {
  it('exports its spans as OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces', async () => {
    // A plain HTTP listener stands where the collector's OTLP/HTTP receiver would be: it only
    // records what the bundled program sends, to prove the endpoint, path and encoding.
    const received: { path: string; contentType: string; body: Buffer }[] = [];
    const sink = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
    open.push(sink);
    const sinkPort = await listen(sink);
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'm9-lab4-bundle-'));
    try {
      const outfile = join(dir, 'app.cjs');
      await build({ entryPoints: [new URL('./main.ts', import.meta.url).pathname], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node24', logLevel: 'error' });
      const probe = createServer();
      const freePort = await listen(probe);
      await new Promise((r) => probe.close(r));
      const second = spawn(process.execPath, [outfile], {
        env: { PATH: process.env.PATH, SHOP_SERVICE: 'pricing', OTEL_SERVICE_NAME: 'pricing', PORT: String(freePort), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, OTEL_BSP_SCHEDULE_DELAY: '100', TAX_TABLE_LOAD_MS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      second.stdout.on('data', (d) => (output += d));
      second.stderr.on('data', (d) => (output += d));
      const deadline = Date.now() + 15_000;
      while (!/listening/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/pricing: listening on :\d+, sampler parentbased_always_on \(default\), exporting to http:\/\/127\.0\.0\.1:/);
      const quote = await fetch(`http://127.0.0.1:${freePort}/quote?region=uk&items=sku-grinder:1`);
      expect(await quote.json()).toEqual({ region: 'uk', total: 10680, taxRatePercent: 20 });
      second.kill('SIGTERM');
      await new Promise((resolve) => second.on('exit', resolve));
      expect(received.length).toBeGreaterThan(0);
      expect(received[0]!.path).toBe('/v1/traces');
      expect(received[0]!.contentType).toBe('application/x-protobuf');
      const body = Buffer.concat(received.map((r) => r.body)).toString('latin1');
      for (const text of ['pricing', 'GET /quote', 'load tax table', 'compute price', 'app.tax_table.region']) expect(body).toContain(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
