// Lab 5's catalogue API: GET /products/<sku> prices the product (CPU work: PRICING_ROUNDS hash
// rounds, 100 by default, about 0.4 ms of one laptop core) and asks the inventory service for its
// stock level.
// How it connects to the inventory is configuration:
//   INVENTORY_POOL_SIZE=0 (the default): a new connection for every request (agent: false,
//     which sends `Connection: close`);
//   INVENTORY_POOL_SIZE=N: a keep-alive pool of at most N connections (http.Agent with
//     keepAlive: true, maxSockets: N), reused from request to request.
// A call to the inventory that takes longer than INVENTORY_TIMEOUT_MS is abandoned: the
// catalogue answers 504, so a slow backend shows up as errors as well as latency.
import { createHash } from 'node:crypto';
import { Agent, createServer, request, type ServerResponse } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const inventoryUrl = new URL(process.env.INVENTORY_URL ?? 'http://127.0.0.1:9090');
const poolSize = Number(process.env.INVENTORY_POOL_SIZE ?? 0);
const timeoutMs = Number(process.env.INVENTORY_TIMEOUT_MS ?? 2000);
const pricingRounds = Number(process.env.PRICING_ROUNDS ?? 100);

const agent = poolSize > 0 ? new Agent({ keepAlive: true, maxSockets: poolSize }) : false;
const block = Buffer.alloc(1024, 7);

function price(sku: string): number {
  let digest = Buffer.from(sku);
  for (let i = 0; i < pricingRounds; i += 1) digest = createHash('sha256').update(block).update(digest).digest();
  return 5 + (digest[0]! % 95) + 0.99;
}

function stockOf(sku: string): Promise<{ quantity: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: inventoryUrl.hostname, port: inventoryUrl.port, path: `/stock/${sku}`, agent, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as { quantity: number }) : reject(new Error(`inventory answered ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.url === '/healthz') return send(res, 200, { ok: true });
  const match = /^\/products\/([A-Za-z0-9-]{1,40})$/.exec(req.url ?? '');
  if (!match) return send(res, 404, { error: 'not found' });
  const sku = match[1]!;
  const amount = price(sku);
  try {
    const { quantity } = await stockOf(sku);
    send(res, 200, { sku, price: amount, quantity });
  } catch (cause) {
    const timedOut = (cause as Error).name === 'TimeoutError' || (cause as Error).name === 'AbortError';
    send(res, timedOut ? 504 : 502, { error: timedOut ? `inventory did not answer within ${timeoutMs} ms` : `inventory: ${(cause as Error).message}` });
  }
});
server.keepAliveTimeout = 60_000;
server.listen(port, '0.0.0.0', () => {
  const client = agent ? `a keep-alive pool of up to ${poolSize} connections` : 'a new connection for every request';
  console.log(`catalog: listening on :${port}; inventory at ${inventoryUrl.origin} through ${client} (INVENTORY_POOL_SIZE=${poolSize}), timeout ${timeoutMs} ms`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
