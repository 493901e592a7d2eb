// The checks' verdicts on recorded traces (fixtures/, in Jaeger API v3's answer shape), and
// the Docker part's container options.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serviceOptions, setups } from './docker-steps.ts';
import { agreedBottleneck, judgeArrival, judgeFix, judgeSampling, lookUpUntilSettled, type Lookup } from './judge.ts';
import { answerForms, tracesFromResponse, type Trace } from './trace-analysis.ts';

const load = (name: string) => tracesFromResponse(JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')))[0]!;
const slow = load('trace-slow.json');
const fixed = load('trace-fixed.json');
const storefrontOnly = load('trace-storefront-only.json');
const direct = load('trace-direct.json');

/** The same recorded trace under another ID, as if several checkouts had been sent. */
const copy = (t: Trace, n: number): Trace => {
  const id = `${t.traceId.slice(0, 28)}${String(n).padStart(4, '0')}`;
  return { traceId: id, spans: t.spans.map((s) => ({ ...s, traceId: id })) };
};
const lookupOf = (...entries: (Trace | null)[]): Lookup => new Map(entries.map((t, i) => [t?.traceId ?? `missing-${i}`, t]));

describe('judgeArrival', () => {
  it('passes whole traces that came through the Collector', () => {
    expect(judgeArrival(lookupOf(copy(slow, 1), copy(slow, 2), copy(fixed, 3)))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/3 of 3 checkouts arrived/) });
  });

  it('fails with no traces, broken traces, a bypassed Collector, and traces still arriving', () => {
    expect(judgeArrival(lookupOf(null, null, null))).toMatchObject({ code: 'no-traces', reason: expect.stringMatching(/OTEL_EXPORTER_OTLP_ENDPOINT/) });
    expect(judgeArrival(lookupOf(copy(slow, 1), storefrontOnly))).toMatchObject({ code: 'incomplete-traces', reason: expect.stringMatching(/from storefront but none from orders and pricing/) });
    expect(judgeArrival(lookupOf(direct, copy(slow, 1)))).toMatchObject({ code: 'bypasses-collector', reason: expect.stringMatching(/module9\.collector/) });
    expect(judgeArrival(lookupOf(copy(slow, 1), null))).toMatchObject({ code: 'still-arriving' });
  });
});

describe('agreedBottleneck (the diagnose step\'s answer)', () => {
  it('names pricing/load tax table from slow traces', () => {
    const found = agreedBottleneck([copy(slow, 1), copy(slow, 2), copy(slow, 3)]);
    expect(found).toMatchObject({ service: 'pricing', name: 'load tax table' });
    expect(found!.onPathMs).toBeGreaterThan(590);
    expect(answerForms(found!.service, found!.name)).toContain('pricing/load tax table');
  });

  it('has no answer once the fault is gone, or when traces are broken', () => {
    expect(agreedBottleneck([copy(fixed, 1), copy(fixed, 2)])).toBeNull();
    expect(agreedBottleneck([storefrontOnly])).toBeNull();
    expect(agreedBottleneck([])).toBeNull();
  });

  it('needs a majority of the traces to agree', () => {
    expect(agreedBottleneck([copy(slow, 1), copy(fixed, 2), copy(fixed, 3)], 50)).toMatchObject({ service: 'orders', name: 'fraud check' });
    expect(agreedBottleneck([copy(slow, 1), copy(fixed, 2)], 50)).toBeNull();
  });
});

describe('judgeFix', () => {
  const after = lookupOf(...[1, 2, 3, 4, 5].map((n) => copy(fixed, n)));

  it('passes when the critical path shrank, and reports it next to the earlier traces', () => {
    const result = judgeFix(after, [copy(slow, 10), copy(slow, 11), copy(fixed, 12)]);
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.status === 'pass' && result.observed).toMatch(/median critical path 1\d\d ms, was 6\d\d ms over 2 earlier checkout\(s\)\. The critical path now runs through orders\/fraud check; pricing\/load tax table is 0 ms of it/);
  });

  it('fails while the slow span is still on every critical path, naming it', () => {
    const result = judgeFix(lookupOf(...[1, 2, 3].map((n) => copy(slow, n))), []);
    expect(result).toMatchObject({ code: 'still-slow', reason: expect.stringMatching(/largest part of it is pricing\/load tax table \(pricing\/load tax table: 6\d\d ms of it\)/) });
  });

  it('fails when a service stopped sending its spans, and waits for late ones', () => {
    expect(judgeFix(lookupOf(copy(fixed, 1), storefrontOnly), [])).toMatchObject({ code: 'incomplete-traces' });
    expect(judgeFix(lookupOf(copy(fixed, 1), null), [])).toMatchObject({ code: 'still-arriving' });
  });
});

