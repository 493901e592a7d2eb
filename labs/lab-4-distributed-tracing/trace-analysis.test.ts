// Trace analysis on Jaeger API v3 answers (fixtures/make-fixtures.ts records them from the
// lab's services and writes them in the shape Jaeger v2.20 serves), plus small hand-made traces
// for the edges of the critical-path walk.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findTraces, getTrace, jaegerServices, JaegerUnreachable, type HttpGet } from './jaeger.ts';
import {
  answerForms,
  contributions,
  criticalPath,
  median,
  rootOf,
  summarise,
  tracesFromResponse,
  type JaegerV3Response,
  type Trace,
  type TraceSpan,
} from './trace-analysis.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as JaegerV3Response;
const only = (name: string) => tracesFromResponse(fixture(name))[0]!;

describe('tracesFromResponse', () => {
  it('reads services from resources and times as microseconds', () => {
    const trace = only('trace-slow.json');
    expect(trace.spans).toHaveLength(10);
    expect(new Set(trace.spans.map((s) => s.service))).toEqual(new Set(['storefront', 'orders', 'pricing']));
    const root = rootOf(trace)!;
    expect(root).toMatchObject({ service: 'storefront', name: 'GET /checkout', parentSpanId: null });
    expect(root.end - root.start).toBeGreaterThan(600_000);
    expect(root.resource['module9.collector']).toBe('m9-lab4-collector');
    const load = trace.spans.find((s) => s.name === 'load tax table')!;
    expect(load.attributes).toMatchObject({ 'app.tax_table.region': 'eu', 'app.tax_table.cache_ttl_seconds': 0 });
  });

  it('splits a search answer into its traces', () => {
    const traces = tracesFromResponse(fixture('search-two-traces.json'));
    expect(traces).toHaveLength(2);
    expect(traces.map((t) => t.spans.length).sort((a, b) => a - b)).toEqual([9, 10]);
  });

  it('reads an empty answer as no traces', () => {
    expect(tracesFromResponse({})).toEqual([]);
    expect(tracesFromResponse({ result: { resourceSpans: [] } })).toEqual([]);
  });
});

describe('the critical path', () => {
  it('runs through the tax table load when pricing reloads it on every request', () => {
    const s = summarise(only('trace-slow.json'));
    expect(s.services).toEqual(['orders', 'pricing', 'storefront']);
    expect(s.bottleneck).toMatchObject({ service: 'pricing', name: 'load tax table' });
    expect(s.onPathMs('pricing', 'load tax table')).toBeGreaterThan(590);
    // The fraud check runs in parallel with the pricing call and ends first: not on the path.
    expect(s.onPathMs('orders', 'fraud check')).toBe(0);
  });

  it('moves to the fraud check once the table is cached, and shrinks to a fifth', () => {
    const before = summarise(only('trace-slow.json'));
    const after = summarise(only('trace-fixed.json'));
    expect(after.bottleneck).toMatchObject({ service: 'orders', name: 'fraud check' });
    expect(after.onPathMs('pricing', 'load tax table')).toBe(0);
    expect(after.totalMs).toBeLessThan(before.totalMs / 4);
  });

  it('tiles the root span exactly', () => {
    for (const name of ['trace-slow.json', 'trace-fixed.json']) {
      const trace = only(name);
      const root = rootOf(trace)!;
      const total = criticalPath(trace).reduce((sum, seg) => sum + (seg.end - seg.start), 0);
      expect(total).toBe(root.end - root.start);
    }
  });

  const span = (id: string, parent: string | null, start: number, end: number, name = id, service = 'svc'): TraceSpan => ({
    traceId: 't',
    spanId: id,
    parentSpanId: parent,
    service,
    name,
    start,
    end,
    attributes: {},
    resource: {},
  });
  const trace = (...spans: TraceSpan[]): Trace => ({ traceId: 't', spans });

  it('takes the later of two parallel children and the parent\'s gaps', () => {
    const path = criticalPath(trace(span('root', null, 0, 100), span('a', 'root', 10, 60), span('b', 'root', 20, 90)));
    expect(path.map((p) => [p.span.spanId, p.start, p.end])).toEqual([
      ['root', 90, 100],
      ['b', 20, 90],
      ['root', 0, 20],
    ]);
  });

  it('walks sequential children one after the other', () => {
    const path = criticalPath(trace(span('root', null, 0, 100), span('a', 'root', 0, 40), span('b', 'root', 40, 100)));
    expect(contributions(path).map((c) => [c.name, c.micros])).toEqual([
      ['b', 60],
      ['a', 40],
    ]);
  });

  it('clips a child that outlives its parent (an async span) to the parent', () => {
    const path = criticalPath(trace(span('root', null, 0, 100), span('late', 'root', 50, 300)));
    expect(contributions(path)).toEqual([
      { service: 'svc', name: 'late', micros: 50 },
      { service: 'svc', name: 'root', micros: 50 },
    ]);
  });

  it('starts from the earliest orphan when the root is missing', () => {
    const orphan = trace(span('x', 'gone', 10, 50), span('y', 'x', 20, 30));
    expect(rootOf(orphan)?.spanId).toBe('x');
    expect(criticalPath({ traceId: 't', spans: [] })).toEqual([]);
  });
});

