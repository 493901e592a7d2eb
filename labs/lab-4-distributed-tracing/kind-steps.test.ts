// The kind part's logic here, where no cluster runs: reading what the in-Pod fetch returns
// (the fetch program itself runs against a local server), the tail-sampling verdict on recorded
// traces, the manifests, and the Collector and Jaeger configurations against the keys their
// upstream READMEs and Jaeger v2.20's built-in configuration define.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { collectorAttribute, collectorConfig, jaegerConfig, tailSamplingCollectorConfig } from './config.ts';
import { fetchManyScript, judgeTailSampling, readCheckouts, readLookups, slowThresholdMs, type FetchResult } from './kind-steps.ts';
import { collectorObjects, collectorPorts, jaegerObjects, shopEnvVars, shopObjects } from './manifests.ts';
import { tracesFromResponse, type Trace } from './trace-analysis.ts';
import type { Lookup } from './judge.ts';

const raw = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const load = (name: string) => tracesFromResponse(JSON.parse(raw(name)))[0]!;
const copy = (t: Trace, n: number): Trace => {
  const id = `${t.traceId.slice(0, 28)}${String(n).padStart(4, '0')}`;
  return { traceId: id, spans: t.spans.map((s) => ({ ...s, traceId: id })) };
};

describe('the in-Pod fetch program', () => {
  it('GETs every URL, a few at a time, and prints statuses and bodies as JSON', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/missing') return res.writeHead(404).end('{"error":{"httpCode":404,"message":"No traces found"}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    try {
      const urls = [`${base}/a`, `${base}/missing`, `${base}/b`, `http://127.0.0.1:${closedPort}/refused`];
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', fetchManyScript, JSON.stringify(urls), '2']);
      const out = JSON.parse(stdout) as FetchResult[];
      expect(out[0]).toEqual({ status: 200, body: '{"path":"/a"}' });
      expect(out[1]).toMatchObject({ status: 404 });
      expect(out[2]).toEqual({ status: 200, body: '{"path":"/b"}' });
      expect(out[3]).toEqual({ error: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      server.close();
    }
  });
});

describe('reading the in-Pod answers', () => {
  const slow = load('trace-slow.json');

  it('turns Jaeger answers into traces, a 404 into "not there"', () => {
    const lookup = readLookups([slow.traceId, 'ffffffffffffffffffffffffffffffff'], [{ status: 200, body: raw('trace-slow.json') }, { status: 404, body: '{"error":{"httpCode":404,"message":"No traces found"}}' }]);
    expect(lookup.get(slow.traceId)?.spans).toHaveLength(10);
    expect(lookup.get('ffffffffffffffffffffffffffffffff')).toBeNull();
  });

  it('reports an unreachable Jaeger or storefront instead of a missing trace', () => {
    expect(() => readLookups(['a'], [{ error: 'getaddrinfo ENOTFOUND m9-lab4-jaeger' }])).toThrow(/did not answer from inside the cluster \(getaddrinfo ENOTFOUND/);
    expect(() => readLookups(['a'], [{ status: 503, body: 'no healthy upstream' }])).toThrow(/HTTP 503/);
    expect(() => readCheckouts([{ error: 'connect ECONNREFUSED 127.0.0.1:8080' }])).toThrow(/storefront did not answer/);
    expect(readCheckouts([{ status: 200, body: '{"order":{},"traceId":"abc","sampled":true}' }])).toEqual(['abc']);
  });
});

describe('judgeTailSampling', () => {
  const slow = load('trace-slow.json');
  const fixed = load('trace-fixed.json');
  const of = (kept: Trace[], missing: number): Lookup => {
    const lookup: Lookup = new Map(kept.map((t) => [t.traceId, t]));
    for (let i = 0; i < missing; i += 1) lookup.set(`dropped-${i}-${kept.length}`, null);
    return lookup;
  };
  const slowKept = of([1, 2, 3, 4].map((n) => copy(slow, n)), 0);

  it('passes every slow trace and a few fast ones', () => {
    expect(judgeTailSampling(slowKept, of([copy(fixed, 10), copy(fixed, 11), copy(fixed, 12)], 27))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/All 4 slow checkouts kept \(6\d\d ms/) });
  });

  it('fails keeping everything, dropping a slow one, or breaking traces', () => {
    expect(judgeTailSampling(slowKept, of(Array.from({ length: 30 }, (_, n) => copy(fixed, 10 + n)), 0))).toMatchObject({ code: 'keeps-everything' });
    expect(judgeTailSampling(of([copy(slow, 1)], 3), of([copy(fixed, 10)], 29))).toMatchObject({ code: 'slow-trace-dropped', reason: expect.stringMatching(/3 of the 4 slow checkouts/) });
    expect(judgeTailSampling(slowKept, of([load('trace-storefront-only.json')], 29))).toMatchObject({ code: 'incomplete-traces' });
  });
});

describe('the manifests', () => {
  it('label everything for cleanup and point the services at the Collector', () => {
    const objects = [...jaegerObjects('jaeger@sha'), ...collectorObjects('collector@sha'), ...shopObjects('module9/lab-4-distributed-tracing-shop:local', { endpoint: 'http://m9-lab4-collector:4318', sampler: { name: 'parentbased_always_on' }, taxTableCacheSeconds: 300 })];
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'module9.lab': 'lab-4-distributed-tracing' });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/m9-lab4-jaeger-config',
      'Deployment/m9-lab4-jaeger',
      'Service/m9-lab4-jaeger',
      'ConfigMap/m9-lab4-collector-config',
      'Deployment/m9-lab4-collector',
      'Service/m9-lab4-collector',
      'Deployment/m9-lab4-storefront',
      'Service/m9-lab4-storefront',
      'Deployment/m9-lab4-orders',
      'Service/m9-lab4-orders',
      'Deployment/m9-lab4-pricing',
      'Service/m9-lab4-pricing',
    ]);
    const shop = objects.find((o) => o.metadata.name === 'm9-lab4-pricing' && o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { imagePullPolicy: string; env: { name: string; value: string }[] }[] } } } };
    expect(shop.spec.template.spec.containers[0]!.imagePullPolicy).toBe('Never');
    expect(shopEnvVars('pricing', { endpoint: 'http://m9-lab4-collector:4318', sampler: { name: 'parentbased_always_on' }, taxTableCacheSeconds: 300 })).toEqual(
      expect.arrayContaining([{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://m9-lab4-collector:4318' }, { name: 'TAX_TABLE_CACHE_SECONDS', value: '300' }]),
    );
    expect((collectorObjects('c', undefined, collectorPorts.grpcOnly)[2] as { spec: { ports: { port: number }[] } }).spec.ports.map((p) => p.port)).toEqual([4317]);
  });
});

