// Check logic of the kind part. kubectl-get-deployments.json follows `kubectl get deployments
// -o json` (apps/v1) for the scenario's four Deployments after setup; cadvisor-metrics.txt follows
// the kubelet's /metrics/cadvisor endpoint (cAdvisor's Prometheus text format, containerd with
// the systemd cgroup driver as in kind), trimmed to the counters the diagnosis reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { answerMatches } from '../lib/diagnose.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import type { Deployment } from '../lib/kind-app.ts';
import { names, prefix } from './docker-steps.ts';
import { heldBackInCluster, judgeMeasured, parseCadvisorCfs, shopManifest, shopStructureKind } from './kind-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const namespace = 'module9-scenario-1-production-performance';

function deployments(change: (d: Record<string, Deployment | null>) => void = () => {}): Record<string, Deployment | null> {
  const list = JSON.parse(text('kubectl-get-deployments.json')) as { items: Deployment[] };
  const found = Object.fromEntries(list.items.map((d) => [d.metadata.name, d])) as Record<string, Deployment | null>;
  change(found);
  return found;
}

describe('the diagnosis from cAdvisor', () => {
  const samples = parseCadvisorCfs(text('cadvisor-metrics.txt'));

  it('reads one sample per container, skipping the Pod-level series', () => {
    expect(samples.filter((s) => s.namespace === namespace).map((s) => s.container).sort()).toEqual(['inventory', 'pricing', 'shoppers', 'storefront']);
    expect(samples.find((s) => s.container === 'pricing')).toMatchObject({ pod: 'm9-s1-pricing-6b8f9c7d5-x7k2p', periods: 2398, throttled: 2311 });
  });

  it('names only the lab container held back, not a throttled container of another namespace', () => {
    const held = heldBackInCluster(samples, namespace);
    expect(held.map((s) => s.container)).toEqual(['pricing']);
    expect(samples.some((s) => s.namespace === 'kube-system' && s.throttled / s.periods >= 0.25)).toBe(true);
  });

  it('accepts the Deployment (or the Pod) with cpu', () => {
    const accepted = causeAnswers([names.pricing, 'm9-s1-pricing-6b8f9c7d5-x7k2p'], ['cpu'], prefix);
    expect(answerMatches('m9-s1-pricing cpu', accepted)).toBe(true);
    expect(answerMatches('pricing CPU', accepted)).toBe(true);
    expect(answerMatches('m9-s1-storefront cpu', accepted)).toBe(false);
  });
});

describe('shopStructureKind', () => {
  it('accepts the Deployments as set up', () => {
    expect(shopStructureKind(deployments())).toBeNull();
  });

  it('rejects the wrong fixes: no CPU limit, scaled to zero, deleted', () => {
    expect(shopStructureKind(deployments((d) => delete d[names.pricing]!.spec.template.spec.containers[0]!.resources!.limits!.cpu))).toMatchObject({
      code: 'no-cpu-limit',
      reason: expect.stringContaining(`pricing of ${names.pricing}`),
    });
    expect(shopStructureKind(deployments((d) => (d[names.pricing]!.spec.template.spec.containers[0]!.resources!.limits!.cpu = '0')))).toMatchObject({ code: 'no-cpu-limit' });
    expect(shopStructureKind(deployments((d) => (d[names.shoppers]!.spec.replicas = 0)))).toMatchObject({ code: 'scaled-to-zero' });
    expect(shopStructureKind(deployments((d) => (d[names.pricing] = null)))).toMatchObject({ code: 'deployment-missing' });
  });

  it('treats a rollout still in progress as transient, once the limit is in place', () => {
    const rolling = deployments((d) => {
      d[names.pricing]!.metadata.generation = 2;
      d[names.pricing]!.spec.template.spec.containers[0]!.resources!.limits!.cpu = '1';
    });
    expect(shopStructureKind(rolling)).toMatchObject({ code: 'rollout-in-progress' });
  });
});

describe('judgeMeasured', () => {
  it('reports a failed measurement as errors, with what kubectl said', () => {
    expect(judgeMeasured({ timing: null, problem: 'error: unable to upgrade connection: container not found ("shoppers")' })).toMatchObject({ code: 'errors', reason: expect.stringContaining('container not found') });
    expect(judgeMeasured({ timing: { count: 40, errors: 0, timeouts: 0, p50: 640, p95: 1310, max: 1400 } })).toMatchObject({ code: 'slow' });
  });
});

describe('shopManifest', () => {
  it('is four Deployments and three Services, labelled for cleanup, with the tight limit on pricing', () => {
    const docs = parseAllDocuments(shopManifest('module9/scenario-1-production-performance-shop:local')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Deployment/m9-s1-pricing',
      'Service/m9-s1-pricing',
      'Deployment/m9-s1-inventory',
      'Service/m9-s1-inventory',
      'Deployment/m9-s1-storefront',
      'Service/m9-s1-storefront',
      'Deployment/m9-s1-shoppers',
    ]);
    for (const d of docs) expect(d.metadata.labels['module9.lab']).toBe('scenario-1-production-performance');
    const pricing = docs[0];
    expect(pricing.spec.template.metadata.labels).toEqual({ app: 'm9-s1-pricing', 'module9.lab': 'scenario-1-production-performance' });
    expect(pricing.spec.template.spec.containers[0]).toMatchObject({ name: 'pricing', args: ['pricing'], imagePullPolicy: 'IfNotPresent', resources: { limits: { cpu: '100m' } } });
  });
});
