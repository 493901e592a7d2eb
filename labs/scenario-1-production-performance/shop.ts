// The shop of Scenario 1: one image, four roles, chosen by the first argument.
//   storefront  GET /quote?sku=  asks pricing and inventory in parallel and answers with both;
//               GET /metrics     Prometheus text: its own request durations and, per upstream
//                                service, how long the calls to it took.
//   pricing     GET /price?sku=  runs the price simulation for the item (a fixed amount of
//                                computation per quote) and answers with the price.
//   inventory   GET /stock?sku=  answers from a small in-memory table.
//   shoppers    a steady stream of quote requests to the storefront, with a summary line in
//               its log every 10 s.
//   measure <url> <count> <rate>   sends quote requests at a steady rate, prints their timing as JSON.
import { createServer, type ServerResponse } from 'node:http';
import { paced, runRoles, steadyLoad, timedGet } from '../lib/traffic.ts';

const port = Number(process.env.PORT ?? 8080);
const buckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A Prometheus histogram with one label, rendered in the text exposition format. */
class Histogram {
  private series = new Map<string, { counts: number[]; sum: number; count: number }>();
  private name: string;
  private help: string;
  private label: string;
  constructor(name: string, help: string, label: string) {
    this.name = name;
    this.help = help;
    this.label = label;
  }
  observe(labelValue: string, seconds: number): void {
    const s = this.series.get(labelValue) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
    buckets.forEach((le, i) => {
      if (seconds <= le) s.counts[i]! += 1;
    });
    s.sum += seconds;
    s.count += 1;
    this.series.set(labelValue, s);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [value, s] of this.series) {
      const l = `${this.label}="${value}"`;
      buckets.forEach((le, i) => lines.push(`${this.name}_bucket{${l},le="${le}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${l},le="+Inf"} ${s.count}`, `${this.name}_sum{${l}} ${s.sum.toFixed(6)}`, `${this.name}_count{${l}} ${s.count}`);
    }
    return lines.join('\n');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function serve(role: string, routes: Record<string, (url: URL, res: ServerResponse) => Promise<void> | void>): void {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (url.pathname === '/healthz') return json(res, 200, { role, ok: true });
    if (!route) return json(res, 404, { error: `no route ${url.pathname}` });
    Promise.resolve(route(url, res)).catch((e: Error) => json(res, 500, { error: e.message }));
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, () => console.log(`${role}: listening on :${port}`));
}

/** The price simulation: a fixed budget of 8 ms of computation per quote, however fast the machine. */
function simulatePrice(sku: string): number {
  const started = process.cpuUsage();
  let seed = [...sku].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  let total = 0;
  let rounds = 0;
  do {
    for (let i = 0; i < 5000; i += 1) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      total += 10 + (seed % 9000) / 100;
    }
    rounds += 5000;
    const used = process.cpuUsage(started);
    if (used.user + used.system >= 8000) break;
  } while (true);
  return Math.round((total / rounds) * 100) / 100;
}

function storefront(): void {
  const pricing = process.env.PRICING_URL ?? 'http://pricing:8080';
  const inventory = process.env.INVENTORY_URL ?? 'http://inventory:8080';
  const requests = new Histogram('storefront_request_duration_seconds', 'Time to answer a quote request.', 'route');
  const upstreams = new Histogram('storefront_upstream_duration_seconds', 'Time a call to an upstream service took.', 'upstream');
  let failures = 0;
  const call = async (name: string, url: string) => {
    const started = performance.now();
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as Record<string, unknown>;
    upstreams.observe(name, (performance.now() - started) / 1000);
    if (!response.ok) throw new Error(`${name} answered ${response.status}`);
    return body;
  };
  serve('storefront', {
    async '/quote'(url, res) {
      const started = performance.now();
      const sku = url.searchParams.get('sku') ?? 'sku-1';
      try {
        const [price, stock] = await Promise.all([call('pricing', `${pricing}/price?sku=${sku}`), call('inventory', `${inventory}/stock?sku=${sku}`)]);
        json(res, 200, { sku, price: price.price, inStock: stock.inStock });
      } catch (e) {
        failures += 1;
        console.log(`storefront: quote for ${sku} failed: ${(e as Error).cause ?? (e as Error).message}`);
        json(res, 502, { sku, error: (e as Error).message });
      } finally {
        requests.observe('/quote', (performance.now() - started) / 1000);
      }
    },
    '/metrics'(_url, res) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`${requests.render()}\n${upstreams.render()}\n# HELP storefront_failed_quotes_total Quotes answered with an error.\n# TYPE storefront_failed_quotes_total counter\nstorefront_failed_quotes_total ${failures}\n`);
    },
  });
}

function pricing(): void {
  serve('pricing', {
    '/price'(url, res) {
      const sku = url.searchParams.get('sku') ?? 'sku-1';
      json(res, 200, { sku, price: simulatePrice(sku) });
    },
  });
}

function inventory(): void {
  const stock = new Map(Array.from({ length: 500 }, (_, i) => [`sku-${i}`, (i * 7) % 23]));
  serve('inventory', {
    '/stock'(url, res) {
      const sku = url.searchParams.get('sku') ?? 'sku-1';
      json(res, 200, { sku, inStock: stock.get(sku) ?? 0 });
    },
  });
}

const quoteUrl = (base: string, n: number) => `${base}/quote?sku=sku-${n % 500}`;

function shoppers(): void {
  const base = process.env.STOREFRONT_URL ?? 'http://storefront:8080';
  let n = 0;
  console.log(`shoppers: 20 quote requests a second to ${base}, at most 6 waiting at once`);
  steadyLoad(() => timedGet(quoteUrl(base, (n += 1)), 10_000), {
    rate: 20,
    maxInFlight: 6,
    reportEveryMs: 10_000,
    report: (t, skipped) => console.log(`shoppers: last 10 s: ${t.count} quotes, p50 ${t.p50} ms, p95 ${t.p95} ms, ${t.errors} errors, ${skipped} not sent (6 already waiting)`),
  });
}

async function measureRole(args: string[]): Promise<void> {
  const [base = 'http://storefront:8080', count = '30', rate = '10'] = args;
  let n = 0;
  const timing = await paced(() => timedGet(quoteUrl(base, (n += 1)), 5000, (b) => b.includes('"price"')), Number(count), Number(rate));
  console.log(JSON.stringify(timing));
}

runRoles({ storefront, pricing, inventory, shoppers, measure: measureRole });
