// Reading traces from Jaeger v2's query API (API v3 over HTTP, port 16686):
//   GET /api/v3/traces/{trace_id}        one trace; 404 with {"error":{"httpCode":404,...}} if unknown
//   GET /api/v3/traces?query.serviceName=...&query.startTimeMin=...&query.startTimeMax=...
//   GET /api/v3/services                  {"services":[...]}
// Parameter names as in Jaeger v2.20.0 (apiv3/query_parser.go). An unreachable Jaeger is an
// environment problem (JaegerUnreachable), never a trace that is "not there".
import { tracesFromResponse, type JaegerV3Response, type Trace } from './trace-analysis.ts';

export type HttpGet = (url: string) => Promise<{ status: number; body: string }>;

export const fetchGet: HttpGet = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
};

export class JaegerUnreachable extends Error {
  readonly url: string;
  constructor(url: string, why: string) {
    super(`Jaeger's query API at ${url} did not answer (${why})`);
    this.name = 'JaegerUnreachable';
    this.url = url;
  }
}

async function getJson(get: HttpGet, url: string): Promise<{ status: number; json: unknown }> {
  let response;
  try {
    response = await get(url);
  } catch (cause) {
    const why = ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
    throw new JaegerUnreachable(url, why);
  }
  if (response.status >= 500) throw new JaegerUnreachable(url, `HTTP ${response.status}: ${response.body.trim().slice(0, 120)}`);
  try {
    return { status: response.status, json: JSON.parse(response.body) };
  } catch {
    throw new JaegerUnreachable(url, `HTTP ${response.status} with a body that is not JSON: ${response.body.trim().slice(0, 80)}`);
  }
}

/** The services Jaeger has spans for; throws JaegerUnreachable if it does not answer. */
export async function jaegerServices(base: string, get: HttpGet = fetchGet): Promise<string[]> {
  const { status, json } = await getJson(get, `${base}/api/v3/services`);
  if (status !== 200) throw new JaegerUnreachable(`${base}/api/v3/services`, `HTTP ${status}`);
  return ((json as { services?: string[] }).services ?? []).slice().sort();
}

/** One trace by ID, or null when Jaeger does not have it (yet). */
export async function getTrace(base: string, traceId: string, get: HttpGet = fetchGet): Promise<Trace | null> {
  const url = `${base}/api/v3/traces/${traceId}`;
  const { status, json } = await getJson(get, url);
  if (status === 404) return null;
  if (status !== 200) throw new JaegerUnreachable(url, `HTTP ${status}`);
  return tracesFromResponse(json as JaegerV3Response).find((t) => t.traceId === traceId.toLowerCase()) ?? null;
}

/** Traces with spans from `service` that started in the last `lookbackMs`. */
export async function findTraces(base: string, service: string, lookbackMs: number, get: HttpGet = fetchGet, now = Date.now()): Promise<Trace[]> {
  // Jaeger's HTTP gateway names these in camelCase now and keeps the snake_case names as
  // deprecated aliases; older v2 releases know only snake_case. Each side ignores the names it
  // does not know, so sending both works with either.
  const from = new Date(now - lookbackMs).toISOString();
  const to = new Date(now + 1000).toISOString();
  const query = new URLSearchParams({
    'query.serviceName': service,
    'query.startTimeMin': from,
    'query.startTimeMax': to,
    'query.searchDepth': '100',
    'query.service_name': service,
    'query.start_time_min': from,
    'query.start_time_max': to,
    'query.num_traces': '100',
  });
  const url = `${base}/api/v3/traces?${query}`;
  const { status, json } = await getJson(get, url);
  if (status === 404) return [];
  if (status !== 200) throw new JaegerUnreachable(url, `HTTP ${status}`);
  return tracesFromResponse(json as JaegerV3Response);
}
