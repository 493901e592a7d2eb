// Check logic of the kind part on kubectl JSON. The fixtures follow `kubectl get pods -o json`
// and `kubectl get deployments -o json` (Kubernetes 1.37) for the scenario's objects: a renderer
// Pod in CrashLoopBackOff whose last state is OOMKilled, the same Pod running between restarts,
// and, after a fix, a new Pod next to the old one terminating. Trimmed to the fields read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { answerMatches } from '../lib/diagnose.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import type { Deployment } from '../lib/kind-app.ts';
import { names, prefix } from './docker-steps.ts';
import { billingManifest, billingStructureKind, judgeBillingEnd, judgeRendererPods, killedWorkloads, replacingPods, type Pod } from './kind-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const pods = (name: string) => (JSON.parse(text(`kubectl-get-pods-${name}.json`)) as { items: Pod[] }).items;
const MiB = 1024 * 1024;

function deployments(change: (d: Record<string, Deployment | null>) => void = () => {}): Record<string, Deployment | null> {
  const list = JSON.parse(text('kubectl-get-deployments.json')) as { items: Deployment[] };
  const found = Object.fromEntries(list.items.map((d) => [d.metadata.name, d])) as Record<string, Deployment | null>;
  change(found);
  return found;
}
const renderer = (d: Record<string, Deployment | null>) => d[names.renderer]!.spec.template.spec.containers[0]!;

describe('the diagnosis', () => {
  it('names the Deployment whose Pod the kernel ended, from the last state', () => {
    expect(killedWorkloads(pods('unstable'))).toEqual([names.renderer]);
    expect(killedWorkloads(pods('renderer-between-restarts'))).toEqual([names.renderer]);
    const accepted = causeAnswers(killedWorkloads(pods('unstable')), ['memory'], prefix);
    expect(answerMatches('m9-s2-renderer memory', accepted)).toBe(true);
    expect(answerMatches('renderer: memory', accepted)).toBe(true);
    expect(answerMatches('m9-s2-api memory', accepted)).toBe(false);
  });

  it('ignores a Pod that is being deleted', () => {
    expect(killedWorkloads(pods('renderer-fixed'))).toEqual([]);
  });
});

describe('judgeRendererPods', () => {
  it('fails a crash loop at once, and a Pod running between restarts too', () => {
    expect(judgeRendererPods(pods('unstable').filter((p) => p.metadata.labels?.app === names.renderer))).toMatchObject({
      code: 'unstable',
      reason: expect.stringMatching(/RESTARTS 3, CrashLoopBackOff, last ended with exit code 137 \(OOMKilled\)/),
    });
    expect(judgeRendererPods(pods('renderer-between-restarts'))).toMatchObject({ code: 'unstable', reason: expect.stringContaining('running again') });
  });

  it('passes the new Pod after a fix, ignoring the old one terminating, and fails a restart during the window', () => {
    expect(judgeRendererPods(pods('renderer-fixed'))).toBeNull();
    expect(judgeRendererPods(pods('renderer-fixed'), { 'm9-s2-renderer-59c8d7f6b4-w6n9z': 0 })).toBeNull();
    const restarted = structuredClone(pods('renderer-fixed'));
    restarted[0]!.status.containerStatuses![0]!.restartCount = 1;
    expect(judgeRendererPods(restarted, { 'm9-s2-renderer-59c8d7f6b4-w6n9z': 0 })).toMatchObject({ code: 'unstable' });
    expect(judgeRendererPods([])).toMatchObject({ code: 'starting' });
  });
});

describe('billingStructureKind', () => {
  it('lets the Deployments as set up through (the Pods are judged next)', () => {
    expect(billingStructureKind(deployments())).toBeNull();
    expect(replacingPods(deployments()[names.renderer]!)).toBe(false);
  });

  it('accepts both valid fixes in the template: a larger limit, or a smaller cache', () => {
    expect(billingStructureKind(deployments((d) => (renderer(d).resources!.limits!.memory = '320Mi')))).toBeNull();
    expect(billingStructureKind(deployments((d) => (renderer(d).env = [{ name: 'RENDER_CACHE_MB', value: '64' }])))).toBeNull();
  });

  it('rejects the wrong fixes: no limit, the cache off, scaled to zero, deleted', () => {
    expect(billingStructureKind(deployments((d) => delete renderer(d).resources!.limits!.memory))).toMatchObject({ code: 'no-memory-limit' });
    expect(billingStructureKind(deployments((d) => (renderer(d).env = [{ name: 'RENDER_CACHE_MB', value: '0' }])))).toMatchObject({ code: 'cache-too-small' });
    expect(billingStructureKind(deployments((d) => (d[names.renderer]!.spec.replicas = 0)))).toMatchObject({ code: 'scaled-to-zero' });
    expect(billingStructureKind(deployments((d) => (d[names.renderer] = null)))).toMatchObject({ code: 'deployment-missing' });
  });

  it('sees a rollout that still replaces Pods', () => {
    const d = deployments()[names.renderer]!;
    expect(replacingPods({ ...d, status: { ...d.status, replicas: 2 } })).toBe(true);
    expect(replacingPods({ ...d, metadata: { ...d.metadata, generation: 2 } })).toBe(true);
  });
});

describe('judgeBillingEnd', () => {
  const ok = { count: 10, errors: 0, timeouts: 0, p50: 4, p95: 9, max: 12 };
  it('passes a fitting limit, rejects one that protects nothing, and failed downloads', () => {
    expect(judgeBillingEnd(ok, undefined, '320Mi', 209 * MiB)).toMatchObject({ status: 'pass' });
    expect(judgeBillingEnd(ok, undefined, '4Gi', 209 * MiB)).toMatchObject({ code: 'limit-too-high' });
    expect(judgeBillingEnd({ ...ok, errors: 3, firstError: 'HTTP 502' }, undefined, '320Mi', 209 * MiB)).toMatchObject({ code: 'errors' });
    expect(judgeBillingEnd(null, 'error: unable to upgrade connection', '320Mi', 0)).toMatchObject({ code: 'errors' });
  });
});

describe('billingManifest', () => {
  it('is three labelled Deployments, two Services, and the renderer with its limit and cache setting', () => {
    const docs = parseAllDocuments(billingManifest('module9/scenario-2-resource-exhaustion-billing:local')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Deployment/m9-s2-renderer', 'Service/m9-s2-renderer', 'Deployment/m9-s2-api', 'Service/m9-s2-api', 'Deployment/m9-s2-clerks']);
    expect(docs[0].spec.template.spec.containers[0]).toMatchObject({ name: 'renderer', env: [{ name: 'RENDER_CACHE_MB', value: '192' }], resources: { limits: { memory: '128Mi' } } });
  });
});
