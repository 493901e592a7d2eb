// The small HTTP toolkit the three shop services share: a JSON server on node:http, a JSON GET
// with a timeout, and one log line per request, so `docker logs` and `kubectl logs` show what
// each service did.
import { createServer, type IncomingMessage } from 'node:http';

export type Handler = (url: URL, request: IncomingMessage) => Promise<{ status: number; body: unknown }>;

export function log(service: string, line: string): void {
  console.log(`${new Date().toISOString()} ${service}: ${line}`);
}

/** Serves `routes` by path prefix; `/healthz` answers 200 for probes. */
export function serve(service: string, routes: Record<string, Handler>): void {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.LISTEN_HOST ?? '0.0.0.0';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (url.pathname === '/healthz') return reply(200, { service, status: 'ok' });
    const route = Object.keys(routes).find((prefix) => url.pathname.startsWith(prefix));
    if (!route) return reply(404, { error: `no route for ${url.pathname}` });
    routes[route]!(url, request).then(
      ({ status, body }) => reply(status, body),
      (cause: Error) => reply(500, { error: cause.message }),
    );
  });
  server.listen(port, host, () => log(service, `listening on ${host}:${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** The reason a request failed, as Node reports it: the error code and the address it tried. */
export function describeFailure(cause: unknown): string {
  const error = cause as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'no answer within 3 s';
  return error.cause?.message ?? error.message;
}

/** GET `url` and parse its JSON body; rejects when there is no HTTP answer within 3 s. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(1);
  }
  return value;
}