type Pipeline = { receivers: string[]; processors?: string[]; exporters: string[] };
type CollectorConfig = {
  receivers: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  service: { extensions?: string[]; pipelines: Record<string, Pipeline> };
};

/** Component types the Collector contrib 0.159 and Jaeger 2.20 distributions have, by kind. */
const known = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'resource', 'batch', 'tail_sampling'],
  exporters: ['otlp_grpc', 'jaeger_storage_exporter'],
  extensions: ['jaeger_storage', 'jaeger_query'],
};

function structureProblems(config: CollectorConfig): string[] {
  const problems: string[] = [];
  for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[kind] ?? []) {
        if (!(id in (config[kind] ?? {}))) problems.push(`pipeline ${name} uses ${kind}.${id}, which is not defined`);
        if (!known[kind].includes(id.split('/')[0]!)) problems.push(`${kind}.${id} is not a known component type`);
      }
    }
  }
  for (const id of config.service.extensions ?? []) if (!(id in (config.extensions ?? {}))) problems.push(`extension ${id} is not defined`);
  return problems;
}

describe('the Collector configurations', () => {
  const plain = parse(collectorConfig()) as CollectorConfig;
  const tail = parse(tailSamplingCollectorConfig()) as CollectorConfig & { processors: { tail_sampling: { decision_wait: string; num_traces: number; policies: Record<string, unknown>[] } } };

  it('are well formed: every component in a pipeline is defined and exists in the distribution', () => {
    expect(structureProblems(plain)).toEqual([]);
    expect(structureProblems(tail)).toEqual([]);
  });

  it('receive OTLP on 4317 (gRPC) and 4318 (HTTP) on all interfaces, and forward to Jaeger over gRPC', () => {
    for (const c of [plain, tail]) {
      expect(c.receivers.otlp).toEqual({ protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } });
      expect(c.exporters.otlp_grpc).toEqual({ endpoint: 'm9-lab4-jaeger:4317', tls: { insecure: true } });
      expect(c.processors!.resource).toEqual({ attributes: [{ key: collectorAttribute.key, value: collectorAttribute.value, action: 'upsert' }] });
      const order = c.service.pipelines.traces!.processors!;
      expect(order[0]).toBe('memory_limiter');
      expect(order.at(-1)).toBe('batch');
    }
  });

  it('tail-sample on latency at the lab\'s threshold, after the resource processor', () => {
    const ts = tail.processors.tail_sampling;
    expect(ts.decision_wait).toBe('5s');
    expect(tail.service.pipelines.traces!.processors).toEqual(['memory_limiter', 'resource', 'tail_sampling', 'batch']);
    for (const policy of ts.policies) {
      expect(Object.keys(policy).sort()).toEqual(['name', 'type', policy.type as string].sort());
      expect(['latency', 'status_code', 'probabilistic']).toContain(policy.type);
    }
    expect(ts.policies.find((p) => p.type === 'latency')).toMatchObject({ latency: { threshold_ms: slowThresholdMs } });
    expect(ts.policies.find((p) => p.type === 'probabilistic')).toMatchObject({ probabilistic: { sampling_percentage: 10 } });
  });
});

describe('the Jaeger configuration', () => {
  const jaeger = parse(jaegerConfig()) as CollectorConfig & {
    extensions: { jaeger_storage: { backends: Record<string, { memory: { max_traces: number } }> }; jaeger_query: { storage: { traces: string } } };
    exporters: { jaeger_storage_exporter: { trace_storage: string } };
  };

  it('is a Collector configuration whose storage names resolve', () => {
    expect(structureProblems(jaeger)).toEqual([]);
    const backends = Object.keys(jaeger.extensions.jaeger_storage.backends);
    expect(backends).toContain(jaeger.extensions.jaeger_query.storage.traces);
    expect(backends).toContain(jaeger.exporters.jaeger_storage_exporter.trace_storage);
    expect(jaeger.extensions.jaeger_storage.backends[backends[0]!]!.memory.max_traces).toBeGreaterThan(0);
    expect(jaeger.receivers.otlp).toEqual({ protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } });
  });
});
