// The lab's shop: three small Node.js services that a checkout passes through.
//
//   storefront  GET /checkout?region=eu   -> orders  POST /orders
//   orders      POST /orders              -> pricing GET /quote (in parallel with its fraud check)
//   pricing     GET /quote?region=eu       loads the region's tax table, then computes the price
//
// The work inside each service is simulated with timers of fixed length (a fraud check of
// FRAUD_CHECK_MS, a tax table load of TAX_TABLE_LOAD_MS), so the traces are the same on any
// machine. Pricing keeps a loaded tax table for TAX_TABLE_CACHE_SECONDS; 0 means it reloads the
// table on every request. Every span is made by hand with the OpenTelemetry API (telemetry.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { extractContext, inSpan, serverSpan, tracedFetch, type Env, type Telemetry } from './telemetry.ts';

export type Role = 'storefront' | 'orders' | 'pricing';
export const roles: Role[] = ['storefront', 'orders', 'pricing'];

export interface ShopConfig {
  ordersUrl: string;
  pricingUrl: string;
  fraudCheckMs: number;
  taxTableLoadMs: number;
  taxTableCacheSeconds: number;
}

const number = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name}="${value}" is not a non-negative number`);
  return parsed;
};

export function configFromEnv(env: Env): ShopConfig {
  return {
    ordersUrl: env.ORDERS_URL ?? 'http://m9-lab4-orders:8080',
    pricingUrl: env.PRICING_URL ?? 'http://m9-lab4-pricing:8080',
    fraudCheckMs: number(env.FRAUD_CHECK_MS, 100, 'FRAUD_CHECK_MS'),
    taxTableLoadMs: number(env.TAX_TABLE_LOAD_MS, 600, 'TAX_TABLE_LOAD_MS'),
    taxTableCacheSeconds: number(env.TAX_TABLE_CACHE_SECONDS, 300, 'TAX_TABLE_CACHE_SECONDS'),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tax rates by region (percent). Unknown regions get the default rate. */
const taxRates: Record<string, number> = { eu: 21, uk: 20, us: 8, ch: 8.1 };

const priceList: Record<string, number> = { 'sku-espresso': 450, 'sku-grinder': 8900, 'sku-filters': 390 };
const basket = [
  { sku: 'sku-espresso', quantity: 2 },
  { sku: 'sku-filters', quantity: 1 },
];

interface Handler {
  method: string;
  route: string;
  handle: (url: URL, body: unknown, span: Span) => Promise<{ status: number; body: Record<string, unknown> }>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function handlersFor(role: Role, t: Telemetry, config: ShopConfig): Handler[] {
  if (role === 'storefront') {
    return [
      {
        method: 'GET',
        route: '/checkout',
        async handle(url, _body, span) {
          const region = url.searchParams.get('region') ?? 'eu';
          const order = await tracedFetch(t, 'POST', `${config.ordersUrl}/orders`, { region, items: basket });
          const { traceId, traceFlags } = span.spanContext();
          // The trace ID is in the answer whether or not this trace was sampled: the lab's
          // checks look each one up in Jaeger.
          return { status: order.status === 201 ? 200 : 502, body: { order: order.body, traceId, sampled: (traceFlags & 1) === 1 } };
        },
      },
    ];
  }
  if (role === 'orders') {
    return [
      {
        method: 'POST',
        route: '/orders',
        async handle(_url, body) {
          const request = body as { region?: string; items?: { sku: string; quantity: number }[] } | undefined;
          const items = await inSpan(t.tracer, 'validate order', {}, async (span) => {
            await sleep(2);
            const valid = (request?.items ?? []).filter((i) => i.sku in priceList && i.quantity > 0);
            span.setAttribute('app.order.items', valid.length);
            return valid;
          });
          const region = request?.region ?? 'eu';
          const skus = items.map((i) => `${i.sku}:${i.quantity}`).join(',');
          const [quote] = await Promise.all([
            tracedFetch(t, 'GET', `${config.pricingUrl}/quote?region=${encodeURIComponent(region)}&items=${encodeURIComponent(skus)}`),
            inSpan(t.tracer, 'fraud check', { 'app.fraud.rules': 12 }, () => sleep(config.fraudCheckMs)),
          ]);
          if (quote.status !== 200) return { status: 502, body: { error: 'pricing failed', pricing: quote.body } };
          const orderId = await inSpan(t.tracer, 'save order', {}, async () => {
            await sleep(8);
            return `ord-${Date.now().toString(36)}`;
          });
          return { status: 201, body: { orderId, total: (quote.body as { total: number }).total, region } };
        },
      },
    ];
  }
  const tables = new Map<string, { rate: number; loadedAt: number }>();
  return [
    {
      method: 'GET',
      route: '/quote',
      async handle(url) {
        const region = url.searchParams.get('region') ?? 'eu';
        const cached = tables.get(region);
        const fresh = cached && (Date.now() - cached.loadedAt) / 1000 < config.taxTableCacheSeconds;
        let rate = cached?.rate ?? 0;
        if (!fresh) {
          rate = await inSpan(
            t.tracer,
            'load tax table',
            { 'app.tax_table.region': region, 'app.tax_table.cache_ttl_seconds': config.taxTableCacheSeconds },
            async () => {
              await sleep(config.taxTableLoadMs);
              return taxRates[region] ?? 19;
            },
          );
          tables.set(region, { rate, loadedAt: Date.now() });
        }
        const total = await inSpan(t.tracer, 'compute price', { 'app.tax.rate_percent': rate }, async () => {
          await sleep(1);
          const lines = (url.searchParams.get('items') ?? '').split(',').filter(Boolean);
          const net = lines.reduce((sum, line) => {
            const [sku, quantity] = line.split(':');
            return sum + (priceList[sku!] ?? 0) * Number(quantity ?? 0);
          }, 0);
          return Math.round(net * (1 + rate / 100));
        });
        return { status: 200, body: { region, total, taxRatePercent: rate } };
      },
    },
  ];
}

/** The HTTP server of one service. GET /healthz answers without a span. */
export function createShopServer(role: Role, t: Telemetry, config: ShopConfig): Server {
  const handlers = handlersFor(role, t, config);
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { service: role, ok: true });
    const handler = handlers.find((h) => h.method === req.method && h.route === url.pathname);
    if (!handler) return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    const span = serverSpan(t, extractContext(t, req.headers), handler.method, handler.route, url.pathname);
    await context.with(trace.setSpan(context.active(), span), async () => {
      try {
        const result = await handler.handle(url, await readJson(req), span);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
        if (result.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        send(res, result.status, result.body);
      } catch (cause) {
        span.recordException(cause as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (cause as Error).message });
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, 500);
        send(res, 500, { error: (cause as Error).message });
      } finally {
        span.end();
      }
    });
  });
}