describe('judgeSampling', () => {
  const sent = (kept: Trace[], total: number): Lookup => {
    const lookup: Lookup = new Map(kept.map((t) => [t.traceId, t]));
    for (let i = kept.length; i < total; i += 1) lookup.set(`unsampled-${i}`, null);
    return lookup;
  };

  it('passes about a quarter of whole traces', () => {
    expect(judgeSampling(sent([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((n) => copy(fixed, n)), 60))).toMatchObject({ status: 'pass', observed: expect.stringMatching(/15 of the 60 checkouts just sent \(25%\)/) });
  });

  it('fails broken traces first, then too many or too few', () => {
    expect(judgeSampling(sent([copy(fixed, 1), storefrontOnly], 60))).toMatchObject({ code: 'incomplete-traces' });
    expect(judgeSampling(sent(Array.from({ length: 60 }, (_, n) => copy(fixed, n)), 60))).toMatchObject({ code: 'keeps-too-many' });
    expect(judgeSampling(sent([copy(fixed, 1), copy(fixed, 2)], 60))).toMatchObject({ code: 'keeps-too-few' });
  });
});

describe('lookUpUntilSettled', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, pause: async (ms: number) => void (t += ms) };
  };

  it('returns as soon as every trace is whole', async () => {
    let calls = 0;
    const c = clock();
    const result = await lookUpUntilSettled(['a'], async () => new Map([['a', ++calls >= 3 ? copy(fixed, 1) : null]]), { ...c });
    expect(calls).toBe(3);
    expect(result.get('a')).not.toBeNull();
  });

  it('stops once nothing changed for settleMs (unsampled traces never come)', async () => {
    let calls = 0;
    const c = clock();
    await lookUpUntilSettled(['a'], async () => (calls++, new Map([['a', null]])), { ...c, settleMs: 4000, timeoutMs: 60_000 });
    expect(calls).toBe(5);
  });

  it('waits at least minWaitMs, for a tail sampler to decide', async () => {
    let calls = 0;
    const c = clock();
    await lookUpUntilSettled(['a'], async () => (calls++, new Map([['a', copy(fixed, 1)]])), { ...c, minWaitMs: 10_000 });
    expect(calls).toBe(11);
  });
});

describe('the Docker part\'s services', () => {
  const env = (options: string[]) => options.filter((_, i) => options[i - 1] === '-e');

  it('start on the lab network with the sampler, endpoint and cache of each setup', () => {
    expect(serviceOptions('storefront', setups.wrongPort)).toEqual(expect.arrayContaining(['--network', 'm9-lab4-net', '-p', '127.0.0.1:8484:8080']));
    expect(env(serviceOptions('storefront', setups.wrongPort))).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://m9-lab4-collector:4317');
    expect(env(serviceOptions('pricing', setups.slow))).toEqual(expect.arrayContaining(['OTEL_EXPORTER_OTLP_ENDPOINT=http://m9-lab4-collector:4318', 'TAX_TABLE_CACHE_SECONDS=0', 'OTEL_TRACES_SAMPLER=parentbased_always_on']));
    expect(env(serviceOptions('pricing', setups.fixed))).toContain('TAX_TABLE_CACHE_SECONDS=300');
    expect(env(serviceOptions('orders', setups.unevenSampling))).toEqual(expect.arrayContaining(['OTEL_TRACES_SAMPLER=traceidratio', 'OTEL_TRACES_SAMPLER_ARG=0.1', 'PRICING_URL=http://m9-lab4-pricing:8080']));
    expect(env(serviceOptions('storefront', setups.headSampling))).toEqual(expect.arrayContaining(['OTEL_TRACES_SAMPLER=parentbased_traceidratio', 'OTEL_TRACES_SAMPLER_ARG=0.25']));
    expect(serviceOptions('orders', setups.slow)).not.toContain('-p');
  });
});

describe('bad input: an unreachable Jaeger or storefront is an error with the next step', () => {
  it('reports Jaeger down as an error, never a pass or a fail', async () => {
    const { guarded } = await import('./docker-steps.ts');
    const { JaegerUnreachable } = await import('./jaeger.ts');
    const result = await guarded('fix-slow-span', async () => {
      throw new JaegerUnreachable('http://127.0.0.1:16686/api/v3/traces/abc', 'connect ECONNREFUSED 127.0.0.1:16686');
    });
    expect(result).toMatchObject({ status: 'error', reason: expect.stringMatching(/did not answer \(connect ECONNREFUSED/), next: expect.stringMatching(/docker ps -a --filter name=m9-lab4-jaeger.*--from fix-slow-span/) });
  });

  it('reports a storefront that does not answer as an error', async () => {
    const { guarded, sendCheckouts, TargetUnreachable } = await import('./docker-steps.ts');
    const refused = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:8484') });
    };
    await expect(sendCheckouts(1, { get: refused })).rejects.toBeInstanceOf(TargetUnreachable);
    await expect(sendCheckouts(1, { get: async () => ({ status: 502, body: '{"error":"pricing failed"}' }) })).rejects.toThrow(/answered HTTP 502/);
    const result = await guarded('traces-arrive', () => sendCheckouts(1, { get: refused }).then(() => ({ status: 'pass' as const, observed: '' })));
    expect(result).toMatchObject({ status: 'error', reason: expect.stringMatching(/storefront at http:\/\/127\.0\.0\.1:8484\/checkout\?region=eu did not answer \(connect ECONNREFUSED/), next: expect.stringMatching(/docker logs m9-lab4-storefront/) });
  });

  it('reports the same on kind when the Pod cannot be reached', async () => {
    const { guarded, InClusterUnreachable } = await import('./kind-steps.ts');
    const ctx = { kube: { context: 'kind-module9', namespace: 'module9-lab-4-distributed-tracing' } } as never;
    const result = await guarded(ctx, 'kind-tail-sampling', async () => {
      throw new InClusterUnreachable('kubectl exec into deploy/m9-lab4-storefront failed: error: unable to upgrade connection');
    });
    expect(result).toMatchObject({ status: 'error', next: expect.stringMatching(/get pods -n module9-lab-4-distributed-tracing.*--target kind --from kind-tail-sampling/) });
  });
});
