// The billing app of Scenario 2: one image, several roles, chosen by the first argument.
//   api       GET /invoices/<n>/pdf  has the renderer produce the invoice's PDF and answers with
//                                    its size; GET /metrics counts answered and failed downloads.
//   renderer  GET /render?invoice=<n> renders a PDF (2 MB) and keeps it in its document cache,
//                                    so a second download of the same invoice is instant;
//             GET /stats             what the cache holds. RENDER_CACHE_MB sets the cache size.
//   clerks    a steady stream of invoice downloads through the api, with a summary line in its
//             log every 10 s.
//   measure <url> <count> <rate>     sends downloads at a steady rate, prints their timing as JSON.
//   probe <url>                      prints the body of one GET (for kubectl exec).
import { createServer, type ServerResponse } from 'node:http';
import { paced, runRoles, steadyLoad, timedGet } from '../lib/traffic.ts';

const port = Number(process.env.PORT ?? 8080);
const documentBytes = 2 * 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function serve(role: string, handle: (url: URL, res: ServerResponse) => Promise<void> | void): void {
  createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return json(res, 200, { role, ok: true });
    Promise.resolve(handle(url, res)).catch((e: Error) => json(res, 500, { error: e.message }));
  }).listen(port, () => console.log(`${role}: listening on :${port}`));
}

/** The document cache: slots of one rendered PDF each, filled in turn, the oldest replaced once full. */
class DocumentCache {
  readonly limitBytes: number;
  private slots: { invoice: string; pdf: Buffer }[] = [];
  private next = 0;
  constructor(limitMb: number) {
    this.limitBytes = Math.max(0, limitMb) * 1024 * 1024;
  }
  get bytes(): number {
    return this.slots.length * documentBytes;
  }
  find(invoice: string): Buffer | undefined {
    return this.slots.find((s) => s.invoice === invoice)?.pdf;
  }
  store(invoice: string, render: (into: Buffer) => void): Buffer {
    if (this.bytes + documentBytes <= this.limitBytes) {
      const pdf = Buffer.allocUnsafeSlow(documentBytes);
      render(pdf);
      this.slots.push({ invoice, pdf });
      return pdf;
    }
    const slot = this.slots[this.next];
    if (!slot) {
      const pdf = Buffer.allocUnsafe(documentBytes);
      render(pdf);
      return pdf;
    }
    this.next = (this.next + 1) % this.slots.length;
    render(slot.pdf);
    slot.invoice = invoice;
    return slot.pdf;
  }
}

/** Writes the invoice's page content into the buffer: every byte of it. */
function renderPdf(invoice: string, into: Buffer): void {
  const header = Buffer.from(`%PDF-1.7\n% invoice ${invoice}\n`);
  header.copy(into);
  for (let i = header.length; i < into.length; i += 4096) into.fill((i / 4096 + invoice.length) % 251, i, Math.min(i + 4096, into.length));
}

function renderer(): void {
  const cache = new DocumentCache(Number(process.env.RENDER_CACHE_MB ?? 64));
  let rendered = 0;
  console.log(`renderer: starting, document cache of ${cache.limitBytes / 1024 / 1024} MB (RENDER_CACHE_MB)`);
  serve('renderer', (url, res) => {
    if (url.pathname === '/stats') return json(res, 200, { cacheBytes: cache.bytes, cacheLimitBytes: cache.limitBytes, rendered });
    if (url.pathname !== '/render') return json(res, 404, { error: `no route ${url.pathname}` });
    const invoice = url.searchParams.get('invoice') ?? '1';
    const cached = cache.find(invoice);
    const pdf = cached ?? cache.store(invoice, (into) => renderPdf(invoice, into));
    if (!cached) rendered += 1;
    json(res, 200, { invoice, bytes: pdf.length, cached: !!cached });
  });
}

function api(): void {
  const rendererUrl = process.env.RENDERER_URL ?? 'http://renderer:8080';
  let answered = 0;
  let failed = 0;
  serve('api', async (url, res) => {
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# HELP billing_downloads_total Invoice downloads answered, by result.\n# TYPE billing_downloads_total counter\n` +
          `billing_downloads_total{result="ok"} ${answered}\nbilling_downloads_total{result="failed"} ${failed}\n`,
      );
      return;
    }
    const match = /^\/invoices\/(\d+)\/pdf$/.exec(url.pathname);
    if (!match) return json(res, 404, { error: `no route ${url.pathname}` });
    try {
      const response = await fetch(`${rendererUrl}/render?invoice=${match[1]}`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`renderer answered ${response.status}`);
      answered += 1;
      json(res, 200, await response.json());
    } catch (e) {
      failed += 1;
      const error = e as Error & { cause?: Error };
      console.log(`api: invoice ${match[1]}: renderer unavailable: ${error.cause?.message ?? error.message}`);
      json(res, 502, { invoice: match[1], error: 'renderer unavailable' });
    }
  });
}

/** Invoices 1..400 in turn: the working set a day's downloads cover. */
const invoiceUrl = (base: string, n: number) => `${base}/invoices/${(n % 400) + 1}/pdf`;

function clerks(): void {
  const base = process.env.API_URL ?? 'http://api:8080';
  let n = 0;
  console.log(`clerks: 10 invoice downloads a second through ${base}`);
  steadyLoad(() => timedGet(invoiceUrl(base, (n += 1)), 10_000), {
    rate: 10,
    maxInFlight: 10,
    reportEveryMs: 10_000,
    report: (t, skipped) => console.log(`clerks: last 10 s: ${t.count} downloads, ${t.errors} failed${t.firstError ? ` (${t.firstError})` : ''}, p95 ${t.p95} ms, ${skipped} not sent`),
  });
}

async function measureRole([base = 'http://api:8080', count = '10', rate = '5']: string[]): Promise<void> {
  let n = 0;
  console.log(JSON.stringify(await paced(() => timedGet(invoiceUrl(base, (n += 1)), 5000, (b) => b.includes('"bytes"')), Number(count), Number(rate))));
}

async function probe([url = 'http://localhost:8080/healthz']: string[]): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  console.log(await response.text());
  if (!response.ok) process.exitCode = 1;
}

runRoles({ api, renderer, clerks, measure: measureRole, probe });
