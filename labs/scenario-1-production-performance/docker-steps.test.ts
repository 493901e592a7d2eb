// Check logic of the Docker part on real output, captured on Docker Engine 20.10 (cgroup v1)
// from the scenario's own containers while the shop was slow: `docker inspect` (trimmed to the
// fields read), the pricing and inventory containers' cpu.stat, and the storefront's /metrics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerMatches } from '../lib/diagnose.ts';
import { parseStatFile } from '../lib/docker.ts';
import type { Timing } from '../lib/traffic.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { cpuLimit, heldBack, judgeQuotes, names, prefix, publishedUrl, shopStructure, specs, upstreamMeans, type Inspect } from './docker-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const inspect = (name: string) => (JSON.parse(text(`inspect-${name}.json`)) as Inspect[])[0]!;

/** All four containers as captured: pricing and storefront from the fixtures, the others alike. */
function shop(change: (containers: Record<string, Inspect | null>) => void = () => {}): Record<string, Inspect | null> {
  const containers: Record<string, Inspect | null> = {};
  for (const spec of specs) {
    const c = structuredClone(spec.name === names.storefront ? inspect('storefront') : inspect('pricing'));
    c.Name = `/${spec.name}`;
    c.HostConfig.NanoCpus = spec.cpus * 1e9;
    containers[spec.name] = c;
  }
  change(containers);
  return containers;
}

const timing = (t: Partial<Timing>): Timing => ({ count: 40, errors: 0, timeouts: 0, p50: 12, p95: 20, max: 25, ...t });

describe('the diagnosis: which container is held back', () => {
  const pricingBefore = parseStatFile(text('pricing-cpu.stat.v1.txt'));
  const pricingAfter = parseStatFile(text('pricing-cpu.stat.v1.later.txt'));
  const inventory = parseStatFile(text('inventory-cpu.stat.v1.txt'));
  const samples = {
    [names.pricing]: { periods: pricingAfter.nr_periods! - pricingBefore.nr_periods!, throttled: pricingAfter.nr_throttled! - pricingBefore.nr_throttled! },
    // Its counters since it started: it ran in 84 periods and was never held back.
    [names.inventory]: { periods: inventory.nr_periods!, throttled: inventory.nr_throttled! },
    [names.storefront]: { periods: 0, throttled: 0 },
  };

  it('reads the captured cpu.stat: pricing throttled in nearly every period, inventory in none', () => {
    expect(samples[names.pricing]).toEqual({ periods: 35, throttled: 35 });
    expect(samples[names.inventory]).toEqual({ periods: 84, throttled: 0 });
    expect(heldBack(samples)).toEqual([names.pricing]);
  });

  it('accepts the container with or without its prefix, with cpu, and nothing else', () => {
    const accepted = causeAnswers(heldBack(samples), ['cpu'], prefix);
    for (const answer of ['m9-s1-pricing cpu', 'Pricing, CPU', 'pricing: cpu', '"m9-s1-pricing/cpu"']) expect(answerMatches(answer, accepted)).toBe(true);
    for (const answer of ['m9-s1-pricing memory', 'm9-s1-storefront cpu', 'cpu', 'pricing']) expect(answerMatches(answer, accepted)).toBe(false);
  });

  it('finds no cause when nothing is throttled (the check then reports an error, not a pass)', () => {
    expect(heldBack({ [names.pricing]: { periods: 30, throttled: 2 }, [names.inventory]: { periods: 3, throttled: 3 } })).toEqual([]);
  });
});

describe('the symptom: the storefront waits on pricing', () => {
  it('reads the mean upstream time from the captured histogram', () => {
    const means = upstreamMeans(text('storefront-metrics.txt'));
    expect(means.pricing).toBeCloseTo(58.593711 / 66, 5);
    expect(means.inventory).toBeCloseTo(0.894017 / 74, 5);
    expect(means.pricing! > 10 * means.inventory!).toBe(true);
  });
});

describe('shopStructure', () => {
  it('accepts the shop as captured, and reads the CPU limit either way Docker stores it', () => {
    expect(shopStructure(shop())).toBeNull();
    expect(cpuLimit(inspect('pricing'))).toBe(0.1);
    const quota = structuredClone(inspect('pricing'));
    Object.assign(quota.HostConfig, { NanoCpus: 0, CpuQuota: 50_000, CpuPeriod: 100_000 });
    expect(cpuLimit(quota)).toBe(0.5);
  });

  it('rejects the wrong fixes: no limit, a deleted container, stopped traffic', () => {
    expect(shopStructure(shop((c) => (c[names.pricing]!.HostConfig.NanoCpus = 0)))).toMatchObject({ code: 'no-cpu-limit', reason: expect.stringContaining(names.pricing) });
    expect(shopStructure(shop((c) => (c[names.pricing] = null)))).toMatchObject({ code: 'container-missing' });
    expect(
      shopStructure(
        shop((c) => {
          c[names.shoppers]!.State = { ...c[names.shoppers]!.State, Running: false, Status: 'exited', ExitCode: 0 };
        }),
      ),
    ).toMatchObject({ code: 'not-running', reason: expect.stringContaining(names.shoppers) });
  });

  it('finds the published port on 127.0.0.1', () => {
    expect(publishedUrl(inspect('storefront'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(publishedUrl(inspect('pricing'))).toBeNull();
  });
});

describe('judgeQuotes', () => {
  it('fails slow quotes, counting timeouts as slow, and names the service level', () => {
    expect(judgeQuotes(timing({ p50: 1800, p95: 5000, max: 5000, timeouts: 5 }), 'from the host', 'docker logs')).toMatchObject({
      code: 'slow',
      reason: expect.stringMatching(/p95 5000 ms.*5 without an answer.*within 200 ms/),
    });
  });

  it('fails errors before slowness, and passes quotes within the bound', () => {
    expect(judgeQuotes(timing({ errors: 40, firstError: 'HTTP 502: {"error":"fetch failed"}' }), 'from the host', 'docker logs m9-s1-storefront')).toMatchObject({ code: 'errors' });
    expect(judgeQuotes(timing({ p95: 200 }), 'from the host', 'docker logs')).toMatchObject({ status: 'pass' });
    expect(judgeQuotes(timing({ p95: 201 }), 'from the host', 'docker logs')).toMatchObject({ code: 'slow' });
  });
});