describe('helpers', () => {
  it('accepts the answer written with a slash, a colon or a space', () => {
    expect(answerForms('pricing', 'load tax table')).toEqual(['pricing/load tax table', 'pricing / load tax table', 'pricing: load tax table', 'pricing load tax table']);
  });

  it('takes the median', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('the Jaeger client', () => {
  const serve = (routes: Record<string, { status: number; body: string }>): HttpGet => async (url) => {
    const path = new URL(url).pathname;
    const hit = routes[path];
    if (!hit) return { status: 404, body: '{"error":{"httpCode":404,"message":"No traces found"}}\n' };
    return hit;
  };
  const slowId = only('trace-slow.json').traceId;

  it('gets a trace by ID, and null for one Jaeger does not have', async () => {
    const get = serve({ [`/api/v3/traces/${slowId}`]: { status: 200, body: JSON.stringify(fixture('trace-slow.json')) } });
    expect((await getTrace('http://127.0.0.1:16686', slowId, get))?.spans).toHaveLength(10);
    expect(await getTrace('http://127.0.0.1:16686', '0123456789abcdef0123456789abcdef', get)).toBeNull();
  });

  it('searches with the API v3 parameters of Jaeger 2.20', async () => {
    let asked = '';
    const get: HttpGet = async (url) => {
      asked = url;
      return { status: 200, body: JSON.stringify(fixture('search-two-traces.json')) };
    };
    const traces = await findTraces('http://127.0.0.1:16686', 'storefront', 15 * 60_000, get, Date.parse('2026-11-25T12:00:00Z'));
    expect(traces).toHaveLength(2);
    const query = new URL(asked).searchParams;
    expect(new URL(asked).pathname).toBe('/api/v3/traces');
    expect(Object.fromEntries(query)).toEqual({
      'query.serviceName': 'storefront',
      'query.startTimeMin': '2026-11-25T11:45:00.000Z',
      'query.startTimeMax': '2026-11-25T12:00:01.000Z',
      'query.searchDepth': '100',
      'query.service_name': 'storefront',
      'query.start_time_min': '2026-11-25T11:45:00.000Z',
      'query.start_time_max': '2026-11-25T12:00:01.000Z',
      'query.num_traces': '100',
    });
    expect(await findTraces('http://127.0.0.1:16686', 'storefront', 1000, serve({}))).toEqual([]);
  });

  it('lists services', async () => {
    expect(await jaegerServices('http://127.0.0.1:16686', serve({ '/api/v3/services': { status: 200, body: '{"services":["storefront","jaeger","orders"]}' } }))).toEqual(['jaeger', 'orders', 'storefront']);
  });

  it('reports an unreachable or failing Jaeger as JaegerUnreachable, never as a missing trace', async () => {
    const refused: HttpGet = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:16686') });
    };
    await expect(getTrace('http://127.0.0.1:16686', slowId, refused)).rejects.toThrow(/did not answer \(connect ECONNREFUSED/);
    await expect(getTrace('http://127.0.0.1:16686', slowId, async () => ({ status: 503, body: 'storage not ready' }))).rejects.toBeInstanceOf(JaegerUnreachable);
    await expect(jaegerServices('http://127.0.0.1:16686', async () => ({ status: 200, body: '<html>' }))).rejects.toThrow(/not JSON/);
  });
});
