// The sample service of Lab 1, built into an image with lib/app-image.ts. One program, two
// modes (MODE):
// - server (default): the checkout service. Each order holds one of POOL_SIZE connection slots
//   for QUERY_MS, the app's stand-in for a database query; when every slot is busy, orders
//   queue. It can also hold CACHE_MB of memory (a warm cache, filled so that the pages are
//   resident). prom-client exposes an HTTP latency histogram, the pool gauges and the Node.js
//   process metrics on /metrics.
// - loadgen: CLIENTS closed-loop clients that each send an order to TARGET, wait for the
//   answer, pause THINK_MS, and send the next.
import http from 'node:http';
import client from 'prom-client';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${process.env[name]} is not a non-negative number`);
  return value;
};

function server(): void {
  const poolSize = Math.max(1, Math.floor(env('POOL_SIZE', 8)));
  const queryMs = env('QUERY_MS', 50);
  const cacheMb = env('CACHE_MB', 0);
  const port = env('PORT', 8080);

  const register = new client.Registry();
  client.collectDefaultMetrics({ register });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending the response.',
    labelNames: ['route', 'code'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [register],
  });
  const inUse = new client.Gauge({ name: 'checkout_db_pool_in_use', help: 'Connection slots in use.', registers: [register] });
  const waiting = new client.Gauge({ name: 'checkout_db_pool_waiting', help: 'Orders waiting for a connection slot.', registers: [register] });
  new client.Gauge({ name: 'checkout_db_pool_size', help: 'Connection slots (POOL_SIZE).', registers: [register] }).set(poolSize);
  new client.Gauge({ name: 'checkout_cache_bytes', help: 'Bytes held by the warm cache (CACHE_MB).', registers: [register] }).set(cacheMb * 1024 * 1024);

  // The warm cache: filled, so the memory is really used, not just reserved.
  const cache = cacheMb > 0 ? Buffer.alloc(cacheMb * 1024 * 1024, 1) : null;

  let busy = 0;
  const queue: (() => void)[] = [];
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (busy < poolSize) {
        busy += 1;
        inUse.set(busy);
        resolve();
      } else {
        queue.push(resolve);
        waiting.set(queue.length);
      }
    });
  const release = () => {
    const next = queue.shift();
    waiting.set(queue.length);
    if (next) next();
    else {
      busy -= 1;
      inUse.set(busy);
    }
  };

  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics') {
      res.setHeader('Content-Type', register.contentType);
      res.end(await register.metrics());
      return;
    }
    if (url.pathname === '/healthz') {
      res.end('ok\n');
      return;
    }
    const stop = duration.startTimer({ route: url.pathname === '/checkout' ? '/checkout' : 'other' });
    if (url.pathname !== '/checkout') {
      res.statusCode = 404;
      res.end('not found\n');
      stop({ code: '404' });
      return;
    }
    await acquire();
    await new Promise((resolve) => setTimeout(resolve, queryMs));
    release();
    res.setHeader('Content-Type', 'application/json');
    res.end(`{"order":"accepted","cache":${cache ? cache.length : 0}}\n`);
    stop({ code: '200' });
  });
  httpServer.listen(port, () => console.log(`checkout: listening on :${port}, POOL_SIZE=${poolSize}, QUERY_MS=${queryMs}, CACHE_MB=${cacheMb}`));
  process.on('SIGTERM', () => httpServer.close(() => process.exit(0)));
}

function loadgen(): void {
  const target = process.env.TARGET ?? 'http://localhost:8080/checkout';
  const clients = Math.max(1, Math.floor(env('CLIENTS', 10)));
  const thinkMs = env('THINK_MS', 100);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  let sent = 0;
  let failed = 0;
  const one = () =>
    new Promise<boolean>((resolve) => {
      const req = http.get(target, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
    });
  const loop = async () => {
    for (;;) {
      const ok = await one();
      sent += 1;
      if (!ok) failed += 1;
      // An unreachable service is retried once a second, not in a tight loop.
      await new Promise((resolve) => setTimeout(resolve, ok ? thinkMs : 1000));
    }
  };
  for (let i = 0; i < clients; i += 1) void loop();
  setInterval(() => console.log(`loadgen: ${sent} orders sent to ${target}, ${failed} failed`), 30_000);
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env.MODE === 'loadgen') loadgen();
else server();
