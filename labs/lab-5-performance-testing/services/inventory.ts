// Lab 5's inventory service: the backend the catalogue calls for stock levels. Like a database
// or a TLS endpoint, it makes every new connection costly: before it answers the first request
// on a connection it sets the connection up (CONNECTION_SETUP_MS, 50 ms by default), and it sets
// up one connection at a time. A request on a connection that is already set up costs only the
// query time (QUERY_MS). So a client that opens a new connection per request is limited to about
// 1000 / CONNECTION_SETUP_MS requests per second; a client that keeps connections open is not.
// GET /stats reports connections accepted, connections set up and requests served.
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const port = Number(process.env.PORT ?? 9090);
const setupMs = Number(process.env.CONNECTION_SETUP_MS ?? 50);
const queryMs = Number(process.env.QUERY_MS ?? 5);

const stats = { connections: 0, setups: 0, requests: 0 };
const ready = new WeakSet<Socket>();
let setupQueue: Promise<unknown> = Promise.resolve();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sets a connection up, one at a time; a connection the client gave up on is skipped. */
function setUp(socket: Socket): Promise<boolean> {
  const turn = setupQueue.then(async () => {
    if (socket.destroyed) return false;
    await sleep(setupMs);
    stats.setups += 1;
    return !socket.destroyed;
  });
  setupQueue = turn;
  return turn;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  if (req.url === '/stats') return send(res, 200, stats);
  const match = /^\/stock\/([A-Za-z0-9-]{1,40})$/.exec(req.url ?? '');
  if (!match) return send(res, 404, { error: 'not found' });
  if (!ready.has(req.socket)) {
    if (!(await setUp(req.socket))) return;
    ready.add(req.socket);
  }
  stats.requests += 1;
  await sleep(queryMs);
  const sku = match[1]!;
  let quantity = 0;
  for (const c of sku) quantity = (quantity * 31 + c.charCodeAt(0)) % 500;
  send(res, 200, { sku, quantity });
});
server.on('connection', () => {
  stats.connections += 1;
});
server.keepAliveTimeout = 60_000;
server.listen(port, '0.0.0.0', () => {
  console.log(`inventory: listening on :${port}; connection setup ${setupMs} ms (one at a time), query ${queryMs} ms`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
